"""Open311 GeoReport v2 (开放 311 接口): services, request fields, parsing and rendering.

The specification (wiki.open311.org/GeoReport_v2) fixes the resource shapes; this module
holds what is ours about them:

- one service per active ``Subject`` (诉求分类), with the same three attributes each
  (TYPE, TITLE, CONFIDENTIAL) that map onto ticket fields;
- which tickets the public API shows (those filed through Open311, never confidential
  ones, never 12310 reports) and which fields — reporter name, phone and e-mail are never
  read here, so no GET can leak them;
- rendering any answer as JSON or as XML (UTF-8, W3C datetimes with their zone) and the
  spec's error list ``[{code, description}]``.

Views (``views/open311.py``) stay thin: they parse with ``parse_*``, call the action in
``actions/open311.py`` and answer with ``respond`` / ``errors``.
"""

import datetime
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from tongzheng.core.crypto import sm3_hex
from tongzheng.core.models import Division
from tongzheng.core.validators import PHONE
from tongzheng.hotline.models import (
    OPEN_STATUSES,
    Channel,
    Open311Client,
    Open311Request,
    Subject,
    Ticket,
    TicketType,
    TicketUpdate,
    UpdateKind,
    limit_for,
)

FORMATS = ("json", "xml")
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
DESCRIPTION_LIMIT = 4000
WINDOW = datetime.timedelta(days=90)
MAX_REQUESTS = 1000
SEARCH_PARAMETERS = ("service_request_id", "service_code", "start_date", "end_date", "status")
DEFAULT_TYPE = TicketType.COMPLAINT
# Reserved key in ``Open311Request.attributes`` for the client's address_id; attribute
# codes are upper-case letters only, so it cannot clash with one.
ADDRESS_ID_KEY = "@address_id"

# XML: the element name of one item of each list.
_ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}


# --- Rendering -------------------------------------------------------------------------


def w3c(moment: datetime.datetime | None) -> str | None:
    """A W3C datetime with its zone (the platform's local zone), or None."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


# Characters XML 1.0 cannot carry at all (C0 controls other than tab, newline and return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _xml_fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_child(element, key, item)
    elif value is not None:
        element.text = _xml_text(value)


def _xml_child(parent: ET.Element, name: str, value) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, list):
        for item in value:
            _xml_fill(ET.SubElement(element, _ITEM_NAMES[name]), item)
    else:
        _xml_fill(element, value)


def to_xml(root: str, body) -> bytes:
    """``body`` (a list of items, or a dict of fields) as an XML document under ``root``."""
    element = ET.Element(root)
    if isinstance(body, list):
        for item in body:
            _xml_fill(ET.SubElement(element, _ITEM_NAMES[root]), item)
    else:
        _xml_fill(element, body)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="utf-8")


def to_json(body) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def respond(fmt: str, root: str, body, status: int = 200) -> HttpResponse:
    """Answer ``body`` in ``fmt``; ``root`` names the XML root element (services …)."""
    content = to_xml(root, body) if fmt == "xml" else to_json(body)
    return HttpResponse(content, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, messages) -> HttpResponse:
    """The spec's error answer: a list of {code, description}, one per message."""
    if isinstance(messages, str | Promise):  # one message, maybe a lazy translation
        messages = [messages]
    body = [{"code": status, "description": str(message)} for message in messages]
    return respond(fmt, "errors", body, status=status)


# --- Services --------------------------------------------------------------------------


def attribute_definitions() -> list[dict]:
    """The attributes every service takes (GeoReport v2 service definition)."""
    types = [
        TicketType.COMPLAINT,
        TicketType.ENQUIRY,
        TicketType.SUGGESTION,
        TicketType.HELP,
    ]
    return [
        {
            "variable": True,
            "code": "TYPE",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("不填时按投诉办理。"),
            "order": 1,
            "description": _("诉求类型"),
            "values": [{"key": str(kind.value), "name": str(kind.label)} for kind in types],
        },
        {
            "variable": True,
            "code": "TITLE",
            "datatype": "string",
            "required": False,
            "datatype_description": _("不超过 100 个字。"),
            "order": 2,
            "description": _("标题"),
        },
        {
            "variable": True,
            "code": "CONFIDENTIAL",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("要求保密的诉求不在公开接口中列出。"),
            "order": 3,
            "description": _("是否要求对反映人身份保密"),
            "values": [
                {"key": "false", "name": _("否")},
                {"key": "true", "name": _("是")},
            ],
        },
        {
            "variable": True,
            "code": "DIVISION",
            "datatype": "string",
            "required": False,
            "datatype_description": _("GB/T 2260 行政区划代码（6、9 或 12 位数字）。"),
            "order": 4,
            "description": _("诉求所在的行政区划，热线中心据此分办"),
        },
    ]


def active_services():
    return Subject.objects.filter(active=True)


def service_entry(subject: Subject) -> dict:
    return {
        "service_code": subject.code,
        "service_name": subject.name,
        "description": _("12345 政务服务便民热线：%(name)s") % {"name": subject.name},
        "metadata": True,
        "type": "realtime",
        "keywords": subject.name,
        "group": _("12345 热线"),
    }


def service_definition(subject: Subject) -> dict:
    return {"service_code": subject.code, "attributes": attribute_definitions()}


def service_notice(ticket_type: str) -> str:
    return _("已受理，我们将在 %(days)s 个工作日内答复。") % {"days": limit_for(ticket_type)}


# --- Parsing a POST requests -----------------------------------------------------------


@dataclass
class Submission:
    """A validated POST requests: what ``actions.open311.submit_request`` needs."""

    subject: Subject
    division: Division | None = None
    type: str = DEFAULT_TYPE
    title: str = ""
    confidential: bool = False
    description: str = ""
    address: str = ""
    address_id: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    media_url: str = ""
    attributes: dict = field(default_factory=dict)


def _field(post, name: str) -> str:
    """A posted text without the control characters no column (or XML) can hold."""
    return _NOT_XML.sub("", post.get(name, "")).strip()


def _coordinate(raw: str, bound: int) -> Decimal | None:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or abs(value) > bound:
        return None
    return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _name(first: str, last: str) -> str:
    # Chinese names are written family name first (张 + 三); Latin ones given name first.
    if (first + last).isascii():
        return f"{first} {last}".strip()
    return f"{last}{first}"


def _attributes(post, problems: list[str]) -> dict:
    definitions = {item["code"]: item for item in attribute_definitions()}
    values = {}
    for key in post:
        if not key.startswith("attribute[") or not key.endswith("]"):
            continue
        code = key[len("attribute[") : -1]
        definition = definitions.get(code)
        if definition is None:
            problems.append(_("未知的属性代码：%(code)s。") % {"code": code[:40]})
            continue
        value = _field(post, key)
        allowed = {item["key"] for item in definition.get("values", [])}
        if allowed and value and value not in allowed:
            problems.append(_("属性 %(code)s 的取值无效。") % {"code": code})
            continue
        values[code] = value
    return values


def parse_submission(post) -> Submission:
    """Check a POST requests form; raise ValidationError with every problem (Chinese)."""
    problems: list[str] = []
    code = _field(post, "service_code")
    subject = active_services().filter(code=code).first() if code else None
    if not code:
        problems.append(_("缺少 service_code。"))
    elif subject is None:
        problems.append(_("service_code %(code)s 不存在或已停用。") % {"code": code[:16]})

    lat_raw, long_raw = _field(post, "lat"), _field(post, "long")
    latitude = longitude = None
    if lat_raw or long_raw:
        latitude, longitude = _coordinate(lat_raw, 90), _coordinate(long_raw, 180)
        if latitude is None or longitude is None:
            problems.append(_("lat 和 long 须同时提供，且为有效的经纬度。"))
    address = _field(post, "address_string")
    address_id = _field(post, "address_id")
    if latitude is None and not address and not address_id:
        problems.append(_("须提供位置：lat 和 long、address_string 或 address_id 之一。"))
    if len(address) > 200:
        problems.append(_("address_string 不能超过 200 个字。"))
    if len(address_id) > 100:
        problems.append(_("address_id 不能超过 100 个字符。"))

    # "May contain line breaks, but not html or code": tags are stripped, text kept.
    description = strip_tags(_field(post, "description")).strip()
    if len(description) > DESCRIPTION_LIMIT:
        problems.append(_("description 不能超过 4000 个字。"))

    email = _field(post, "email")
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            problems.append(_("email 格式不正确。"))
    phone = _field(post, "phone").replace(" ", "")
    if phone and not PHONE.match(phone):
        problems.append(_("phone 须为正确的手机号码或固定电话号码。"))
    media_url = _field(post, "media_url")
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            problems.append(_("media_url 须为 http 或 https 网址。"))
        if len(media_url) > 500:
            problems.append(_("media_url 不能超过 500 个字符。"))
    name = _name(_field(post, "first_name"), _field(post, "last_name"))
    if len(name) > 50:
        problems.append(_("姓名不能超过 50 个字。"))
    device_id, account_id = _field(post, "device_id"), _field(post, "account_id")
    if len(device_id) > 100 or len(account_id) > 100:
        problems.append(_("device_id 和 account_id 不能超过 100 个字符。"))

    attributes = _attributes(post, problems)
    title = strip_tags(attributes.get("TITLE", "")).strip()
    if len(title) > 100:
        problems.append(_("标题不能超过 100 个字。"))
    division = None
    if attributes.get("DIVISION"):
        division = Division.objects.filter(code=attributes["DIVISION"]).first()
        if division is None:
            problems.append(
                _("行政区划代码 %(code)s 不存在。") % {"code": attributes["DIVISION"][:12]}
            )
    if problems:
        raise ValidationError(problems)
    stored = dict(attributes)
    if address_id:
        stored[ADDRESS_ID_KEY] = address_id
    return Submission(
        subject=subject,
        division=division,
        type=attributes.get("TYPE") or DEFAULT_TYPE,
        title=title,
        confidential=attributes.get("CONFIDENTIAL") == "true",
        description=description,
        address=address,
        address_id=address_id,
        latitude=latitude,
        longitude=longitude,
        email=email,
        device_id=device_id,
        account_id=account_id,
        reporter_name=name,
        reporter_phone=phone,
        media_url=media_url,
        attributes=stored,
    )


# --- Reading service requests ----------------------------------------------------------


def public_tickets():
    """Tickets the public API may show: filed through Open311, not confidential, not 12310.

    Reporters who used the web form, the phone or a mailbox never agreed to publication,
    so their tickets are not listed here.
    """
    latest_reply = (
        TicketUpdate.objects.filter(ticket=OuterRef("pk"), kind=UpdateKind.REPLY, public=True)
        .order_by("-created_at", "-id")
        .values("content")[:1]
    )
    return (
        Ticket.objects.filter(open311__isnull=False, confidential=False)
        .exclude(channel=Channel.R12310)
        .select_related("subject", "organisation", "open311")
        .annotate(latest_public_reply=Subquery(latest_reply))
        .order_by("-created_at", "-id")
    )


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def request_entry(ticket: Ticket) -> dict:
    """One service request as the spec lists its fields — no reporter data, by design."""
    extra: Open311Request = ticket.open311
    status = "open" if ticket.status in OPEN_STATUSES else "closed"
    notes = getattr(ticket, "latest_public_reply", None) or ticket.not_accepted_reason or None
    return {
        "service_request_id": ticket.number,
        "status": status,
        "status_notes": notes,
        "service_name": ticket.subject.name if ticket.subject else None,
        "service_code": ticket.subject.code if ticket.subject else None,
        "description": ticket.content,
        "agency_responsible": ticket.organisation.name if ticket.organisation else None,
        "service_notice": None,
        "requested_datetime": w3c(ticket.created_at),
        "updated_datetime": w3c(ticket.updated_at),
        "expected_datetime": w3c(ticket.due_at),
        "address": ticket.address or None,
        "address_id": extra.attributes.get(ADDRESS_ID_KEY) or None,
        "zipcode": None,
        "lat": _float(ticket.latitude),
        "long": _float(ticket.longitude),
        "media_url": extra.media_url or None,
    }


def parse_w3c(raw: str, *, end: bool = False) -> datetime.datetime:
    """A W3C date or datetime; a bare date is the start (or ``end``: the end) of that day."""
    raw = raw.strip()
    try:
        if len(raw) == 10:
            day = datetime.date.fromisoformat(raw)
            moment = datetime.datetime.combine(day, datetime.time.max if end else datetime.time.min)
        else:
            moment = datetime.datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError(_("日期时间格式不正确：%(value)s。") % {"value": raw[:40]}) from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _statuses(raw: str) -> list[str]:
    wanted = {part.strip() for part in raw.split(",") if part.strip()}
    if not wanted <= {"open", "closed"}:
        raise ValidationError(_("status 只能是 open 或 closed。"))
    return sorted(wanted)


def search_requests(query, now: datetime.datetime | None = None) -> list[Ticket]:
    """GET requests: the filters of the spec, newest first, at most 1,000 tickets."""
    tickets = public_tickets()
    query = {name: _field(query, name) for name in SEARCH_PARAMETERS}
    ids = [part.strip() for part in query["service_request_id"].split(",") if part.strip()]
    if ids:  # the id list overrides every other parameter
        return list(tickets.filter(number__in=ids[:MAX_REQUESTS])[:MAX_REQUESTS])
    now = now or timezone.now()
    start_raw, end_raw = query["start_date"], query["end_date"]
    start = parse_w3c(start_raw) if start_raw.strip() else None
    end = parse_w3c(end_raw, end=True) if end_raw.strip() else None
    if start and end:
        if end < start:
            raise ValidationError(_("end_date 不能早于 start_date。"))
        if end - start > WINDOW:
            raise ValidationError(_("start_date 与 end_date 相隔不能超过 90 天。"))
    elif start:
        end = start + WINDOW
    elif end:
        start = end - WINDOW
    else:
        start, end = now - WINDOW, now
    tickets = tickets.filter(created_at__gte=start, created_at__lte=end)
    codes = [part.strip() for part in query["service_code"].split(",") if part.strip()]
    if codes:
        tickets = tickets.filter(subject__code__in=codes)
    status = query["status"]
    if status:
        wanted = _statuses(status)
        if wanted == ["open"]:
            tickets = tickets.filter(status__in=OPEN_STATUSES)
        elif wanted == ["closed"]:
            tickets = tickets.exclude(status__in=OPEN_STATUSES)
    return list(tickets[:MAX_REQUESTS])


# --- API keys --------------------------------------------------------------------------


def key_hash(key: str) -> str:
    """Only this SM3 digest of an api_key is stored."""
    return sm3_hex(key.encode())


def client_for_key(key: str) -> Open311Client | None:
    """The active client holding ``key``, or None (unknown, empty or revoked)."""
    key = (key or "").strip()
    if not key or len(key) > 200:
        return None
    return Open311Client.objects.filter(key_hash=key_hash(key), revoked_at__isnull=True).first()
