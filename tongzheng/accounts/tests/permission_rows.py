"""Route-permission rows for the accounts app (read by the coordinator's matrix test).

Assumptions the expectations rest on (they hold for ``tongzheng.tests_matrix.cast``):
- signed-in staff personas have a confirmed TOTP device and have passed the second factor,
  and their passwords are not expired;
- the three administrators hold the built-in roles (data scope ALL);
- object routes name a cast member ("staff_same_org.pk", "working_role.pk"), or a primary
  key that does not exist (MISSING): a caller with the permission gets 404 there, everyone
  else 403 — the permission is checked before the lookup.
There is no row for POST logout: it would end the shared client's session cookie.
"""

MISSING = {"pk": 999_999_999}
SUBJECT = {"pk": "staff_same_org.pk"}
PERSONAS = (
    "anonymous",
    "citizen",
    "staff_other_org",
    "staff_same_org",
    "system_admin",
    "security_admin",
    "audit_admin",
)


def _only(persona: str, status: int = 200) -> dict:
    """A staff page for one administrator: 302 to login for anonymous, 403 for the rest."""
    expect = dict.fromkeys(PERSONAS, 403)
    expect["anonymous"] = 302
    expect[persona] = status
    return expect


def _everyone(status: int, anonymous: int | None = None, citizen: int | None = None) -> dict:
    expect = dict.fromkeys(PERSONAS, status)
    if anonymous is not None:
        expect["anonymous"] = anonymous
    if citizen is not None:
        expect["citizen"] = citizen
    return expect


ROWS = [
    # Login steps and own account.
    {"name": "accounts:login", "kwargs": {}, "method": "get", "expect": _everyone(200)},
    {"name": "accounts:register", "kwargs": {}, "method": "get", "expect": _everyone(200)},
    {"name": "accounts:logout", "kwargs": {}, "method": "get", "expect": _everyone(405)},
    # Verified staff are sent on (302); citizens owe no second factor (403).
    {
        "name": "accounts:otp_verify",
        "kwargs": {},
        "method": "get",
        "expect": _everyone(302, citizen=403),
    },
    {
        "name": "accounts:otp_setup",
        "kwargs": {},
        "method": "get",
        "expect": _everyone(302, citizen=403),
    },
    {
        "name": "accounts:password_change",
        "kwargs": {},
        "method": "get",
        "expect": _everyone(200, anonymous=302),
    },
    # 系统管理员
    {"name": "accounts:user_list", "kwargs": {}, "method": "get", "expect": _only("system_admin")},
    {
        "name": "accounts:user_create",
        "kwargs": {},
        "method": "get",
        "expect": _only("system_admin"),
    },
    {
        "name": "accounts:user_detail",
        "kwargs": SUBJECT,
        "method": "get",
        "expect": _only("system_admin", 200),
    },
    {
        "name": "accounts:user_detail",
        "kwargs": MISSING,
        "method": "get",
        "expect": _only("system_admin", 404),
    },
    {
        "name": "accounts:user_disable",
        "kwargs": SUBJECT,
        "method": "post",
        "data": {"reason": "权限矩阵测试"},
        "expect": _only("system_admin", 302),
    },
    {
        "name": "accounts:user_disable",
        "kwargs": SUBJECT,
        "method": "post",
        "expect": _only("system_admin", 400),  # no reason given
    },
    {
        "name": "accounts:user_disable",
        "kwargs": MISSING,
        "method": "post",
        "data": {"reason": "权限矩阵测试"},
        "expect": _only("system_admin", 404),
    },
    {
        "name": "accounts:user_enable",
        "kwargs": SUBJECT,
        "method": "post",
        "expect": _only("system_admin", 302),
    },
    {
        "name": "accounts:user_password_reset",
        "kwargs": SUBJECT,
        "method": "post",
        "expect": _only("system_admin", 200),
    },
    {
        "name": "accounts:user_otp_reset",
        "kwargs": SUBJECT,
        "method": "post",
        "expect": _only("system_admin", 302),
    },
    # 安全管理员
    {
        "name": "accounts:role_list",
        "kwargs": {},
        "method": "get",
        "expect": _only("security_admin"),
    },
    {
        "name": "accounts:role_create",
        "kwargs": {},
        "method": "get",
        "expect": _only("security_admin"),
    },
    {
        "name": "accounts:role_edit",
        "kwargs": {"pk": "working_role.pk"},
        "method": "get",
        "expect": _only("security_admin", 200),
    },
    {
        "name": "accounts:role_edit",
        "kwargs": MISSING,
        "method": "get",
        "expect": _only("security_admin", 404),
    },
    {
        "name": "accounts:assignment_list",
        "kwargs": {},
        "method": "get",
        "expect": _only("security_admin"),
    },
    {
        "name": "accounts:role_assign",
        "kwargs": SUBJECT,
        "method": "get",
        "expect": _only("security_admin", 200),
    },
    {
        "name": "accounts:role_assign",
        "kwargs": MISSING,
        "method": "get",
        "expect": _only("security_admin", 404),
    },
    {
        "name": "accounts:security_policy",
        "kwargs": {},
        "method": "get",
        "expect": _only("security_admin"),
    },
]
