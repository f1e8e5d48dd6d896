"""tongzheng.services.public: what the portal and supervision call."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tongzheng.services import actions, public
from tongzheng.services.models import ApplicationStatus, MaterialForm
from tongzheng.services.tests.factories import (
    applicant,
    handler,
    material,
    published_item,
)

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def test_draft_then_submit_with_files_then_lookup_by_number_and_code():
    item = published_item(materials=[material("申请表", form=MaterialForm.ELECTRONIC)])
    citizen = applicant()
    draft = public.save_draft(applicant=citizen, item=item, form_data={"项目": "一"})
    assert public.find_application(draft.number, "ANYTHING") is None  # drafts are not found
    wanted = item.current_version.materials.get()
    with pytest.raises(ValidationError, match="必要材料"):
        public.submit_application(applicant=citizen, application=draft)
    fake = SimpleUploadedFile("申请表.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationError, match="不符"):
        public.submit_application(applicant=citizen, application=draft, files=[(wanted, fake)])
    real = SimpleUploadedFile("申请表.pdf", b"%PDF-1.7\n...")
    application, code = public.submit_application(
        applicant=citizen, application=draft, files=[(wanted, real)]
    )
    assert application.pk == draft.pk and application.files.count() == 1
    assert public.find_application(application.number, code).pk == application.pk
    assert public.find_application(application.number, code.lower()).pk == application.pk
    assert public.find_application(application.number, "WRONG123") is None
    assert public.find_application("SQ0", code) is None
    view = public.application_status(application)
    assert view.status == S.SUBMITTED and view.item_name == item.current_version.name


def test_staff_cannot_apply():
    item = published_item()
    with pytest.raises(PermissionDenied):
        public.submit_application(applicant=handler(item.organisation), item=item, form_data={})


def test_status_shows_what_to_supplement_and_the_reason():
    item = published_item()
    citizen = applicant()
    application, _code = public.submit_application(applicant=citizen, item=item, form_data={})
    window = handler(item.organisation)
    actions.request_supplement(
        actor=window,
        application=application,
        materials=list(item.current_version.materials.all()),
        other_items="法定代表人身份证明",
    )
    application.refresh_from_db()
    view = public.application_status(application)
    assert view.status == S.SUPPLEMENT and view.remaining_working_days is None  # not accepted
    assert view.supplement_materials and view.supplement_other == "法定代表人身份证明"
    public.resubmit_application(applicant=citizen, application=application)
    actions.refuse_acceptance(actor=window, application=application, reason="不属于本机关职权")
    application.refresh_from_db()
    view = public.application_status(application)
    assert view.decision_reason == "不属于本机关职权"
    assert public.rating_subject(application, citizen) == (application, item.organisation)
    assert public.rating_subject(application, applicant()) is None
    assert list(public.applications_of(citizen)) == [application]


def test_guide_and_catalogue():
    item = published_item()
    guide = public.item_guide(item.pk)
    assert guide.version.name == item.current_version.name
    assert guide.stages[0][1] == ["住房和城乡建设局", "生态环境局"]
    assert list(public.published_items(item_type="01")) == [item]


def test_status_lookup_is_one_query_with_the_events_in_order(django_assert_num_queries):
    item = published_item()
    citizen = applicant()
    application, code = public.submit_application(applicant=citizen, item=item, form_data={})
    window = handler(item.organisation)
    actions.request_supplement(
        actor=window,
        application=application,
        materials=list(item.current_version.materials.all()),
        other_items="法定代表人身份证明",
    )
    expected = list(
        application.events.order_by("sequence").values_list("at", "to_status", "action", "note")
    )
    assert len(expected) >= 2
    with django_assert_num_queries(1):
        found = public.status_lookup(application.number)
    assert found.pk == application.pk and found.check_code(code)
    assert [tuple(row) for row in found.shown_events] == expected
    assert found.shown_item == item.current_version.name
    assert found.shown_organisation == item.organisation.name
    with django_assert_num_queries(2):  # the supplement and its materials; the rest came along
        view = public.application_status(found)
    assert [e.status for e in view.events] == [row[1] for row in expected]
    assert view.supplement_other == "法定代表人身份证明"
    application.refresh_from_db()
    assert view == public.application_status(application)  # the same as from the model
    assert public.status_lookup("SQ0") is None
    draft = public.save_draft(applicant=citizen, item=item, form_data={})
    assert public.status_lookup(draft.number) is None
