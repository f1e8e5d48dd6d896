"""限流: anonymous spam at public intake, and guessing of 提取码.

Counters live in Django's cache (``settings.CACHES``; production shares one Redis between
app servers). Each counter is a fixed window that opens at its first hit.

Intake (``intake_allowed``) counts one accepted submission against exactly one bucket:

- a signed-in citizen or enterprise: per account (``HOTLINE_RATE_ACCOUNT``, 30 / hour);
- a named reporter (name and phone, not anonymous): per phone number's blind index
  (``HOTLINE_RATE_NAMED``, 20 / hour) and a wide per-address ceiling
  (``HOTLINE_RATE_NAMED_ADDRESS``, 60 / hour) so that invented numbers cannot flood;
- everyone else (anonymous): per client address (``HOTLINE_RATE_ANONYMOUS``, 5 / hour).

So anonymous spam from one address never blocks a named reporter behind the same address
(an office or a mobile carrier's NAT).

Extraction-code lookups (``lookup_blocked`` / ``lookup_failed``) count *failures* per
client address and per ticket number (``HOTLINE_RATE_LOOKUP_FAILURES``, 10 / 15 minutes);
once either counter is full every lookup is refused with 429, even with the right code,
until the window ends. With about 50 bits of code, 10 guesses per 15 minutes per number
make guessing hopeless.

An Open311 client's POSTs (``open311_allowed``) count per api_key
(``HOTLINE_RATE_OPEN311_KEY``, 600 / hour), valid or not: a leaked key or a runaway
client cannot flood the centre, and one client's flood never blocks another.

A handling department's 查看完整号码 (``reveal_allowed``) counts per user
(``HOTLINE_RATE_REVEAL``, 30 / hour), refused attempts included: calling citizens back
needs a few numbers an hour, harvesting them needs many.

Each setting is a ``(count, seconds)`` pair; the counters are ``core.ratelimit``'s.
"""

from django.utils.translation import gettext_lazy as _

from tongzheng.core import ratelimit as core
from tongzheng.core.crypto import blind_index

DEFAULTS = {
    "HOTLINE_RATE_ANONYMOUS": (5, 3600),
    "HOTLINE_RATE_NAMED": (20, 3600),
    "HOTLINE_RATE_NAMED_ADDRESS": (60, 3600),
    "HOTLINE_RATE_ACCOUNT": (30, 3600),
    "HOTLINE_RATE_LOOKUP_FAILURES": (10, 15 * 60),
    "HOTLINE_RATE_OPEN311_KEY": (600, 3600),
    "HOTLINE_RATE_REVEAL": (30, 3600),
}

INTAKE_MESSAGE = _("提交过于频繁，请稍后再试。实名反映或登录后提交不受此限制。")
ACCOUNT_MESSAGE = _("提交过于频繁，请一小时后再试。")
LOOKUP_MESSAGE = _("查询失败次数过多，请 15 分钟后再试。")
OPEN311_MESSAGE = _("此 api_key 提交过于频繁，请稍后再试。")
REVEAL_MESSAGE = _("查看完整号码过于频繁，请一小时后再试。")

LOOKUP = core.FailureLimit(
    "hotline", "HOTLINE_RATE_LOOKUP_FAILURES", DEFAULTS["HOTLINE_RATE_LOOKUP_FAILURES"]
)


def _bucket(kind: str, identifier: str, setting: str) -> core.Bucket:
    limit, seconds = core.setting_rate(setting, DEFAULTS[setting])
    return core.Bucket(core.counter_key("hotline", kind, identifier), limit, seconds)


def intake_buckets(request, *, named_phone: str = "") -> list[core.Bucket]:
    user = getattr(request, "user", None)
    if getattr(user, "is_authenticated", False):
        return [_bucket("account", str(user.pk), "HOTLINE_RATE_ACCOUNT")]
    address = core.client_address(request)
    if named_phone:
        return [
            _bucket("phone", blind_index(named_phone), "HOTLINE_RATE_NAMED"),
            _bucket("named-address", address, "HOTLINE_RATE_NAMED_ADDRESS"),
        ]
    return [_bucket("address", address, "HOTLINE_RATE_ANONYMOUS")]


def intake_allowed(request, *, named_phone: str = "") -> bool:
    """Count one public submission; False when its bucket is full (answer 429)."""
    return core.take(intake_buckets(request, named_phone=named_phone))


def lookup_blocked(request, number: str) -> bool:
    """True when this address or this ticket number has failed too often (answer 429)."""
    return LOOKUP.blocked(request, number)


def lookup_failed(request, number: str) -> None:
    """Count one failed number + 提取码 lookup against the address and the number."""
    LOOKUP.failed(request, number)


def open311_allowed(client) -> bool:
    """Count one POST of an Open311 client; False when its key's bucket is full (429)."""
    # The key's stored digest names the bucket: a key issued anew starts with an empty one.
    return core.take([_bucket("open311-key", client.key_hash, "HOTLINE_RATE_OPEN311_KEY")])


def reveal_allowed(user) -> bool:
    """Count one 查看完整号码 of ``user``; False when their bucket is full (answer 429)."""
    return core.take([_bucket("reveal", str(user.pk), "HOTLINE_RATE_REVEAL")])
