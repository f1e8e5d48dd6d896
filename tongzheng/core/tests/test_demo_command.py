"""``tongzheng demo`` on an empty database: generation, --if-empty, refusals."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongzheng.accounts.models import User
from tongzheng.core.models import Organisation
from tongzheng.staffing.models import Person


@pytest.mark.django_db
def test_command_generates_then_if_empty_changes_nothing():
    out = StringIO()
    call_command("demo", "--scale", "test", "--seed", "3", stdout=out)
    assert "otpauth://totp/" in out.getvalue()
    counts = (Organisation.objects.count(), Person.objects.count(), User.objects.count())
    devices = list(TOTPDevice.objects.order_by("id"))
    again = StringIO()
    call_command("demo", "--scale", "test", "--if-empty", stdout=again)
    assert (Organisation.objects.count(), Person.objects.count(), User.objects.count()) == counts
    assert list(TOTPDevice.objects.order_by("id")) == devices
    for device in devices:  # the same logins are printed again
        assert device.config_url in again.getvalue()


@pytest.mark.django_db
def test_a_division_of_the_wrong_level_is_refused_and_nothing_is_written():
    with pytest.raises(CommandError):
        call_command("demo", "--scale", "county", "--division", "510100", stdout=StringIO())
    assert not Organisation.objects.exists()
