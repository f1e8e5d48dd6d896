"""``tongzheng audit verify|purge`` and the audit-aware ``flush``."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tongzheng.audit import guard
from tongzheng.audit.actions import PURGE_ACTION, VERIFY_ACTION
from tongzheng.audit.models import AuditEvent, Retention
from tongzheng.audit.tests.conftest import make_events, raw


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_verify_succeeds_with_a_count_and_records_itself():
    events = make_events(12)
    out, err = run("verify", "--chunk-size", "5")
    assert "12" in out and str(events[0].id) in out and str(events[-1].id) in out
    assert err == ""
    record = AuditEvent.objects.order_by("-id").first()
    assert record.action == VERIFY_ACTION
    assert record.outcome == "success"
    assert record.actor_name.startswith("console")
    assert record.detail["count"] == 12


@pytest.mark.django_db
def test_verify_reports_the_first_broken_link_and_fails(bypass):
    events = make_events(8)
    with bypass():
        raw("UPDATE audit_auditevent SET object_repr = 'x' WHERE id = %s", [events[5].id])
        raw("UPDATE audit_auditevent SET object_repr = 'y' WHERE id = %s", [events[6].id])
    err = StringIO()
    with pytest.raises(CommandError, match=f"第 {events[5].id} 号") as raised:
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    assert raised.value.returncode == 1
    assert f"第 {events[5].id} 号记录处断开" in err.getvalue()
    assert "digest" in err.getvalue()
    assert "5 条记录校验通过" in err.getvalue()
    record = AuditEvent.objects.order_by("-id").first()
    assert (record.action, record.outcome) == (VERIFY_ACTION, "failure")
    assert record.detail["broken"]["id"] == events[5].id


@pytest.mark.django_db
def test_verify_reports_a_gap(bypass):
    events = make_events(5)
    with bypass():
        raw("DELETE FROM audit_auditevent WHERE id = %s", [events[2].id])
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--no-record", stdout=StringIO(), stderr=err)
    assert f"第 {events[3].id} 号" in err.getvalue() and "gap" in err.getvalue()
    assert not AuditEvent.objects.filter(action=VERIFY_ACTION).exists()


@pytest.mark.django_db
def test_verify_fails_when_the_guard_is_lifted(bypass):
    make_events(2)
    with bypass(), pytest.raises(CommandError):
        run("verify", "--no-record")


@pytest.mark.django_db
def test_verify_rejects_a_bad_chunk_size():
    with pytest.raises(CommandError, match="chunk-size"):
        run("verify", "--chunk-size", "0")


@pytest.mark.django_db
def test_purge_command_removes_old_events_and_reports(settings):
    make_events(3, days_ago=300)
    make_events(2)
    out, _err = run("purge")
    assert "已删除 3 条" in out
    assert AuditEvent.objects.count() == 3
    assert AuditEvent.objects.order_by("-id").first().action == PURGE_ACTION
    run("verify")  # raises on failure


@pytest.mark.django_db
def test_purge_warns_when_the_stored_retention_is_longer(settings):
    Retention.objects.filter(id=1).update(days=300)
    settings.AUDIT_RETENTION_DAYS = 200
    _out, err = run("purge")
    assert "300" in err


@pytest.mark.django_db(transaction=True)
def test_flush_lifts_and_restores_the_guard_outside_production():
    make_events(3)
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
    assert guard.missing(connection) == []
    assert Retention.objects.filter(id=1).exists()
    make_events(1)  # the teardown flush must cope with a non-empty trail as well


@pytest.mark.django_db
def test_flush_is_refused_in_production(settings):
    settings.PRODUCTION = True
    make_events(1)
    with pytest.raises(CommandError, match="审计日志只可追加"):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 1
