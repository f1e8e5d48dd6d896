"""Two simultaneous retries with one Idempotency-Key act once (PostgreSQL).

The second request's insert of the key waits on the unique index until the first commits,
then replays its answer. SQLite's in-memory test database cannot be shared by threads.
"""

import json
import threading

import pytest
from django.db import connection, connections

from tongzheng.accounts.tests.factories import RoleFactory, UserFactory, confirmed_totp_device
from tongzheng.core.access import DataScope
from tongzheng.core.models import Organisation
from tongzheng.tests_matrix.cast import build_cast, logged_in_client

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_simultaneous_retries_create_one_organisation(settings):
    cast = build_cast()
    role = RoleFactory(
        code="race_manager", permissions=["core.manage_organisation"], scope=DataScope.ALL
    )
    user = UserFactory(username="race_manager", organisation=cast.org_admin, roles=[role])
    device = confirmed_totp_device(user)
    clients = [logged_in_client(user, device) for _ in range(2)]
    body = json.dumps(
        {
            "name": "成都市并发测试局",
            "kind": "party_government",
            "category": "government",
            "subordination": "40",
            "division_code": cast.city.code,
        }
    )
    barrier, statuses, errors = threading.Barrier(2, timeout=30), [], []

    def send(client):
        try:
            barrier.wait()
            response = client.post(
                "/api/core/organisations",
                body,
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY="race-1",
            )
            statuses.append(response.status_code)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert statuses == [201, 201]
    assert Organisation.objects.filter(name="成都市并发测试局").count() == 1
