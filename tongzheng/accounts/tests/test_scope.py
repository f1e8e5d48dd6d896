import pytest

from tongzheng.accounts.models import User
from tongzheng.accounts.tests.factories import CitizenFactory, RoleFactory, UserFactory
from tongzheng.core.access import DataScope
from tongzheng.core.tests.factories import OrganisationFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (DataScope.OWN_RECORDS, set()),
        (DataScope.OWN_ORGANISATION, {"me", "colleague"}),
        (DataScope.ORGANISATION_AND_BELOW, {"me", "colleague", "department"}),
        (DataScope.DIVISION_AND_BELOW, {"me", "colleague", "department"}),
        (DataScope.ALL, {"me", "colleague", "department", "outsider", "citizen"}),
    ],
)
def test_users_are_scoped_through_their_organisation(scope, expected):
    home = OrganisationFactory()
    department = OrganisationFactory(parent=home, division=home.division)
    me = UserFactory(
        username="me",
        organisation=home,
        roles=[RoleFactory(permissions=["accounts.manage_users"], scope=scope)],
    )
    UserFactory(username="colleague", organisation=home)
    UserFactory(username="department", organisation=department)
    UserFactory(username="outsider", organisation=OrganisationFactory())
    CitizenFactory(username="citizen")
    seen = set(
        User.objects.for_user(me, "accounts.manage_users").values_list("username", flat=True)
    )
    assert seen == expected
