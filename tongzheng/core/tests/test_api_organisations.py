"""/api/core/: authentication, data scope, creation (validated, audited, idempotent), edits."""

import json

import pytest

from tongzheng.accounts.tests.factories import RoleFactory, UserFactory, confirmed_totp_device
from tongzheng.api.actions import issue_api_token, revoke_api_token
from tongzheng.audit.models import AuditEvent
from tongzheng.core.access import DataScope
from tongzheng.core.models import Organisation
from tongzheng.core.tests.factories import OrganisationFactory
from tongzheng.tests_matrix.cast import build_cast, logged_in_client

ORGANISATIONS = "/api/core/organisations"
VALID_USCC = "11510100MB1234567M"  # 机构编制 (1), 机关 (1), 成都 510100


def valid_uscc() -> str:
    from stdnum.cn import uscc

    body = VALID_USCC[:17]
    return body + uscc.calc_check_digit(body)


@pytest.fixture
def cast(db):
    return build_cast()


@pytest.fixture
def manager(cast):
    """A staff user of org_admin who manages organisations of the whole city."""
    role = RoleFactory(
        code="org_manager",
        permissions=["core.view_organisation", "core.manage_organisation"],
        scope=DataScope.DIVISION_AND_BELOW,
    )
    user = UserFactory(username="manager", organisation=cast.org_admin, roles=[role])
    return logged_in_client(user, confirmed_totp_device(user)), user


def post(client, data, **headers):
    return client.post(ORGANISATIONS, json.dumps(data), content_type="application/json", **headers)


def new_organisation(cast, **overrides):
    data = {
        "name": "成都市数据局",
        "kind": "party_government",
        "category": "government",
        "subordination": "40",
        "rank": "zc",
        "uscc": valid_uscc(),
        "division_code": cast.city.code,
    }
    return {**data, **overrides}


def test_anonymous_gets_401_in_chinese(cast):
    response = cast.client("anonymous").get(ORGANISATIONS)
    assert response.status_code == 401
    assert "登录" in response.json()["detail"]


def test_citizen_gets_403(cast):
    assert cast.client("citizen").get(ORGANISATIONS).status_code == 403


def test_staff_session_without_second_factor_gets_401(cast):
    client = logged_in_client(cast.staff_same_org)  # no OTP device verified
    response = client.get(ORGANISATIONS)
    assert response.status_code == 401
    assert "双因素" in response.json()["detail"]


def test_staff_of_org_b_cannot_see_org_a(cast):
    client = cast.client("staff_other_org")
    assert client.get(f"{ORGANISATIONS}/{cast.org_a.pk}").status_code == 404
    listed = client.get(ORGANISATIONS).json()
    assert [item["id"] for item in listed["items"]] == [cast.org_b.pk]


def test_staff_of_org_a_sees_org_a(cast):
    response = cast.client("staff_same_org").get(f"{ORGANISATIONS}/{cast.org_a.pk}")
    assert response.status_code == 200
    assert response.json()["name"] == cast.org_a.name
    assert response.json()["division_code"] == cast.city.code


def test_list_filters_by_division_subtree_kind_and_name(cast, manager):
    client, _user = manager
    elsewhere = OrganisationFactory(name="重庆市某局", division__code="500100")
    everything = client.get(ORGANISATIONS).json()
    assert everything["count"] == 4  # the city's four; Chongqing is outside the scope
    assert elsewhere.pk not in [item["id"] for item in everything["items"]]
    by_province = client.get(ORGANISATIONS, {"division": cast.province.code}).json()
    assert by_province["count"] == 4
    internal = client.get(ORGANISATIONS, {"kind": "internal_department"}).json()
    assert [item["id"] for item in internal["items"]] == [cast.org_a_child.pk]
    by_name = client.get(ORGANISATIONS, {"q": "财政"}).json()
    assert [item["id"] for item in by_name["items"]] == [cast.org_b.pk]
    unknown = client.get(ORGANISATIONS, {"division": "999999"}).json()
    assert unknown["count"] == 0


def test_list_is_paginated(cast, manager):
    client, _user = manager
    page = client.get(ORGANISATIONS, {"page": 1, "page_size": 2}).json()
    assert page["count"] == 4
    assert len(page["items"]) == 2


def test_create_writes_the_organisation_and_an_audit_event(cast, manager):
    client, user = manager
    response = post(client, new_organisation(cast))
    assert response.status_code == 201, response.content
    created = Organisation.objects.get(pk=response.json()["id"])
    assert created.uscc == valid_uscc()
    event = AuditEvent.objects.get(action="core.organisation_created")
    assert event.actor_id == user.pk
    assert event.object_id == str(created.pk)


def test_bad_uscc_is_refused_in_chinese_and_nothing_is_written(cast, manager):
    client, _user = manager
    organisations, events = Organisation.objects.count(), AuditEvent.objects.count()
    response = post(client, new_organisation(cast, uscc="11510100MB1234567X"))
    assert response.status_code == 422
    body = response.json()
    assert "统一社会信用代码" in body["detail"]
    assert "uscc" in body["errors"]
    assert Organisation.objects.count() == organisations
    assert AuditEvent.objects.count() == events


def test_duplicate_uscc_is_a_conflict(cast, manager):
    client, _user = manager
    assert post(client, new_organisation(cast)).status_code == 201
    response = post(client, new_organisation(cast, name="另一个机构"))
    assert response.status_code == 409
    assert "统一社会信用代码" in response.json()["detail"]


def test_missing_fields_get_422_naming_them(cast, manager):
    client, _user = manager
    response = post(client, {})
    assert response.status_code == 422
    assert "name" in response.json()["errors"]
    assert "字段" in response.json()["detail"]


def test_unknown_division_and_internal_department_without_parent_are_422(cast, manager):
    client, _user = manager
    response = post(client, new_organisation(cast, division_code="999999"))
    assert response.status_code == 422
    assert "行政区划" in response.json()["detail"]
    response = post(client, new_organisation(cast, kind="internal_department", uscc=None))
    assert response.status_code == 422
    assert "上级机构" in response.json()["detail"]


def test_malformed_json_is_400_in_chinese(cast, manager):
    client, _user = manager
    response = client.post(ORGANISATIONS, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_creating_outside_the_scope_is_refused(cast):
    role = RoleFactory(
        code="own_org_manager",
        permissions=["core.view_organisation", "core.manage_organisation"],
        scope=DataScope.OWN_ORGANISATION,
    )
    user = UserFactory(username="own_manager", organisation=cast.org_b, roles=[role])
    client = logged_in_client(user, confirmed_totp_device(user))
    # A top-level organisation is outside "own organisation".
    assert post(client, new_organisation(cast)).status_code == 403
    # Under org A: org A is not visible to a manager of org B.
    response = post(client, new_organisation(cast, parent_id=cast.org_a.pk, uscc=None))
    assert response.status_code == 422
    # Under their own organisation: allowed.
    response = post(
        client,
        new_organisation(cast, parent_id=cast.org_b.pk, kind="internal_department", uscc=None),
    )
    assert response.status_code == 201
    assert Organisation.objects.get(pk=response.json()["id"]).parent == cast.org_b


def test_without_the_manage_permission_post_is_403_before_the_body_is_read(cast):
    response = post(cast.client("staff_same_org"), {})
    assert response.status_code == 403
    assert "权限" in response.json()["detail"]


def test_idempotent_post_creates_once_and_replays_the_answer(cast, manager):
    client, _user = manager
    data = new_organisation(cast)
    first = post(client, data, HTTP_IDEMPOTENCY_KEY="key-1")
    second = post(client, data, HTTP_IDEMPOTENCY_KEY="key-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Organisation.objects.filter(name=data["name"]).count() == 1
    assert AuditEvent.objects.filter(action="core.organisation_created").count() == 1


def test_idempotency_key_reused_with_another_body_is_refused(cast, manager):
    client, _user = manager
    assert post(client, new_organisation(cast), HTTP_IDEMPOTENCY_KEY="key-2").status_code == 201
    response = post(client, new_organisation(cast, name="别的"), HTTP_IDEMPOTENCY_KEY="key-2")
    assert response.status_code == 422
    assert "幂等键" in response.json()["detail"]
    assert not Organisation.objects.filter(name="别的").exists()


def test_a_rejected_request_does_not_burn_its_idempotency_key(cast, manager):
    client, _user = manager
    bad = post(client, new_organisation(cast, uscc="bad"), HTTP_IDEMPOTENCY_KEY="key-3")
    assert bad.status_code == 422
    good = post(client, new_organisation(cast), HTTP_IDEMPOTENCY_KEY="key-3")
    assert good.status_code == 201


def test_idempotency_keys_belong_to_their_user(cast, manager):
    client, _user = manager
    data = new_organisation(cast, uscc=None)
    assert post(client, data, HTTP_IDEMPOTENCY_KEY="shared").status_code == 201
    role = RoleFactory(
        code="second_manager",
        permissions=["core.manage_organisation"],
        scope=DataScope.ALL,
    )
    other = UserFactory(username="other_manager", organisation=cast.org_admin, roles=[role])
    other_client = logged_in_client(other, confirmed_totp_device(other))
    response = post(other_client, data, HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Organisation.objects.filter(name=data["name"]).count() == 2


def test_patch_changes_fields_and_is_audited(cast, manager):
    client, _user = manager
    url = f"{ORGANISATIONS}/{cast.org_b.pk}"
    response = client.patch(url, json.dumps({"short_name": "市财政局"}), "application/json")
    assert response.status_code == 200
    cast.org_b.refresh_from_db()
    assert cast.org_b.short_name == "市财政局"
    event = AuditEvent.objects.get(action="core.organisation_updated")
    assert event.detail["changes"] == {"short_name": ["", "市财政局"]}


def test_patch_with_a_bad_uscc_changes_nothing(cast, manager):
    client, _user = manager
    url = f"{ORGANISATIONS}/{cast.org_b.pk}"
    response = client.patch(url, json.dumps({"uscc": "123"}), "application/json")
    assert response.status_code == 422
    cast.org_b.refresh_from_db()
    assert cast.org_b.uscc is None
    assert not AuditEvent.objects.filter(action="core.organisation_updated").exists()


def test_patch_outside_the_scope_is_404(cast):
    role = RoleFactory(
        code="b_manager",
        permissions=["core.view_organisation", "core.manage_organisation"],
        scope=DataScope.OWN_ORGANISATION,
    )
    user = UserFactory(username="b_manager", organisation=cast.org_b, roles=[role])
    client = logged_in_client(user, confirmed_totp_device(user))
    url = f"{ORGANISATIONS}/{cast.org_a.pk}"
    response = client.patch(url, json.dumps({"name": "改名"}), "application/json")
    assert response.status_code == 404


def test_token_auth_works_and_a_revoked_token_fails(cast):
    token, secret = issue_api_token(
        actor=cast.system_admin, user=cast.staff_same_org, name="人事系统"
    )
    assert secret not in token.token_hash
    client = cast.client("anonymous")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    response = client.get(f"{ORGANISATIONS}/{cast.org_a.pk}", **auth)
    assert response.status_code == 200
    # The token acts as its user: org B is out of that user's scope.
    assert client.get(f"{ORGANISATIONS}/{cast.org_b.pk}", **auth).status_code == 404
    token.refresh_from_db()
    assert token.last_used_at is not None
    revoke_api_token(actor=cast.system_admin, token=token)
    assert client.get(f"{ORGANISATIONS}/{cast.org_a.pk}", **auth).status_code == 401
    wrong = {"HTTP_AUTHORIZATION": "Bearer tz_not-a-token"}
    assert client.get(ORGANISATIONS, **wrong).status_code == 401


def test_token_clients_skip_csrf_but_sessions_do_not(cast, manager):
    _client, user = manager
    _token, secret = issue_api_token(actor=cast.system_admin, user=user, name="机构同步")
    strict = logged_in_client(None, enforce_csrf_checks=True)
    response = strict.post(
        ORGANISATIONS,
        json.dumps(new_organisation(cast)),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 201
    session = logged_in_client(user, user.totpdevice_set.get(), enforce_csrf_checks=True)
    response = post(session, new_organisation(cast, name="没有令牌", uscc=None))
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_only_the_system_administrator_issues_tokens(cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        issue_api_token(actor=cast.staff_same_org, user=cast.staff_same_org, name="x")
    _token, _secret = issue_api_token(actor=cast.system_admin, user=cast.staff_same_org, name="y")
    assert AuditEvent.objects.filter(action="api.issue_token").count() == 1


def test_me_describes_the_caller(cast):
    body = cast.client("staff_same_org").get("/api/core/me").json()
    assert body["username"] == cast.staff_same_org.username
    assert body["organisation"]["id"] == cast.org_a.pk
    assert body["permissions"]["core.view_organisation"] == "本机构"
    assert [role["code"] for role in body["roles"]] == ["matrix_working"]


def test_divisions(cast):
    client = cast.client("staff_same_org")
    assert [d["code"] for d in client.get("/api/core/divisions").json()] == ["510000"]
    children = client.get("/api/core/divisions", {"parent": "510000"}).json()
    assert children == [{"code": "510100", "name": "成都市", "level": 2, "parent_code": "510000"}]
    assert client.get("/api/core/divisions", {"parent": "000000"}).status_code == 404
    assert client.get("/api/core/divisions/510100").json()["name"] == "成都市"
    assert client.get("/api/core/divisions/999999").status_code == 404


def test_a_session_with_an_expired_password_is_refused(cast):
    cast.staff_same_org.must_change_password = True
    cast.staff_same_org.save(update_fields=["must_change_password"])
    response = cast.client("staff_same_org").get("/api/core/me")
    assert response.status_code == 403
    assert "密码" in response.json()["detail"]


def test_patch_with_a_null_name_is_422_and_changes_nothing(cast, manager):
    client, _user = manager
    url = f"{ORGANISATIONS}/{cast.org_b.pk}"
    response = client.patch(url, json.dumps({"name": None}), "application/json")
    assert response.status_code == 422
    cast.org_b.refresh_from_db()
    assert cast.org_b.name == "成都市财政局"
