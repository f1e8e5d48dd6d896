import factory
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
