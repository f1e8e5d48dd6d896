"""保密: a confidential reporter is never shown to a handling department, on ANY route.

The routes are discovered, not listed: every URL pattern of the ``hotline`` namespace (with
or without parameters; numbers, pks and other parameters are filled from the objects of a
confidential ticket) and every operation of the API routers mounted under ``hotline``.
A route another engineer adds later is walked without editing this file.

Each request is sent as the lead department and as an assisting department, GET and POST
(an empty form, or a plausible JSON body with an Idempotency-Key), each inside a savepoint
that is rolled back. No answer may contain the reporter's name, phone (plain or masked) or
the username of the citizen account that filed it. The centre (``hotline.view_reporter``)
does see them.
"""

import contextlib
import html
import itertools
import json

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.urls.resolvers import RoutePattern
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongzheng.accounts.tests.factories import CitizenFactory
from tongzheng.api.api import api
from tongzheng.audit.models import AuditEvent, Outcome
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.hotline.actions import handling as actions
from tongzheng.hotline.models import AssignmentRole, TicketUpdate, UpdateKind
from tongzheng.hotline.tests.factories_handling import (
    REPORTER_NAME,
    REPORTER_PHONE,
    REPORTER_PHONE_MASKED,
    dispatched_ticket,
    handler_user,
    operator_user,
)
from tongzheng.tests_matrix.cast import logged_in_client

pytestmark = pytest.mark.django_db

ACCOUNT_USERNAME = "confidential_reporter_account"
SECRETS = (REPORTER_NAME, REPORTER_PHONE, REPORTER_PHONE_MASKED, ACCOUNT_USERNAME)
JSON_BODY = {
    "content": "保密测试",
    "reason": "保密测试",
    "working_days": 1,
    "suggested_organisation": "",
}
# Values for parameters that are neither a ticket number nor a primary key.
KNOWN_VALUES = {"fmt": ["json", "xml"], "format": ["json", "xml"]}


# --- discovery ----------------------------------------------------------------------------


def _parameters(pattern) -> dict[str, bool]:
    """name → takes an integer, for one pattern (route or regex)."""
    if isinstance(pattern, RoutePattern):
        return {
            name: isinstance(converter, IntConverter)
            for name, converter in pattern.converters.items()
        }
    regex = pattern.regex
    return {name: r"\d" in regex.pattern and name in ("pk", "id") for name in regex.groupindex}


def hotline_routes(patterns=None, namespace="", parameters=None):
    """(URL name, {parameter: is_int}) of every route in the hotline namespace."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    parameters = parameters or {}
    for entry in patterns:
        found = {**parameters, **_parameters(entry.pattern)}
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from hotline_routes(entry.url_patterns, inner, found)
        elif isinstance(entry, URLPattern) and entry.name and namespace == "hotline:":
            yield f"hotline:{entry.name}", found


def hotline_api_operations():
    """(URL name, {parameter: is_int}, method) of every operation under /api/hotline*/."""
    for bound in api._get_bound_routers():
        if not (bound.url_name_prefix or "").startswith("hotline"):
            continue
        for path, path_view in bound.path_operations.items():
            for operation in path_view.operations:
                name = getattr(operation, "url_name", "") or api.get_operation_url_name(
                    operation, router=bound.template
                )
                name = f"api:{bound.url_name_prefix}_{name}"
                params = {
                    part[1:-1].split(":")[-1]: part.startswith("{int:")
                    for part in path.split("/")
                    if part.startswith("{")
                }
                for method in operation.methods:
                    yield name, params, method.lower()


def _candidates(world, name: str, is_int: bool) -> list:
    if name == "number" or name.endswith("_number"):
        return [world["ticket"].number]
    if name in KNOWN_VALUES:
        return KNOWN_VALUES[name]
    if is_int or name in ("pk", "id") or name.endswith(("_pk", "_id")):
        return world["pks"]
    return [world["ticket"].number, str(world["ticket"].pk)]


def urls_for(world, name: str, parameters: dict[str, bool]) -> list[str]:
    names = sorted(parameters)
    choices = [_candidates(world, p, parameters[p]) for p in names]
    urls = []
    for values in itertools.product(*choices):
        try:
            urls.append(reverse(name, kwargs=dict(zip(names, values, strict=True))))
        except NoReverseMatch:
            continue
    return urls


# --- reading answers ----------------------------------------------------------------------


def visible_text(response) -> str:
    """What a reader of the answer sees: JSON with its \\u escapes and HTML entities undone."""
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)
    else:
        raw = response.content
    text = raw.decode("utf-8", "replace")
    if "json" in response.get("Content-Type", ""):
        with contextlib.suppress(ValueError):  # a JSON type with a broken body: read as is
            text = json.dumps(json.loads(text), ensure_ascii=False)
    return html.unescape(text)


def leaks(response) -> list[str]:
    text = visible_text(response)
    return [secret for secret in SECRETS if secret in text]


# --- the world ----------------------------------------------------------------------------


@pytest.fixture
def world():
    city = DivisionFactory(code="510100", name="成都市")
    centre = OrganisationFactory(name="成都市12345热线中心", division=city)
    lead = OrganisationFactory(name="成都市城市管理委员会", division=city)
    helper = OrganisationFactory(name="锦江区人民政府", division=city)
    operator = operator_user(centre)
    account = CitizenFactory(username=ACCOUNT_USERNAME, full_name=REPORTER_NAME)
    ticket = dispatched_ticket(
        lead, assist=[helper], dispatcher=operator, confidential=True, account=account
    )
    lead_user, helper_user = handler_user(lead), handler_user(helper)
    lead_assignment = ticket.assignments.get(role=AssignmentRole.LEAD)
    assist_assignment = ticket.assignments.get(role=AssignmentRole.ASSIST)
    TicketUpdate.objects.create(ticket=ticket, kind=UpdateKind.ADDITION, content="补充：夜间更暗。")
    # Objects other routes name by pk: an extension request, a dispute, notes.
    actions.accept(actor=lead_user, assignment=lead_assignment)
    actions.add_note(actor=lead_user, assignment=lead_assignment, content="已现场查看。")
    extension = actions.request_extension(
        actor=lead_user, assignment=lead_assignment, working_days=2, reason="协调"
    )
    dispute = actions.dispute(actor=helper_user, assignment=assist_assignment, reason="非职责")
    pks = sorted(
        {
            ticket.pk,
            lead_assignment.pk,
            assist_assignment.pk,
            extension.pk,
            dispute.pk,
            *ticket.updates.values_list("pk", flat=True),
        }
    )
    return {
        "ticket": ticket,
        "pks": pks,
        "lead_assignment": lead_assignment,
        "operator": operator,
        "departments": {"lead": lead_user, "assist": helper_user},
    }


@pytest.fixture(autouse=True)
def _forget_rate_limits():
    """The walk POSTs to public forms too; their rate-limit counters live in the cache."""
    yield
    cache.clear()


def client_for(user):
    device = TOTPDevice.objects.get(user=user)
    return logged_in_client(user, device, raise_request_exception=False)


def _send(client, method, url, *, api_call: bool, key: str):
    with transaction.atomic():
        if method == "get":
            response = client.get(url)
        elif api_call:
            response = client.generic(
                method.upper(),
                url,
                json.dumps(JSON_BODY),
                "application/json",
                HTTP_IDEMPOTENCY_KEY=key,
            )
        else:
            response = client.post(url, {})
        transaction.set_rollback(True)
    return response


# --- the tests ----------------------------------------------------------------------------


def test_discovery_finds_the_handling_routes_and_api():
    names = {name for name, _params in hotline_routes()}
    assert {
        "hotline:assignment_list",
        "hotline:assignment_detail",
        "hotline:assignment_reveal_phone",
        "hotline:track",
    } <= names
    operations = {name for name, _params, _method in hotline_api_operations()}
    assert {"api:hotline_get_ticket", "api:hotline_reply_ticket"} <= operations


def test_no_route_shows_a_confidential_reporter_to_a_department(world):
    requests = []
    for name, params in hotline_routes():
        for url in urls_for(world, name, params) if params else [reverse(name)]:
            requests.extend((name, url, method, False) for method in ("get", "post"))
    for name, params, method in hotline_api_operations():
        requests.extend((name, url, method, True) for url in urls_for(world, name, params))
    requests.append(("workbench home", "/workbench/", "get", False))

    found, statuses = [], {}
    for who, user in world["departments"].items():
        client = client_for(user)
        for index, (name, url, method, api_call) in enumerate(requests):
            response = _send(client, method, url, api_call=api_call, key=f"{who}-{index}")
            statuses[(who, name, method, url)] = response.status_code
            if leaked := leaks(response):
                found.append(f"{who} {method.upper()} {url} ({name}): {leaked}")
    assert not found, "Confidential reporter shown to a department:\n" + "\n".join(found)

    # The walk reached the ticket, so the absence above means something.
    detail = reverse("hotline:assignment_detail", args=[world["lead_assignment"].pk])
    ticket_api = reverse("api:hotline_get_ticket", kwargs={"number": world["ticket"].number})
    assert statuses[("lead", "hotline:assignment_detail", "get", detail)] == 200
    assert statuses[("lead", "api:hotline_get_ticket", "get", ticket_api)] == 200
    assert statuses[("assist", "api:hotline_get_ticket", "get", ticket_api)] == 200
    assert len(requests) > 40


def test_no_department_can_reveal_a_confidential_reporter(world):
    """The walk above posts an empty form; this one states a reason, as lead and as assist."""
    for who, user in world["departments"].items():
        client = client_for(user)
        for assignment in world["ticket"].assignments.all():
            url = reverse("hotline:assignment_reveal_phone", args=[assignment.pk])
            response = client.post(url, {"reveal-reason": "回访核实"})
            own = assignment.organisation_id == user.organisation_id
            assert response.status_code == (403 if own else 404), (who, url)
            assert not leaks(response), (who, url)
    assert not AuditEvent.objects.filter(
        action="personal_data.revealed", outcome=Outcome.SUCCESS
    ).exists()


def test_department_pages_say_the_reporter_is_confidential(world):
    client = client_for(world["departments"]["lead"])
    page = client.get(reverse("hotline:assignment_detail", args=[world["lead_assignment"].pk]))
    assert "反映人要求保密" in page.content.decode()
    body = client.get(
        reverse("api:hotline_get_ticket", kwargs={"number": world["ticket"].number})
    ).json()
    assert (body["reporter_redacted"], body["reporter_name"], body["reporter_phone"]) == (
        True,
        "",
        "",
    )


def test_the_centre_sees_the_confidential_reporter(world):
    client = client_for(world["operator"])
    number = world["ticket"].number
    body = client.get(reverse("api:hotline_get_ticket", kwargs={"number": number}))
    assert body.status_code == 200
    assert {REPORTER_NAME, REPORTER_PHONE_MASKED} <= set(leaks(body))
    if "hotline:ticket_detail" in {name for name, _params in hotline_routes()}:
        page = client.get(reverse("hotline:ticket_detail", kwargs={"number": number}))
        assert page.status_code == 200
        assert REPORTER_NAME in leaks(page)


def test_a_non_confidential_reporter_is_shown_to_the_department(world):
    ticket = world["ticket"]
    ticket.confidential = False
    ticket.save()
    client = client_for(world["departments"]["lead"])
    page = client.get(reverse("hotline:assignment_detail", args=[world["lead_assignment"].pk]))
    assert {REPORTER_NAME, REPORTER_PHONE_MASKED} <= set(leaks(page))
