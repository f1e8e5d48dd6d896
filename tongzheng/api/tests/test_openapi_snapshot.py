"""The served OpenAPI schema equals the committed snapshot, so API changes are deliberate.

After an intended change: UPDATE_SNAPSHOTS=1 TONGZHENG_MODE=test .venv/bin/pytest tongzheng/api
and commit tongzheng/api/openapi_snapshot.json.
"""

import json
import os
from pathlib import Path

from tongzheng.accounts.tests.factories import UserFactory, confirmed_totp_device
from tongzheng.tests_matrix.cast import logged_in_client

SNAPSHOT = Path(__file__).resolve().parent.parent / "openapi_snapshot.json"


def _render(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def test_openapi_schema_matches_the_snapshot(db, settings):
    user = UserFactory(username="schema_reader")
    response = logged_in_client(user, confirmed_totp_device(user)).get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(_render(schema), encoding="utf-8")
    assert SNAPSHOT.exists(), "No snapshot yet: run the tests once with UPDATE_SNAPSHOTS=1"
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    changed = sorted(
        set(committed["paths"]).symmetric_difference(schema["paths"])
        | {p for p in committed["paths"] if committed["paths"][p] != schema["paths"].get(p)}
    )
    assert schema == committed, (
        "The API schema changed (paths: "
        + (", ".join(changed) or "components or info only")
        + "). If intended, regenerate with UPDATE_SNAPSHOTS=1 and commit openapi_snapshot.json."
    )
