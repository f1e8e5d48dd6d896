"""The intake forms share what never changes between forms (the fixed choices, the styles
worked out once per class) and still keep each form's own state to itself."""

import pytest
from django.utils import translation

from tongzheng.hotline.forms import (
    DEFAULT_REQUIRED,
    FixedChoices,
    IntakeForm,
    LetterForm,
    TrackForm,
)
from tongzheng.hotline.forms_administration import SubjectCreateForm
from tongzheng.hotline.models import Category12310, TicketType
from tongzheng.hotline.tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db


def test_fixed_choices_iterate_like_the_list_and_are_shared_not_copied():
    choices = FixedChoices(TicketType.choices)
    assert list(choices) == list(TicketType.choices)
    assert len(choices) == len(TicketType.choices)
    assert choices[1] == TicketType.choices[1]
    first, second = IntakeForm(), IntakeForm()
    assert first.fields["type"].choices is second.fields["type"].choices
    assert first.fields["type"].widget.choices is first.fields["type"].choices
    assert list(first.fields["category"].choices) == [("", "---------"), *Category12310.choices]


def test_an_unknown_choice_is_still_refused():
    form = IntakeForm({"channel": "web", "type": "nonsense", "content": "路灯不亮"})
    assert not form.is_valid()
    assert "type" in form.errors
    form = IntakeForm({"channel": "fax", "type": "complaint", "content": "路灯不亮"})
    assert not form.is_valid()
    assert "channel" in form.errors


def test_a_form_marked_in_error_leaves_the_next_form_unmarked():
    marked = IntakeForm({"channel": "web", "type": "complaint"})
    assert not marked.is_valid()
    assert "is-invalid" in marked.fields["content"].widget.attrs["class"]
    fresh = IntakeForm()
    assert fresh.fields["content"].widget.attrs["class"] == "form-control"
    assert IntakeForm.base_fields["content"].widget.attrs.get("class") is None


def test_styles_and_required_messages_per_class():
    form = LetterForm()
    assert form.fields["type"].widget.attrs["class"] == "form-select"
    assert form.fields["anonymous"].widget.attrs["class"] == "form-check-input"
    assert form.fields["content"].widget.attrs["class"] == "form-control"
    with translation.override("zh-hans"):
        # Its own message kept; Django's replaced by the form's Chinese one.
        assert str(form.fields["title"].error_messages["required"]) == "请填写标题。"
        assert str(form.fields["type"].error_messages["required"]) == "请选择此项。"
        assert str(TrackForm().fields["number"].error_messages["required"]) == "请填写此项。"
    # The administration forms keep Django's own required message.
    assert SubjectCreateForm().fields["code"].error_messages["required"] is DEFAULT_REQUIRED


def test_the_subject_choices_are_the_active_subjects_at_each_form():
    active = SubjectFactory(active=True)
    assert active.pk in [
        choice.value for choice, _label in list(IntakeForm().fields["subject"].choices)[1:]
    ]
    active.active = False
    active.save()
    assert active.pk not in [
        choice.value for choice, _label in list(IntakeForm().fields["subject"].choices)[1:]
    ]
