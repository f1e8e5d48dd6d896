import pytest
from django.core.management import CommandError, call_command

from tongzheng.api.models import ApiToken
from tongzheng.audit.models import AuditEvent
from tongzheng.tests_matrix.cast import build_cast


@pytest.fixture
def cast(db, settings):
    return build_cast()


def test_issue_prints_the_secret_once_and_revoke_stops_it(cast, capsys):
    call_command(
        "api_token", "issue", "--actor", "matrix_system_admin", "--user", "matrix_staff_same_org",
        "--name", "人事系统",
    )  # fmt: skip
    token_id, secret = capsys.readouterr().out.strip().split("\t")
    token = ApiToken.objects.get(pk=token_id)
    assert secret.startswith("tz_") and secret not in token.token_hash
    client = cast.client("anonymous")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/api/core/me", **auth).status_code == 200
    call_command("api_token", "revoke", "--actor", "matrix_system_admin", token_id)
    assert client.get("/api/core/me", **auth).status_code == 401
    call_command("api_token", "list")
    assert secret not in capsys.readouterr().out
    assert AuditEvent.objects.filter(action__startswith="api.").count() == 2


def test_only_a_permitted_actor_may_issue(cast):
    with pytest.raises(CommandError, match="权限"):
        call_command(
            "api_token", "issue", "--actor", "matrix_audit_admin", "--user", "matrix_citizen",
            "--name", "x",
        )  # fmt: skip
    assert not ApiToken.objects.exists()


def test_tokens_are_only_for_staff_accounts(cast):
    with pytest.raises(CommandError, match="工作人员"):
        call_command(
            "api_token", "issue", "--actor", "matrix_system_admin", "--user", "matrix_citizen",
            "--name", "x",
        )  # fmt: skip
    assert not ApiToken.objects.exists()


def test_a_token_may_fetch_the_schema(cast):
    from tongzheng.api.actions import issue_api_token

    _token, secret = issue_api_token(
        actor=cast.system_admin, user=cast.staff_same_org, name="schema"
    )
    client = cast.client("anonymous")
    assert client.get("/api/openapi.json").status_code == 401
    response = client.get("/api/openapi.json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert "/api/core/organisations" in response.json()["paths"]
    assert client.get("/api/docs").status_code == 302  # the HTML keeps the login redirect
