"""The registries of warning kinds (预警类型) and rating indicators (评价指标).

Warning kinds are an open list: a module adds its own from its ``AppConfig.ready()``
with ``supervision.public.register_warning_kind(code, label)``; the built-in ones are the
electronic-supervision rules of DOMAIN.md §5. A kind is stored by its code, so adding a
kind needs no migration.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class WarningKind:
    code: str
    label: str | Promise


_KINDS: dict[str, WarningKind] = {}


def register_warning_kind(code: str, label) -> WarningKind:
    """Add (or relabel) a warning kind; ``code`` is "<app>.<rule>" or a built-in word."""
    if not code or len(code) > 64:
        raise ValueError("a warning kind code is 1–64 characters")
    kind = WarningKind(code, label)
    _KINDS[code] = kind
    return kind


def warning_kinds() -> list[WarningKind]:
    return list(_KINDS.values())


def warning_kind(code: str) -> WarningKind | None:
    return _KINDS.get(code)


def warning_kind_label(code: str) -> str:
    kind = _KINDS.get(code)
    return str(kind.label) if kind else code


# The electronic-supervision rules every module can raise (DOMAIN.md §5).
REFUSED_WITHOUT_REASON = register_warning_kind("refused_without_reason", _("不予受理未说明理由"))
WRONGLY_ACCEPTED = register_warning_kind("wrongly_accepted", _("不应受理而受理"))
WRONGLY_REFUSED = register_warning_kind("wrongly_refused", _("应受理而不予受理"))
OVER_PROMISED_LIMIT = register_warning_kind("over_promised_limit", _("超承诺时限办结"))
STAGE_OVER_LIMIT = register_warning_kind("stage_over_limit", _("环节超时（总时限未超）"))
PRELIMINARY_REVIEW_LATE = register_warning_kind("preliminary_review_late", _("初审超时"))
NOT_ONLINE = register_warning_kind("not_online", _("未按要求网上办理"))
FEE_WITHOUT_BASIS = register_warning_kind("fee_without_basis", _("无依据收费"))
# A task that must be handed on within minutes (an emergency hotline ticket: 特急件 1 hour
# from receipt to dispatch) was not handed on in time.
DISPATCH_OVERDUE = register_warning_kind("dispatch_overdue", _("紧急事项超时未派单"))


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str | Promise


#: The online evaluation indicators (网上评价指标) a rater may score 1–5 beside the
#: overall level, after the dimensions GB/T 39735-2020 names for online services:
#: the platform, the guide, the process, the time taken, the answers and the result.
INDICATORS: tuple[Indicator, ...] = (
    Indicator("platform", _("平台使用便捷")),
    Indicator("guide", _("办事指南准确清晰")),
    Indicator("process", _("办理流程简便")),
    Indicator("timeliness", _("办理及时")),
    Indicator("attitude", _("咨询答复与服务态度")),
    Indicator("result", _("办理结果")),
)
INDICATOR_KEYS = frozenset(indicator.key for indicator in INDICATORS)
