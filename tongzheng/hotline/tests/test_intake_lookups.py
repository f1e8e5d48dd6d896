"""The intake forms' subject and division lookups (prepared queries, ``hotline.forms``):
the same answers as the querysets they replaced."""

import pytest

from tongzheng.core.models import Division
from tongzheng.core.tests.factories import DivisionFactory
from tongzheng.hotline.forms import IntakeForm, PhoneIntakeForm
from tongzheng.hotline.models import Subject
from tongzheng.hotline.tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db


def filed(**overrides):
    data = {
        "channel": "web",
        "type": "complaint",
        "content": "路灯不亮。",
        "reporter_name": "王芳",
        "reporter_phone": "13912345678",
    }
    data.update(overrides)
    return data


def test_an_active_subject_and_a_known_division_are_the_model_rows():
    subject = SubjectFactory(name="城市管理")
    division = DivisionFactory()
    form = IntakeForm(filed(subject=str(subject.pk), division=f" {division.code} "))
    assert form.is_valid(), form.errors
    found = form.cleaned_data["subject"]
    assert isinstance(found, Subject)
    assert (found.pk, found.code, found.name, found.active, found.order) == (
        subject.pk,
        subject.code,
        subject.name,
        True,
        subject.order,
    )
    assert not found._state.adding
    place = form.cleaned_data["division"]
    assert isinstance(place, Division)
    assert (place.pk, place.code, place.path, place.parent_id) == (
        division.pk,
        division.code,
        division.path,
        division.parent_id,
    )


@pytest.mark.parametrize("value", ["abc", "1.5", str(2**63), str(-(2**63) - 1), "0"])
def test_a_subject_that_is_no_row_is_refused_as_an_invalid_choice(value):
    SubjectFactory()
    form = IntakeForm(filed(subject=value))
    assert not form.is_valid()
    assert form.errors.as_data()["subject"][0].code == "invalid_choice"


def test_an_inactive_subject_is_refused():
    subject = SubjectFactory(active=False)
    form = PhoneIntakeForm(filed(subject=str(subject.pk)))
    assert not form.is_valid()
    assert form.errors.as_data()["subject"][0].code == "invalid_choice"


def test_no_subject_and_no_division_are_none():
    form = IntakeForm(filed(subject="", division=""))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["subject"] is None
    assert form.cleaned_data["division"] is None


def test_an_unknown_division_code_is_refused():
    form = IntakeForm(filed(division="999999"))
    assert not form.is_valid()
    assert form.errors.as_data()["division"][0].code == "division"
