from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongzheng.accounts.tests.factories import RoleFactory, UserFactory
from tongzheng.audit import guard
from tongzheng.audit.actions import record_event
from tongzheng.audit.models import AuditEvent
from tongzheng.core.access import DataScope

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only (run with DATABASE_URL=postgres://...)",
)


def sign_in(client, user):
    """Sign in with a verified second factor (staff pages require it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or (
        TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def make_events(n: int, *, days_ago: float = 0, **fields) -> list[AuditEvent]:
    """Append ``n`` events, stamped ``days_ago`` days in the past."""
    at = timezone.now() - timedelta(days=days_ago)
    events = []
    with mock.patch("tongzheng.audit.actions.timezone.now", return_value=at):
        for i in range(n):
            events.append(
                record_event(
                    actor=None,
                    actor_name=fields.get("actor_name", f"测试{i}"),
                    action=fields.get("action", "test.event"),
                    outcome=fields.get("outcome", "success"),
                    detail={"i": i, **fields.get("detail", {})},
                )
            )
            at += timedelta(microseconds=1)
    return events


def raw(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@pytest.fixture
def bypass():
    """Tamper as a database owner would: the guard lifted, the change made, the guard back."""
    return lambda: guard.suspended(connection)


@pytest.fixture
def audit_admin(db):
    role = RoleFactory(code="audit-admin", permissions=["audit.view_event"], scope=DataScope.ALL)
    return UserFactory(username="auditor", roles=[role])


@pytest.fixture
def auditor_client(client, audit_admin):
    return sign_in(client, audit_admin)
