"""Helpers that sign a Django test client in as a given user."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def login_verified(client, user):
    """Sign ``client`` in as ``user`` with a confirmed TOTP device already verified.

    Staff must pass the second factor before the workbench opens; this sets the same
    session key that ``django_otp.login`` sets after a correct token.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
