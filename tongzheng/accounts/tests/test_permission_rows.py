"""Walk this app's permission rows with the seven personas (the coordinator's test does
the same for every app; this one keeps the rows honest while the app changes)."""

import pytest
from django.test import Client
from django.urls import reverse

from tongzheng.accounts.tests.factories import (
    CitizenFactory,
    UserFactory,
    builtin_role,
    verified_login,
)
from tongzheng.accounts.tests.permission_rows import PERSONAS, ROWS
from tongzheng.core.tests.factories import OrganisationFactory


@pytest.fixture
def personas(db):
    home, elsewhere = OrganisationFactory(), OrganisationFactory()
    clerk = builtin_role("staffing_clerk")
    return {
        "anonymous": None,
        "citizen": CitizenFactory(),
        "staff_other_org": UserFactory(organisation=elsewhere, roles=[clerk]),
        "staff_same_org": UserFactory(organisation=home, roles=[clerk]),
        "system_admin": UserFactory(organisation=home, roles=[builtin_role("system_admin")]),
        "security_admin": UserFactory(organisation=home, roles=[builtin_role("security_admin")]),
        "audit_admin": UserFactory(organisation=home, roles=[builtin_role("audit_admin")]),
    }


def test_every_route_has_a_row():
    from tongzheng.accounts.urls import urlpatterns

    assert {f"accounts:{p.name}" for p in urlpatterns} == {row["name"] for row in ROWS}


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r['method']} {r['name']}")
def test_row(row, personas):
    assert set(row["expect"]) == set(PERSONAS)
    url = reverse(row["name"], kwargs=row["kwargs"])
    got = {}
    for persona, user in personas.items():
        client = Client()
        if user is not None:
            verified_login(client, user)
        got[persona] = getattr(client, row["method"])(url).status_code
    assert got == row["expect"]
