"""Walk this app's permission rows with the shared cast, as the coordinator's matrix test
does for every app; this one keeps the accounts rows honest while the app changes."""

import pytest
from django.db import transaction
from django.urls import reverse

from tongzheng.accounts.tests.permission_rows import PERSONAS, ROWS
from tongzheng.tests_matrix.cast import cast  # noqa: F401 - the shared fixture


def test_every_route_has_a_row():
    from tongzheng.accounts.urls import urlpatterns

    assert {f"accounts:{p.name}" for p in urlpatterns} == {row["name"] for row in ROWS}


@pytest.mark.django_db
def test_rows(cast):  # noqa: F811
    clients = {persona: cast.client(persona) for persona in PERSONAS}
    mismatches = []
    for row in ROWS:
        assert set(row["expect"]) == set(PERSONAS)
        url = reverse(row["name"], kwargs=cast.resolve(row["kwargs"]))
        data = cast.resolve(row.get("data") or {})
        for persona in PERSONAS:
            with transaction.atomic():
                client = clients[persona]
                response = client.get(url) if row["method"] == "get" else client.post(url, data)
                transaction.set_rollback(True)
            if response.status_code != row["expect"][persona]:
                mismatches.append(
                    f"{row['method']} {url} as {persona}: "
                    f"expected {row['expect'][persona]}, got {response.status_code}"
                )
    assert mismatches == []
