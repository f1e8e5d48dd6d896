"""Open311 GeoReport v2: the shapes of the specification's examples, errors and filters."""

import datetime
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tongzheng.audit.models import AuditEvent
from tongzheng.hotline.actions.administration import issue_open311_key, revoke_open311_key
from tongzheng.hotline.models import (
    Open311Request,
    Subject,
    Ticket,
    TicketStatus,
    TicketUpdate,
    UpdateKind,
)
from tongzheng.hotline.open311 import MAX_REQUESTS
from tongzheng.hotline.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


@pytest.fixture
def subject():
    Subject.objects.update(active=False)  # the seeded subjects of migration 0003
    Subject.objects.create(code="OLD", name="已停用分类", active=False)
    return Subject.objects.create(code="CITY", name="城市管理", order=1)


@pytest.fixture
def api_key():
    _client, key = issue_open311_key(actor=None, name="随手拍")
    return key


def post_request(client, fmt="json", **fields):
    return client.post(reverse("hotline:open311_requests", args=[fmt]), fields)


def filed(client, api_key, **fields):
    """POST a valid request and return its ticket."""
    data = {
        "api_key": api_key,
        "service_code": "CITY",
        "lat": "30.572815",
        "long": "104.066801",
        "description": "人行道井盖缺失。",
    }
    data.update(fields)
    response = post_request(client, **data)
    assert response.status_code == 200, response.content
    return Ticket.objects.get(number=response.json()[0]["service_request_id"])


def xml_of(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)


# --- services ---------------------------------------------------------------------------


def test_services_json_lists_active_subjects_with_the_spec_fields(client, subject):
    response = client.get(reverse("hotline:open311_services", args=["json"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert [service["service_code"] for service in body] == ["CITY"]
    assert list(body[0]) == SERVICE_FIELDS
    assert body[0]["service_name"] == "城市管理"
    assert body[0]["metadata"] is True
    assert body[0]["type"] == "realtime"


def test_services_xml_has_the_spec_shape(client, subject):
    root = xml_of(client.get(reverse("hotline:open311_services", args=["xml"])))
    assert root.tag == "services"
    services = root.findall("service")
    assert len(services) == 1
    assert [child.tag for child in services[0]] == SERVICE_FIELDS
    assert services[0].findtext("service_name") == "城市管理"
    assert services[0].findtext("metadata") == "true"


def test_service_definition_xml_has_attributes_and_values(client, subject):
    url = reverse("hotline:open311_service", kwargs={"code": "CITY", "fmt": "xml"})
    root = xml_of(client.get(url))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "CITY"
    attributes = root.findall("attributes/attribute")
    codes = [a.findtext("code") for a in attributes]
    assert codes == ["TYPE", "TITLE", "CONFIDENTIAL", "DIVISION"]
    first = attributes[0]
    assert [child.tag for child in first] == [
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    ]
    assert first.findtext("datatype") == "singlevaluelist"
    keys = [value.findtext("key") for value in first.findall("values/value")]
    assert "complaint" in keys and "help" in keys


def test_service_definition_json(client, subject):
    url = reverse("hotline:open311_service", kwargs={"code": "CITY", "fmt": "json"})
    body = client.get(url).json()
    assert body["service_code"] == "CITY"
    assert body["attributes"][0]["values"][0] == {"key": "complaint", "name": "投诉"}


@pytest.mark.parametrize("code", ["NOPE", "OLD"])
def test_unknown_or_inactive_service_is_a_404_error_list(client, subject, code):
    url = reverse("hotline:open311_service", kwargs={"code": code, "fmt": "json"})
    response = client.get(url)
    assert response.status_code == 404
    body = response.json()
    assert body[0]["code"] == 404
    assert code in body[0]["description"]


# --- POST requests ----------------------------------------------------------------------


def test_post_creates_a_ticket_and_answers_like_the_spec(client, subject, api_key):
    response = post_request(
        client,
        "xml",
        api_key=api_key,
        service_code="CITY",
        lat="30.5728150",
        long="104.0668010",
        address_string="人民南路一段 1 号",
        email="li@example.com",
        device_id="device-1",
        account_id="acc-9",
        first_name="四",
        last_name="李",
        phone="13800138000",
        description="井盖<b>缺失</b>\n请尽快处理。",
        media_url="https://example.com/a.jpg",
        **{"attribute[TYPE]": "suggestion", "attribute[TITLE]": "井盖缺失"},
    )
    assert response.status_code == 200
    root = xml_of(response)
    assert root.tag == "service_requests"
    item = root.find("request")
    assert [child.tag for child in item] == [
        "service_request_id",
        "token",
        "service_notice",
        "account_id",
    ]
    ticket = Ticket.objects.get()
    assert item.findtext("service_request_id") == ticket.number
    assert item.findtext("account_id") == "acc-9"
    assert ticket.channel == "web"
    assert ticket.type == "suggestion"
    assert ticket.subject == subject
    assert ticket.title == "井盖缺失"
    assert ticket.content == "井盖缺失\n请尽快处理。"  # HTML stripped, line break kept
    assert ticket.reporter_name == "李四"
    assert str(ticket.latitude) == "30.572815"
    extra = Open311Request.objects.get()
    assert extra.token == item.findtext("token")
    assert extra.device_id == "device-1"
    assert extra.email != "li@example.com"  # sealed: masked on read
    assert Open311Request.email.unseal(extra) == "li@example.com"
    assert AuditEvent.objects.filter(action="hotline.open311_request_created").count() == 1
    assert AuditEvent.objects.filter(action="hotline.ticket_created").count() == 1


def test_division_attribute_places_the_ticket(client, subject, api_key):
    from tongzheng.core.tests.factories import DivisionFactory

    city = DivisionFactory(code="510100", name="成都市")
    ticket = filed(client, api_key, **{"attribute[DIVISION]": "510100"})
    assert ticket.division == city
    assert ticket.division_path == city.path
    assert ticket.due_at is not None  # create_ticket started the clock


def test_the_spec_sample_post_with_our_service_code(client, subject, api_key):
    """The spec's sample POST body (its own service code and phone replaced by ours)."""
    body = (
        f"api_key={api_key}&jurisdiction_id=city.gov&service_code=CITY&lat=37.76524078"
        "&long=-122.4212043&address_string=1234+5th+street&email=smit333%40sfgov.edu"
        "&device_id=tt222111&account_id=123456&first_name=john&last_name=smith"
        "&phone=13800138000&description=A+large+sinkhole+is+destroying+the+street"
        "&media_url=http%3A%2F%2Fmysite.com%2Fimages%2Fpic1.jpg"
    )
    url = reverse("hotline:open311_requests", args=["xml"])
    response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    item = xml_of(response).find("request")
    assert item.findtext("account_id") == "123456"
    ticket = Ticket.objects.get(number=item.findtext("service_request_id"))
    assert ticket.reporter_name == "john smith"
    assert str(ticket.latitude) == "37.765241"
    assert ticket.address == "1234 5th street"
    assert ticket.content == "A large sinkhole is destroying the street"
    assert ticket.open311.media_url == "http://mysite.com/images/pic1.jpg"


def test_post_json_answer_and_defaults(client, subject, api_key):
    response = post_request(
        client, api_key=api_key, service_code="CITY", address_id="ADDR-7", description=""
    )
    assert response.status_code == 200
    body = response.json()
    assert list(body[0]) == ["service_request_id", "token", "service_notice", "account_id"]
    assert body[0]["account_id"] is None
    ticket = Ticket.objects.get()
    assert ticket.type == "complaint"
    assert ticket.anonymous is True
    assert ticket.content == "城市管理"


@pytest.mark.parametrize("key", [None, "", "wrong-key"])
def test_post_without_a_valid_key_is_403_and_writes_nothing(client, subject, key):
    fields = {"service_code": "CITY", "lat": "30", "long": "104"}
    if key is not None:
        fields["api_key"] = key
    response = post_request(client, "xml", **fields)
    assert response.status_code == 403
    root = xml_of(response)
    assert root.tag == "errors"
    assert root.find("error").findtext("code") == "403"
    assert not Ticket.objects.exists()


def test_revoked_key_is_403(client, subject, api_key):
    from tongzheng.hotline.models import Open311Client

    revoke_open311_key(actor=None, client=Open311Client.objects.get())
    response = post_request(client, api_key=api_key, service_code="CITY", lat="1", long="2")
    assert response.status_code == 403
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"lat": "30", "long": "104"}, "service_code"),
        ({"service_code": "OLD", "lat": "30", "long": "104"}, "OLD"),
        ({"service_code": "CITY"}, "位置"),
        ({"service_code": "CITY", "lat": "30"}, "lat"),
        ({"service_code": "CITY", "lat": "91", "long": "104"}, "lat"),
        ({"service_code": "CITY", "lat": "30", "long": "104", "description": "长" * 4001}, "4000"),
        ({"service_code": "CITY", "lat": "30", "long": "104", "email": "not-mail"}, "email"),
        ({"service_code": "CITY", "lat": "30", "long": "104", "phone": "123"}, "phone"),
        ({"service_code": "CITY", "lat": "30", "long": "104", "media_url": "ftp://x"}, "media"),
        ({"service_code": "CITY", "lat": "30", "long": "104", "attribute[TYPE]": "x"}, "TYPE"),
        ({"service_code": "CITY", "lat": "30", "long": "104", "attribute[ZZ]": "x"}, "ZZ"),
        (
            {"service_code": "CITY", "lat": "30", "long": "104", "attribute[DIVISION]": "999999"},
            "999999",
        ),
    ],
)
def test_bad_post_is_400_with_a_chinese_description(client, subject, api_key, fields, fragment):
    response = post_request(client, api_key=api_key, **fields)
    assert response.status_code == 400
    body = response.json()
    assert all(error["code"] == 400 for error in body)
    assert any(fragment in error["description"] for error in body)
    assert not Ticket.objects.exists()
    assert not Open311Request.objects.exists()


def test_post_needs_no_csrf_token(subject, api_key):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = post_request(client, api_key=api_key, service_code="CITY", lat="30", long="104")
    assert response.status_code == 200


def test_posts_are_limited_per_key_with_a_spec_error(client, subject, api_key, settings):
    cache.clear()
    settings.HOTLINE_RATE_OPEN311_KEY = (2, 3600)
    filed(client, api_key)
    assert post_request(client, api_key=api_key, service_code="OLD").status_code == 400  # counts
    refused = post_request(client, api_key=api_key, service_code="CITY", lat="30", long="104")
    assert refused.status_code == 429
    assert refused.json() == [{"code": 429, "description": "此 api_key 提交过于频繁，请稍后再试。"}]
    refused = post_request(client, "xml", api_key=api_key, service_code="CITY", address_id="A")
    assert refused.status_code == 429
    error = xml_of(refused).find("error")
    assert error.findtext("code") == "429" and "过于频繁" in error.findtext("description")
    assert Ticket.objects.count() == 1
    # Another client's key has its own bucket; reads are not limited.
    _other, other_key = issue_open311_key(actor=None, name="市民通")
    filed(client, other_key)
    assert client.get(reverse("hotline:open311_requests", args=["json"])).status_code == 200
    cache.clear()


# --- tokens and requests ----------------------------------------------------------------


def test_token_answers_the_request_id(client, subject, api_key):
    ticket = filed(client, api_key)
    token = ticket.open311.token
    root = xml_of(client.get(reverse("hotline:open311_token", args=[token, "xml"])))
    item = root.find("request")
    assert item.findtext("service_request_id") == ticket.number
    assert item.findtext("token") == token
    missing = client.get(reverse("hotline:open311_token", args=["nope", "json"]))
    assert missing.status_code == 404
    assert missing.json()[0]["code"] == 404


def test_request_detail_has_every_spec_field_and_no_personal_data(client, subject, api_key):
    ticket = filed(
        client,
        api_key,
        first_name="三",
        last_name="张",
        phone="13900139000",
        email="zhang@example.com",
        address_id="A-1",
    )
    TicketUpdate.objects.create(ticket=ticket, kind=UpdateKind.REPLY, content="旧答复")
    TicketUpdate.objects.create(ticket=ticket, kind=UpdateKind.REPLY, content="已修复。")
    TicketUpdate.objects.create(
        ticket=ticket, kind=UpdateKind.NOTE, content="内部记录", public=False
    )
    response = client.get(reverse("hotline:open311_request", args=[ticket.number, "xml"]))
    assert response.status_code == 200
    root = xml_of(response)
    item = root.find("request")
    assert [child.tag for child in item] == REQUEST_FIELDS
    assert item.findtext("status") == "open"
    assert item.findtext("status_notes") == "已修复。"
    assert item.findtext("service_code") == "CITY"
    assert item.findtext("address_id") == "A-1"
    requested = datetime.datetime.fromisoformat(item.findtext("requested_datetime"))
    assert requested.tzinfo is not None
    text = response.content.decode()
    for secret in ("张三", "13900139000", "zhang@example.com", "内部记录"):
        assert secret not in text
    body = client.get(reverse("hotline:open311_request", args=[ticket.number, "json"])).json()
    assert list(body[0]) == REQUEST_FIELDS
    assert body[0]["lat"] == pytest.approx(30.572815)
    assert "张三" not in json.dumps(body, ensure_ascii=False)


def test_expected_datetime_is_the_due_date(client, subject, api_key):
    ticket = filed(client, api_key)
    due = timezone.now() + datetime.timedelta(days=5)
    Ticket.objects.filter(pk=ticket.pk).update(due_at=due)
    body = client.get(reverse("hotline:open311_request", args=[ticket.number, "json"])).json()
    expected = datetime.datetime.fromisoformat(body[0]["expected_datetime"])
    assert abs((expected - due).total_seconds()) < 1


def test_tickets_not_filed_through_open311_or_confidential_are_not_public(client, subject, api_key):
    web = TicketFactory()
    secret = filed(client, api_key, **{"attribute[CONFIDENTIAL]": "true"})
    assert secret.confidential
    for number in (web.number, secret.number):
        response = client.get(reverse("hotline:open311_request", args=[number, "json"]))
        assert response.status_code == 404
    listed = client.get(reverse("hotline:open311_requests", args=["json"])).json()
    assert listed == []


def _backdate(ticket, days):
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_requests_default_to_the_last_90_days(client, subject, api_key):
    recent = filed(client, api_key)
    old = filed(client, api_key)
    _backdate(old, 100)
    body = client.get(reverse("hotline:open311_requests", args=["json"])).json()
    assert [item["service_request_id"] for item in body] == [recent.number]


def test_requests_filters_status_service_and_dates(client, subject, api_key):
    Subject.objects.create(code="ROAD", name="交通出行")
    open_one = filed(client, api_key)
    closed_one = filed(client, api_key)
    Ticket.objects.filter(pk=closed_one.pk).update(status=TicketStatus.CLOSED)
    road = filed(client, api_key, service_code="ROAD")
    url = reverse("hotline:open311_requests", args=["json"])

    def numbers(**query):
        response = client.get(url, query)
        assert response.status_code == 200, response.content
        return {item["service_request_id"] for item in response.json()}

    assert numbers(status="closed") == {closed_one.number}
    assert numbers(status="open") == {open_one.number, road.number}
    assert numbers(status="open,closed") == {open_one.number, closed_one.number, road.number}
    assert numbers(service_code="ROAD") == {road.number}
    assert numbers(service_code="CITY,ROAD", status="open") == {open_one.number, road.number}
    _backdate(road, 40)
    today = timezone.localdate()
    start = (today - datetime.timedelta(days=50)).isoformat() + "T00:00:00+08:00"
    end = (today - datetime.timedelta(days=30)).isoformat() + "T00:00:00Z"
    assert numbers(start_date=start, end_date=end) == {road.number}
    assert numbers(start_date=start) == {road.number, open_one.number, closed_one.number}


def test_service_request_id_overrides_every_other_filter(client, subject, api_key):
    first = filed(client, api_key)
    second = filed(client, api_key)
    _backdate(second, 300)
    Ticket.objects.filter(pk=second.pk).update(status=TicketStatus.CLOSED)
    response = client.get(
        reverse("hotline:open311_requests", args=["xml"]),
        {
            "service_request_id": f"{first.number},{second.number}",
            "status": "open",
            "service_code": "NONE",
        },
    )
    root = xml_of(response)
    found = {item.findtext("service_request_id") for item in root.findall("request")}
    assert found == {first.number, second.number}


@pytest.mark.parametrize(
    "query",
    [
        {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-04-02T00:00:00+08:00"},
        {"start_date": "2026-03-01T00:00:00+08:00", "end_date": "2026-02-01T00:00:00+08:00"},
        {"start_date": "yesterday"},
        {"status": "pending"},
    ],
)
def test_bad_filters_are_400(client, query):
    response = client.get(reverse("hotline:open311_requests", args=["xml"]), query)
    assert response.status_code == 400
    root = xml_of(response)
    assert root.find("error").findtext("code") == "400"


def test_nul_characters_in_parameters_are_harmless(client):
    url = reverse("hotline:open311_requests", args=["json"])
    response = client.get(url, {"service_request_id": "12345\x00", "service_code": "\x00"})
    assert response.status_code == 200
    assert response.json() == []
    assert client.get("/open311/v2/tokens/%00.json").status_code == 404


def test_exactly_90_days_is_allowed(client):
    query = {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-04-01T00:00:00+08:00"}
    response = client.get(reverse("hotline:open311_requests", args=["json"]), query)
    assert response.status_code == 200


def test_at_most_1000_requests(client, subject, api_key, monkeypatch):
    from tongzheng.hotline import open311

    monkeypatch.setattr(open311, "MAX_REQUESTS", 3)
    for _ in range(4):
        filed(client, api_key)
    body = client.get(reverse("hotline:open311_requests", args=["json"])).json()
    assert len(body) == 3
    assert MAX_REQUESTS == 1000


def test_the_real_cap_is_1000(client, subject, api_key):
    from tongzheng.hotline.models import Open311Client

    owner = Open311Client.objects.get()
    tickets = Ticket.objects.bulk_create(
        TicketFactory.build(subject=subject, number=f"12345-20261128-{n:06d}")
        for n in range(MAX_REQUESTS + 1)
    )
    Open311Request.objects.bulk_create(
        Open311Request(ticket=ticket, client=owner, token=f"t{ticket.pk}") for ticket in tickets
    )
    body = client.get(reverse("hotline:open311_requests", args=["json"])).json()
    assert len(body) == MAX_REQUESTS == 1000


def test_the_list_is_one_query(client, subject, api_key, django_assert_num_queries):
    for _ in range(5):
        ticket = filed(client, api_key)
        TicketUpdate.objects.create(ticket=ticket, kind=UpdateKind.REPLY, content="已处理。")
    with django_assert_num_queries(1):
        response = client.get(reverse("hotline:open311_requests", args=["xml"]))
    assert len(xml_of(response).findall("request")) == 5


def test_xml_drops_characters_xml_cannot_carry(client, subject, api_key):
    ticket = filed(client, api_key, description="坑洼\x00路面。")
    assert ticket.content == "坑洼路面。"  # PostgreSQL refuses NUL in text
    Ticket.objects.filter(pk=ticket.pk).update(content="坑洼\x0b路面\x01。")
    response = client.get(reverse("hotline:open311_request", args=[ticket.number, "xml"]))
    assert xml_of(response).find("request").findtext("description") == "坑洼路面。"


def test_discovery_document(client):
    response = client.get(reverse("hotline:open311_discovery"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"changeset", "contact", "key_service", "endpoints"}
    endpoint = body["endpoints"][0]
    assert endpoint["url"].endswith("/open311/v2")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] == "production"
