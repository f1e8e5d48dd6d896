"""Demo users: one per built-in role in the organisation where that work is done.

The three administrators (三员) sit in the top division's 人民政府, the staffing clerk in
its 机构编制委员会办公室, the unit HR officer (单位人事干部) in its 教育局, and so on.
Every staff user gets a confirmed TOTP device; the printed logins carry its otpauth://
URI so any authenticator app can be used.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _

DEMO_PASSWORD = "Tongzheng#2026"

# role code -> (username, organisation template key in the top division)
PLACEMENT = {
    "system_admin": ("sysadmin", "government"),
    "security_admin": ("secadmin", "government"),
    "audit_admin": ("auditadmin", "government"),
    "staffing_clerk": ("staffing", "staffing_office"),
    "unit_hr": ("unithr", "education"),
    "service_staff": ("service", "service_centre"),
    "supervisor": ("supervisor", "discipline"),
    "hotline_operator": ("hotline", "hotline"),
    "office_secretary": ("secretary", "government_office"),
    "data_admin": ("dataadmin", "government_services"),
}
# A staffing clerk one level down (city and province scales), to show superior supervision.
LOWER_STAFFING_USERNAME = "staffing2"
DEMO_NAMES = (
    "张卫国",
    "李秀英",
    "王建华",
    "刘芳",
    "陈志强",
    "杨丽",
    "赵敏",
    "黄伟",
    "周静",
    "吴磊",
)


@dataclass(frozen=True)
class Login:
    username: str
    full_name: str
    role: str
    organisation: str
    otpauth_url: str


def username_for(role_code: str) -> str:
    placed = PLACEMENT.get(role_code)
    return placed[0] if placed else role_code.replace("_", "")


def create_demo_users(builder) -> list[Login]:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tongzheng.accounts.models import AccountKind, User
    from tongzheng.accounts.roles import ensure_builtin_roles

    roles = ensure_builtin_roles()
    password = make_password(DEMO_PASSWORD)  # hashed once: PBKDF2 is deliberately slow
    top_code = builder.top.code
    wanted: list[tuple[str, object, int]] = []  # (username, role, organisation id)
    for role in roles:
        username, key = PLACEMENT.get(role.code, (username_for(role.code), "government"))
        organisation = builder.keyed.get((top_code, key)) or builder.keyed[(top_code, "government")]
        wanted.append((username, role, organisation.id))
    lower = [
        d
        for d in builder.divisions
        if d.parent_id == builder.top.pk and (d.code, "staffing_office") in builder.keyed
    ]
    staffing_role = next((r for r in roles if r.code == "staffing_clerk"), None)
    if lower and staffing_role is not None:
        office = builder.keyed[(lower[0].code, "staffing_office")]
        wanted.append((LOWER_STAFFING_USERNAME, staffing_role, office.id))
    users = [
        User(
            username=username,
            full_name=DEMO_NAMES[n % len(DEMO_NAMES)],
            kind=AccountKind.STAFF,
            organisation_id=organisation_id,
            password=password,
        )
        for n, (username, _role, organisation_id) in enumerate(wanted)
    ]
    User.objects.bulk_create(users)
    users = {u.username: u for u in User.objects.filter(username__in=[w[0] for w in wanted])}
    through = User.roles.through
    through.objects.bulk_create(
        [through(user_id=users[username].pk, role_id=role.pk) for username, role, _ in wanted]
    )
    TOTPDevice.objects.bulk_create(
        [
            TOTPDevice(user=users[username], name=str(_("演示令牌")), confirmed=True)
            for username, _role, _org in wanted
        ]
    )
    return demo_logins()


def demo_usernames() -> list[str]:
    """Demo usernames in the order of BUILTIN_ROLES (then any other built-in role)."""
    from tongzheng.accounts.models import Role
    from tongzheng.accounts.roles import BUILTIN_ROLES

    codes = [definition.code for definition in BUILTIN_ROLES]
    codes += [
        code
        for code in Role.objects.filter(is_builtin=True).values_list("code", flat=True)
        if code not in codes
    ]
    return [username_for(code) for code in codes] + [LOWER_STAFFING_USERNAME]


def demo_logins() -> list[Login]:
    """The demo users that exist now, with their roles and TOTP URIs."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tongzheng.accounts.models import User

    usernames = demo_usernames()
    users = (
        User.objects.filter(username__in=usernames)
        .select_related("organisation")
        .prefetch_related("roles")
    )
    devices = {
        d.user_id: d
        for d in TOTPDevice.objects.filter(user__username__in=usernames, confirmed=True).order_by(
            "id"
        )
    }
    order = {name: n for n, name in enumerate(usernames)}
    logins = [
        Login(
            username=user.username,
            full_name=user.full_name,
            role="、".join(r.name for r in user.roles.all()),
            organisation=user.organisation.name if user.organisation else "",
            otpauth_url=devices[user.pk].config_url if user.pk in devices else "",
        )
        for user in users
    ]
    return sorted(logins, key=lambda login: order[login.username])


def format_logins(logins: list[Login]) -> str:
    lines = [
        _(
            "演示账号（密码均为 %(password)s；首次登录用任一身份验证器应用添加下面的 otpauth 地址）："
        )
        % {"password": DEMO_PASSWORD}
    ]
    for login in logins:
        lines.append(
            f"  {login.username:<12} {login.full_name}  {login.role}  {login.organisation}"
        )
        if login.otpauth_url:
            lines.append(f"    {login.otpauth_url}")
    return "\n".join(lines)
