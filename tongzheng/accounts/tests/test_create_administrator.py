from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tongzheng.accounts.models import User
from tongzheng.audit.models import AuditEvent
from tongzheng.core.tests.factories import OrganisationFactory


@pytest.mark.django_db
def test_creates_an_administrator_with_a_temporary_password():
    organisation = OrganisationFactory()
    out = StringIO()
    call_command(
        "create_administrator",
        "--role=security_admin",
        "--username=anquan",
        "--full-name=安全管理员甲",
        f"--organisation={organisation.pk}",
        stdout=out,
    )
    password = out.getvalue().split("temporary password: ")[1].split()[0]
    user = User.objects.get(username="anquan")
    assert user.check_password(password)
    assert user.must_change_password
    assert list(user.roles.values_list("code", flat=True)) == ["security_admin"]
    assert AuditEvent.objects.filter(action="permission.changed", object_id=str(user.pk)).exists()


@pytest.mark.django_db
def test_refuses_working_roles_and_unknown_organisations():
    organisation = OrganisationFactory()
    with pytest.raises(CommandError):
        call_command(
            "create_administrator",
            "--role=system_admin",
            "--username=x",
            "--full-name=x",
            "--organisation=999999",
        )
    with pytest.raises(CommandError):
        call_command(
            "create_administrator",
            "--role=staffing_clerk",
            "--username=x",
            "--full-name=x",
            f"--organisation={organisation.pk}",
        )
    assert not User.objects.filter(username="x").exists()
