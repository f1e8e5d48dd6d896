"""The workbench calendar page and the override actions behind it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tongzheng.accounts.tests.factories import CitizenFactory, RoleFactory, UserFactory
from tongzheng.audit.models import AuditEvent
from tongzheng.core import calendar
from tongzheng.core.actions import add_calendar_override, remove_calendar_override
from tongzheng.core.models import CalendarOverride
from tongzheng.testing.clients import login_verified

D = datetime.date

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    calendar.clear_cache()
    yield
    calendar.clear_cache()


@pytest.fixture
def admin():
    role = RoleFactory(code="calendar-admin", permissions=["core.manage_calendar"])
    return UserFactory(roles=[role])


@pytest.fixture
def admin_client(client, admin):
    return login_verified(client, admin)


# ---- actions ---------------------------------------------------------------------------


def test_add_override_is_audited_and_takes_effect(admin):
    assert not calendar.is_working_day(D(2031, 1, 4))
    override = add_calendar_override(
        actor=admin, date=D(2031, 1, 4), is_working_day=True, reason="国办发明电〔2030〕1号"
    )
    assert calendar.is_working_day(D(2031, 1, 4))
    event = AuditEvent.objects.get(action="calendar.override_added")
    assert event.object_id == str(override.pk)
    assert event.detail["reason"] == "国办发明电〔2030〕1号"
    assert override.created_by == admin


def test_add_override_needs_permission_and_reason(admin):
    clerk = UserFactory()
    with pytest.raises(PermissionDenied):
        add_calendar_override(actor=clerk, date=D(2031, 1, 4), is_working_day=True, reason="x")
    with pytest.raises(ValidationError):
        add_calendar_override(actor=admin, date=D(2031, 1, 4), is_working_day=True, reason=" ")
    assert not CalendarOverride.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="calendar.").exists()


def test_duplicate_date_is_refused(admin):
    add_calendar_override(actor=admin, date=D(2031, 1, 4), is_working_day=True, reason="调休")
    with pytest.raises(ValidationError):
        add_calendar_override(actor=admin, date=D(2031, 1, 4), is_working_day=False, reason="再次")
    assert CalendarOverride.objects.get().is_working_day


def test_remove_override_is_audited(admin):
    override = add_calendar_override(
        actor=admin, date=D(2026, 10, 5), is_working_day=True, reason="测试"
    )
    assert calendar.is_working_day(D(2026, 10, 5))
    remove_calendar_override(actor=admin, override=override)
    assert not calendar.is_working_day(D(2026, 10, 5))
    assert AuditEvent.objects.filter(action="calendar.override_removed").count() == 1


# ---- pages -----------------------------------------------------------------------------


def test_calendar_page_lists_a_years_overrides_and_package_holidays(admin, admin_client):
    CalendarOverride.objects.create(date=D(2026, 10, 9), is_working_day=False, reason="本地调整")
    CalendarOverride.objects.create(date=D(2027, 1, 1), is_working_day=False, reason="元旦")
    response = admin_client.get(reverse("core:calendar"), {"year": 2026})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026年工作日历" in html
    assert "本地调整" in html and "元旦" not in html.split("数据包中的节假日和调休")[0]
    assert "2026-10-10" in html  # the package's worked Saturday, listed for reference
    assert 'for="id_reason"' in html


def test_unknown_year_page_says_monday_to_friday(admin_client):
    response = admin_client.get(reverse("core:calendar"), {"year": 2031})
    assert response.status_code == 200
    assert "周一至周五" in response.content.decode()


def test_bad_year_is_400(admin_client):
    assert admin_client.get(reverse("core:calendar"), {"year": "abc"}).status_code == 400
    assert admin_client.get(reverse("core:calendar"), {"year": "99999"}).status_code == 400


def test_add_through_the_page(admin_client):
    response = admin_client.post(
        reverse("core:calendar_add"),
        {"date": "2031-01-01", "is_working_day": "0", "reason": "国务院办公厅通知"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?year=2031")
    assert not CalendarOverride.objects.get(date=D(2031, 1, 1)).is_working_day
    assert not calendar.is_working_day(D(2031, 1, 1))


def test_add_with_bad_input_is_400_and_changes_nothing(admin_client):
    response = admin_client.post(
        reverse("core:calendar_add"), {"date": "2031-02-30", "is_working_day": "0", "reason": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "请输入有效的日期" in html and "请填写调整依据" in html
    assert not CalendarOverride.objects.exists()


def test_duplicate_through_the_page_is_400(admin_client):
    CalendarOverride.objects.create(date=D(2031, 1, 1), is_working_day=False, reason="元旦")
    response = admin_client.post(
        reverse("core:calendar_add"),
        {"date": "2031-01-01", "is_working_day": "1", "reason": "重复"},
    )
    assert response.status_code == 400
    assert "已有调整记录" in response.content.decode()
    assert CalendarOverride.objects.count() == 1


def test_remove_through_the_page(admin_client):
    override = CalendarOverride.objects.create(
        date=D(2031, 1, 1), is_working_day=False, reason="元旦"
    )
    url = reverse("core:calendar_remove", kwargs={"pk": override.pk})
    assert admin_client.get(url).status_code == 405
    response = admin_client.post(url)
    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    missing = reverse("core:calendar_remove", kwargs={"pk": override.pk})
    assert admin_client.post(missing).status_code == 404


def test_staff_without_permission_get_403(client):
    login_verified(client, UserFactory())
    assert client.get(reverse("core:calendar")).status_code == 403
    response = client.post(
        reverse("core:calendar_add"), {"date": "2031-01-01", "is_working_day": "0", "reason": "x"}
    )
    assert response.status_code == 403
    assert not CalendarOverride.objects.exists()


def test_citizens_get_403_and_anonymous_visitors_the_login(client):
    assert client.get(reverse("core:calendar")).status_code == 302
    client.force_login(CitizenFactory())
    assert client.get(reverse("core:calendar")).status_code == 403
