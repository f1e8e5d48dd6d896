"""The centre's action forms: an unbound form's HTML is kept per process, language and
prefix (CentreForm); values, errors and ticket-dependent choices are rendered each time."""

import pytest
from django.utils import translation

from tongzheng.hotline.views import centre_forms
from tongzheng.hotline.views.centre_forms import MergeForm, PressForm, WithdrawForm


@pytest.fixture(autouse=True)
def empty():
    centre_forms._RENDERED.clear()
    yield
    centre_forms._RENDERED.clear()


def fresh(form) -> str:
    """The text Django would write without the kept copy."""
    return str(super(centre_forms.CentreForm, form).render())


def test_an_unbound_form_is_kept_and_written_like_django_would():
    with translation.override("zh-hans"):
        first = str(PressForm(prefix="urge"))
        assert (
            str(PressForm(prefix="urge"))
            is centre_forms._RENDERED[(PressForm, "urge", "zh-hans", "/")]
        )
        assert first == fresh(PressForm(prefix="urge"))
        assert 'name="urge-content"' in first
        # Another prefix is another form (its own names and ids).
        assert 'name="supervise-content"' in str(PressForm(prefix="supervise"))


def test_the_language_is_part_of_the_key():
    with translation.override("zh-hans"):
        chinese = str(MergeForm())
    with translation.override("en"):
        english = str(MergeForm())
        assert english == fresh(MergeForm())
    assert chinese != english


def test_bound_forms_and_initial_values_are_written_each_time():
    with translation.override("zh-hans"):
        str(WithdrawForm(prefix="withdraw-1"))
        bound = WithdrawForm({"withdraw-1-reason": ""}, prefix="withdraw-1")
        assert not bound.is_valid()
        html = str(bound)
        assert "text-danger" in html  # the field's error is shown
        assert html == fresh(bound)
        merged = str(MergeForm(initial={"master": "12345-20261128-000001"}))
        assert "12345-20261128-000001" in merged


def test_the_kept_copies_stay_bounded(monkeypatch):
    monkeypatch.setattr(centre_forms, "_RENDERED_MAX", 3)
    with translation.override("zh-hans"):
        for pk in range(10):
            str(WithdrawForm(prefix=f"withdraw-{pk}"))
    assert len(centre_forms._RENDERED) <= 3


@pytest.mark.django_db
def test_the_list_filters_are_kept_and_a_new_subject_shows_within_a_minute(monkeypatch):
    from django.test import Client

    from tongzheng.accounts.tests.factories import verified_login
    from tongzheng.hotline.models import Subject
    from tongzheng.hotline.tests.factories_centre import centre_world
    from tongzheng.hotline.views import centre

    centre._CONTROLS.clear()
    world = centre_world("f")
    client = Client()
    verified_login(client, world.operator)
    clock = [1000.0]
    monkeypatch.setattr(centre.time, "monotonic", lambda: clock[0])
    url = "/workbench/hotline/tickets/"
    first = client.get(url, {"status": "closed"}).content.decode()
    assert '<option value="closed" selected>' in first
    Subject.objects.create(code="new-subject", name="新的诉求分类", order=99)
    assert "新的诉求分类" not in client.get(url).content.decode()  # kept
    clock[0] += centre.SUBJECTS_SECONDS + 1
    page = client.get(url).content.decode()
    assert "新的诉求分类" in page
    assert '<option value="closed" selected>' not in page  # per value: nothing selected here
    centre._CONTROLS.clear()


# The filter row as ticket_list.html wrote it in its own loop (before _filters.html).
FILTERS_REFERENCE = """{% for field, control in filters %}
  <div class="col-sm-6 col-md-3 col-lg-{% if field.name == 'q' %}3{% else %}2{% endif %}">
    <label class="form-label mb-0" for="{{ field.id_for_label }}">{{ field.label }}</label>
    {{ control }}
    {% for error in field.errors %}<div class="text-danger small" role="alert">{{ error }}</div>{% endfor %}
  </div>
  {% endfor %}"""


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_kept_filter_row_is_the_loop_s(language):
    from django.template import engines
    from django.utils import translation

    from tongzheng.hotline.views import centre
    from tongzheng.hotline.views.centre_forms import TicketFilterForm

    reference = engines["django"].from_string(FILTERS_REFERENCE)
    with translation.override(language):
        for data in ({}, {"status": "closed"}, {"q": '<路灯> "x"', "clock": "red"}, {}):
            form = TicketFilterForm(data)
            assert form.is_valid()
            expected = reference.render({"filters": centre._filter_controls(form)})
            assert centre._filters(form) == expected
