"""Open311 GeoReport v2 under /open311/v2/ (public; a POST authenticates with its api_key).

Thin handlers: parsing, reading and rendering live in ``hotline/open311.py``, the write in
``actions/open311.py``. Every answer is JSON or XML as the URL's extension says; errors use
the spec's list of {code, description}.
"""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.urls import re_path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from tongzheng.hotline import open311, ratelimit
from tongzheng.hotline.actions.open311 import submit_request
from tongzheng.hotline.models import Open311Request

FMT = r"\.(?P<fmt>json|xml)$"
# The date of the last change to this API's shape (discovery "changeset").
CHANGESET = "2026-11-28T00:00:00+08:00"


@login_not_required
@require_GET
def services(request, fmt: str):
    body = [open311.service_entry(subject) for subject in open311.active_services()]
    return open311.respond(fmt, "services", body)


@login_not_required
@require_GET
def service_definition(request, code: str, fmt: str):
    subject = open311.active_services().filter(code=code).first()
    if subject is None:
        return open311.errors(fmt, 404, _("service_code %(code)s 不存在。") % {"code": code})
    return open311.respond(fmt, "service_definition", open311.service_definition(subject))


@csrf_exempt  # not a browser form: the api_key authenticates the client
@login_not_required
@require_http_methods(["GET", "POST"])
def requests(request, fmt: str):
    if request.method == "POST":
        return _create(request, fmt)
    try:
        tickets = open311.search_requests(request.GET)
    except ValidationError as exc:
        return open311.errors(fmt, 400, exc.messages)
    body = [open311.request_entry(ticket) for ticket in tickets]
    return open311.respond(fmt, "service_requests", body)


def _create(request, fmt: str):
    client = open311.client_for_key(request.POST.get("api_key", ""))
    if client is None:
        return open311.errors(fmt, 403, _("api_key 无效、缺失或已吊销。"))
    if not ratelimit.open311_allowed(client):
        return open311.errors(fmt, 429, ratelimit.OPEN311_MESSAGE)
    try:
        submission = open311.parse_submission(request.POST)
    except ValidationError as exc:
        return open311.errors(fmt, 400, exc.messages)
    try:
        ticket, extra = submit_request(client=client, submission=submission, request=request)
    except ValidationError as exc:
        return open311.errors(fmt, 400, exc.messages)
    body = [
        {
            "service_request_id": ticket.number,
            "token": extra.token,
            "service_notice": open311.service_notice(ticket.type),
            "account_id": extra.account_id or None,
        }
    ]
    return open311.respond(fmt, "service_requests", body)


@login_not_required
@require_GET
def request_detail(request, number: str, fmt: str):
    ticket = open311.public_tickets().filter(number=number).first()
    if ticket is None:
        return open311.errors(fmt, 404, _("服务请求 %(id)s 不存在。") % {"id": number[:40]})
    return open311.respond(fmt, "service_requests", [open311.request_entry(ticket)])


@login_not_required
@require_GET
def token(request, token: str, fmt: str):
    extra = Open311Request.objects.select_related("ticket").filter(token=token).first()
    if extra is None:
        return open311.errors(fmt, 404, _("token 不存在。"))
    body = [{"service_request_id": extra.ticket.number, "token": extra.token}]
    return open311.respond(fmt, "service_requests", body)


@login_not_required
@require_GET
def discovery(request):
    base = request.build_absolute_uri(reverse("hotline:open311_services", args=["json"]))
    body = {
        "changeset": CHANGESET,
        "contact": _("12345 政务服务便民热线中心"),
        "key_service": _("API 密钥由热线中心签发，请联系热线中心。"),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base.rsplit("/", 1)[0],
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return open311.respond("json", "discovery", body)


urlpatterns = [
    re_path(r"^open311/discovery\.json$", discovery, name="open311_discovery"),
    re_path(r"^open311/v2/services" + FMT, services, name="open311_services"),
    re_path(
        r"^open311/v2/services/(?P<code>[A-Za-z0-9_-]{1,16})" + FMT,
        service_definition,
        name="open311_service",
    ),
    re_path(r"^open311/v2/requests" + FMT, requests, name="open311_requests"),
    re_path(
        r"^open311/v2/requests/(?P<number>[A-Za-z0-9-]{1,40})" + FMT,
        request_detail,
        name="open311_request",
    ),
    re_path(
        r"^open311/v2/tokens/(?P<token>[A-Za-z0-9_-]{1,40})" + FMT, token, name="open311_token"
    ),
]
NAVIGATION = []
