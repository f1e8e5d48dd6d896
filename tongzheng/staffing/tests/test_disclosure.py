"""实名制公示: submit → review → publish / return, audited; the public page shows the frozen
public fields only, never ID numbers, birth dates or document numbers; unpublished is 404."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client

from tongzheng.accounts.tests.factories import verified_login
from tongzheng.audit.models import AuditEvent
from tongzheng.core.access import DataScope
from tongzheng.core.models import DivisionLevel, OrganisationKind
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.staffing import disclosure
from tongzheng.staffing.models import (
    DisclosurePublication,
    DisclosureStatus,
    LeadershipPost,
    Person,
    PersonStatus,
)
from tongzheng.staffing.registrations import REVIEW_DISCLOSURE, SUBMIT_DISCLOSURE
from tongzheng.staffing.tests.factories import (
    PersonFactory,
    QuotaLedgerEntryFactory,
    resident_id,
    staffing_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


ID_NUMBER = resident_id(7, birth="19790315")


@pytest.fixture
def world():
    province = DivisionFactory(code="510000", name="四川省", level=DivisionLevel.PROVINCE)
    city = DivisionFactory(code="510100", name="成都市", level=DivisionLevel.CITY, parent=province)
    other = DivisionFactory(code="510300", name="自贡市", level=DivisionLevel.CITY, parent=province)
    unit = OrganisationFactory(name="成都市统计局", division=city)
    OrganisationFactory(
        name="成都市统计局办公室",
        division=city,
        parent=unit,
        kind=OrganisationKind.INTERNAL_DEPARTMENT,
    )
    QuotaLedgerEntryFactory(organisation=unit, increase=8, approval_document="成编发〔2020〕99号")
    PersonFactory(
        organisation=unit,
        name="李明",
        id_number=ID_NUMBER,
        birth_date=datetime.date(1979, 3, 15),
        post=LeadershipPost.UNIT_HEAD,
    )
    PersonFactory(organisation=unit, name="王芳", id_number=resident_id(8), gender="2")
    PersonFactory(
        organisation=unit, name="赵退", id_number=resident_id(9), status=PersonStatus.RETIRED
    )
    clerk = staffing_user(unit, [SUBMIT_DISCLOSURE], scope=DataScope.OWN_ORGANISATION)
    office = staffing_user(OrganisationFactory(division=city), [REVIEW_DISCLOSURE])
    stranger = staffing_user(OrganisationFactory(division=other), [REVIEW_DISCLOSURE])
    return {"unit": unit, "clerk": clerk, "office": office, "stranger": stranger, "other": other}


def test_submit_publish_flow_is_audited_and_freezes_public_fields(world, client):
    publication = disclosure.submit(actor=world["clerk"], organisation=world["unit"])
    assert publication.status == DisclosureStatus.SUBMITTED
    assert client.get(f"/gongshi/{world['unit'].pk}/").status_code == 404  # not yet published
    disclosure.publish(actor=world["office"], publication_id=publication.pk)
    publication.refresh_from_db()
    assert publication.status == DisclosureStatus.PUBLISHED
    assert publication.reviewed_by == world["office"]
    actions = list(
        AuditEvent.objects.filter(object_id=str(publication.pk)).values_list("action", flat=True)
    )
    assert actions == ["staffing.disclosure_submitted", "staffing.disclosure_published"]
    snap = publication.snapshot
    assert [p["name"] for p in snap["personnel"]] == ["李明", "王芳"]  # retired not shown
    assert snap["personnel"][0]["post"] == "单位正职"
    assert snap["departments"] == ["成都市统计局办公室"]
    assert snap["establishment"] == [{"type": "行政编制", "approved": 8}]

    # Later changes do not reach the public page until published again.
    Person.objects.filter(name="王芳").update(name="王芳改")
    response = client.get(f"/gongshi/{world['unit'].pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "王芳" in page and "王芳改" not in page and "12310" in page
    for secret in (ID_NUMBER, "1979-03-15", "19790315", "成编发〔2020〕99号", ID_NUMBER[-4:]):
        assert secret not in page
        assert secret not in str(snap)
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    again = client.get(f"/gongshi/{world['unit'].pk}/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    # The second anonymous visitor gets the cached page with its own CSRF token.
    other = Client()
    cached = other.get(f"/gongshi/{world['unit'].pk}/")
    assert _without_tokens(cached.content.decode()) == _without_tokens(page)
    assert _tokens(cached) and _tokens(cached) != _tokens(response)


TOKEN = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*"')


def _tokens(response) -> str:
    return "".join(re.findall(r'csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()))


def _without_tokens(page: str) -> str:
    return TOKEN.sub(r'\1"', page)


def test_return_needs_reasons_and_sends_it_back(world):
    publication = disclosure.submit(actor=world["clerk"], organisation=world["unit"])
    with pytest.raises(ValidationError):
        disclosure.return_for_revision(
            actor=world["office"], publication_id=publication.pk, reasons=" "
        )
    disclosure.return_for_revision(
        actor=world["office"], publication_id=publication.pk, reasons="内设机构不全"
    )
    publication.refresh_from_db()
    assert (publication.status, publication.return_reasons) == (
        DisclosureStatus.DRAFT,
        "内设机构不全",
    )
    assert AuditEvent.objects.filter(action="staffing.disclosure_returned").count() == 1
    resubmitted = disclosure.submit(actor=world["clerk"], organisation=world["unit"])
    assert resubmitted.pk == publication.pk and resubmitted.status == DisclosureStatus.SUBMITTED


def test_publishing_again_withdraws_the_previous_and_withdraw_hides_it(world, client):
    first = disclosure.submit(actor=world["clerk"], organisation=world["unit"])
    disclosure.publish(actor=world["office"], publication_id=first.pk)
    second = disclosure.submit(actor=world["clerk"], organisation=world["unit"])
    disclosure.publish(actor=world["office"], publication_id=second.pk)
    first.refresh_from_db()
    assert first.status == DisclosureStatus.WITHDRAWN
    disclosure.withdraw(actor=world["office"], publication_id=second.pk)
    assert client.get(f"/gongshi/{world['unit'].pk}/").status_code == 404
    assert DisclosurePublication.objects.filter(status=DisclosureStatus.PUBLISHED).count() == 0


def test_out_of_scope_and_unpermitted_reviewers_are_refused(world):
    publication = disclosure.submit(actor=world["clerk"], organisation=world["unit"])
    with pytest.raises(Http404):
        disclosure.publish(actor=world["stranger"], publication_id=publication.pk)
    with pytest.raises(PermissionDenied):
        disclosure.publish(actor=world["clerk"], publication_id=publication.pk)
    with pytest.raises(Http404):
        disclosure.submit(
            actor=world["clerk"], organisation=OrganisationFactory(division=world["other"])
        )
    publication.refresh_from_db()
    assert publication.status == DisclosureStatus.SUBMITTED
    with pytest.raises(ValidationError):
        disclosure.submit(actor=world["clerk"], organisation=world["unit"])  # already waiting


def test_public_list_searches_published_units_only(world, client):
    publication = disclosure.submit(actor=world["clerk"], organisation=world["unit"])
    assert "成都市统计局" not in client.get("/gongshi/").content.decode()
    disclosure.publish(actor=world["office"], publication_id=publication.pk)
    assert "成都市统计局" in client.get("/gongshi/", {"q": "统计"}).content.decode()
    assert "成都市统计局" not in client.get("/gongshi/", {"q": "财政"}).content.decode()


def test_staff_pages_submit_and_publish(world, client):
    verified_login(client, world["clerk"])
    response = client.post(
        "/workbench/staffing/disclosure/submit/", {"organisation": world["unit"].pk}
    )
    publication = DisclosurePublication.objects.get()
    assert response.status_code == 302 and publication.status == DisclosureStatus.SUBMITTED
    assert (
        client.post(f"/workbench/staffing/disclosure/{publication.pk}/publish/").status_code == 403
    )
    client.logout()
    verified_login(client, world["office"])
    page = client.get(f"/workbench/staffing/disclosure/{publication.pk}/").content.decode()
    assert "李明" in page and ID_NUMBER not in page
    bad = client.post(f"/workbench/staffing/disclosure/{publication.pk}/return/", {"reasons": ""})
    assert bad.status_code == 400
    assert (
        client.post(f"/workbench/staffing/disclosure/{publication.pk}/publish/").status_code == 302
    )
    publication.refresh_from_db()
    assert publication.status == DisclosureStatus.PUBLISHED


def test_the_public_page_never_queries_personal_data_tables(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    publication = disclosure.submit(actor=world["clerk"], organisation=world["unit"])
    disclosure.publish(actor=world["office"], publication_id=publication.pk)
    from django.core.cache import cache

    cache.clear()  # a cold cache: the page is rendered from the snapshot
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/gongshi/{world['unit'].pk}/")
    assert response.status_code == 200 and "李明" in response.content.decode()
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "staffing_disclosurepublication" in sql
    for table in ("staffing_person", "staffing_quotaledgerentry", "staffing_unitprofile"):
        assert table not in sql
