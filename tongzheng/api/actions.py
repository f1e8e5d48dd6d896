"""Writes of the API package: issuing and revoking tokens (系统管理员's work)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzheng.accounts.models import AccountKind
from tongzheng.api.models import ApiToken
from tongzheng.api.tokens import digest, new_secret
from tongzheng.audit.actions import record_event
from tongzheng.core.access import require_permission

MANAGE_TOKENS = "accounts.manage_users"


def issue_api_token(*, actor, user, name: str, request=None) -> tuple[ApiToken, str]:
    """签发接口令牌: returns the token and its secret, which is shown once and never stored."""
    require_permission(actor, MANAGE_TOKENS)
    if user.kind != AccountKind.STAFF or not user.is_active:
        raise ValidationError(_("接口令牌只能代表有效的工作人员账户。"), code="not_staff")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError(_("请填写令牌名称（不超过100个字）。"), code="name")
    secret = new_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            user=user,
            token_hash=digest(secret),
            prefix=secret[:10],
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        record_event(
            actor=actor,
            action="api.issue_token",
            target=token,
            request=request,
            detail={"user": user.get_username(), "name": name},
        )
    return token, secret


def revoke_api_token(*, actor, token: ApiToken, request=None) -> ApiToken:
    """吊销接口令牌: the secret stops working at once."""
    require_permission(actor, MANAGE_TOKENS)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if not token.revoked:
            token.revoked = True
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked", "revoked_at"])
            record_event(actor=actor, action="api.revoke_token", target=token, request=request)
    return token
