import factory
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongzheng.accounts.models import AccountKind, Role, User
from tongzheng.core.access import DataScope
from tongzheng.core.tests.factories import OrganisationFactory

PASSWORD = "Tongzheng#2026"


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"role-{n}")
    name = factory.Sequence(lambda n: f"角色{n}")
    permissions = factory.LazyFunction(list)
    scope = DataScope.OWN_ORGANISATION


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    kind = AccountKind.STAFF
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.roles.set(extracted)


class CitizenFactory(UserFactory):
    kind = AccountKind.CITIZEN
    organisation = None


def confirmed_totp_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="default", confirmed=True)


def totp_token(device: TOTPDevice) -> str:
    """The token an authenticator shows now for ``device``."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def verified_login(client, user) -> None:
    """Log ``client`` in as ``user`` with the second factor already verified (staff).

    ``client.force_login`` alone leaves a staff user owing the TOTP step, so every
    workbench page would redirect to accounts:otp_verify.
    """
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(user)
    if user.kind == AccountKind.STAFF:
        device = TOTPDevice.objects.filter(
            user=user, confirmed=True
        ).first() or confirmed_totp_device(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def builtin_role(code: str) -> Role:
    """A built-in role (created by the post_migrate hook; ensured here for flushed databases)."""
    from tongzheng.accounts.roles import ensure_builtin_roles

    role = Role.objects.filter(code=code).first()
    if role is None:
        ensure_builtin_roles()
        role = Role.objects.get(code=code)
    return role
