"""The hotline centre's pages: list, detail, the action POSTs, scope and confidentiality."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongzheng.accounts.tests.factories import verified_login
from tongzheng.audit.models import AuditEvent
from tongzheng.core.tests.factories import OrganisationFactory
from tongzheng.hotline.models import (
    Assignment,
    AssignmentRole,
    DecisionStatus,
    DispatchRule,
    Dispute,
    ExtensionRequest,
    MailBox,
    Ticket,
    TicketStatus,
    UpdateKind,
)
from tongzheng.hotline.tests.factories_centre import answered, centre_world, ticket
from tongzheng.hotline.views import centre as views

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return centre_world("p")


def client_for(user) -> Client:
    client = Client()
    verified_login(client, user)
    return client


def detail_url(filed):
    return reverse("hotline:ticket_detail", args=[filed.number])


def action_url(name, filed, *args):
    return reverse(f"hotline:ticket_{name}", args=[filed.number, *args])


# ---- the list ---------------------------------------------------------------------------


def test_the_list_shows_the_operators_division_only(world):
    mine = ticket(world, content="成都的诉求")
    theirs = ticket(world, division=world.other_city, content="绵阳的诉求")
    response = client_for(world.operator).get(reverse("hotline:ticket_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert mine.number in page
    assert theirs.number not in page


def test_the_list_filters(world):
    red = ticket(world, status=TicketStatus.DISPATCHED, content="超期工单")
    Ticket.objects.filter(pk=red.pk).update(
        due_at=timezone.now() - datetime.timedelta(days=1),
        warning_at=timezone.now() - datetime.timedelta(days=2),
    )
    calm = ticket(world, content="正常工单")
    client = client_for(world.operator)
    url = reverse("hotline:ticket_list")
    page = client.get(url, {"clock": "red"}).content.decode()
    assert red.number in page and calm.number not in page
    page = client.get(url, {"status": "received"}).content.decode()
    assert calm.number in page and red.number not in page
    page = client.get(url, {"q": calm.number}).content.decode()
    assert calm.number in page and red.number not in page
    assert client.get(url, {"status": "nonsense"}).status_code == 400
    assert client.get(url, {"after": "x:1"}).status_code == 400


def test_the_list_pages_by_deadline_without_counting(
    world, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    tickets = [ticket(world) for _ in range(3)]
    undated = ticket(world, started=None)
    for offset, filed in enumerate(tickets):
        Ticket.objects.filter(pk=filed.pk).update(
            due_at=timezone.now() + datetime.timedelta(days=3 - offset)
        )
    client = client_for(world.operator)
    url = reverse("hotline:ticket_list")
    client.get(url)  # session and permission caches warm
    with django_assert_max_num_queries(8) as captured:
        first = client.get(url)
    assert not any("COUNT(" in query["sql"].upper() for query in captured.captured_queries)
    numbers = [t.number for t in first.context["tickets"]]
    assert numbers == [tickets[2].number, tickets[1].number]
    second = client.get(f"{url}?{first.context['next_query']}")
    numbers = [t.number for t in second.context["tickets"]]
    assert numbers == [tickets[0].number, undated.number]
    assert second.context["next_query"] == ""


def test_a_department_sees_its_tickets_with_confidential_reporters_hidden(world):
    secret = answered(world, confidential=True, reporter_name="赵六")
    ticket(world, content="未派单")
    response = client_for(world.lead_handler).get(reverse("hotline:ticket_list"))
    assert response.status_code == 200
    assert [t.number for t in response.context["tickets"]] == [secret.number]
    assert "赵六" not in response.content.decode()


# ---- the detail -------------------------------------------------------------------------


def test_the_operator_sees_everything_and_the_forms_of_the_state(world):
    filed = ticket(world, confidential=True, reporter_name="赵六")
    DispatchRule.objects.create(subject=world.subject, organisation=world.lead_org)
    response = client_for(world.operator).get(detail_url(filed))
    assert response.status_code == 200
    page = response.content.decode()
    assert "赵六" in page
    assert set(response.context["forms"]) == {"dispatch", "refuse", "merge"}
    assert response.context["rule"].organisation == world.lead_org
    assert f"?lead={world.lead_org.pk}" in page


def test_another_divisions_operator_gets_404(world):
    filed = ticket(world)
    client = client_for(world.other_operator)
    assert client.get(detail_url(filed)).status_code == 404
    response = client.post(action_url("dispatch", filed), {"dispatch-lead": world.lead_org.pk})
    assert response.status_code == 404
    assert not Assignment.objects.exists()


def test_a_department_reads_its_ticket_without_the_confidential_reporter(world):
    filed = answered(world, confidential=True, reporter_name="赵六")
    response = client_for(world.lead_handler).get(detail_url(filed))
    assert response.status_code == 200
    page = response.content.decode()
    assert "赵六" not in page
    assert "反映人要求保密" in page
    assert "forms" not in response.context
    lead = Assignment.objects.get(ticket=filed, role=AssignmentRole.LEAD)
    try:
        expected = reverse("hotline:assignment_detail", args=[lead.pk])
    except Exception:  # the handling pages are not installed
        expected = ""
    assert response.context["assignment_url"] == expected
    assert client_for(world.third_handler).get(detail_url(filed)).status_code == 404


def test_a_department_cannot_act_for_the_centre(world):
    filed = answered(world)
    response = client_for(world.lead_handler).post(
        action_url("revisit", filed), {"revisit-satisfaction": "satisfied"}
    )
    assert response.status_code == 403
    filed.refresh_from_db()
    assert filed.status == TicketStatus.ANSWERED


# ---- the action POSTs ---------------------------------------------------------------------


def test_dispatch_through_the_page_and_a_double_submit(world):
    filed = ticket(world)
    client = client_for(world.operator)
    data = {
        "dispatch-lead": world.lead_org.pk,
        "dispatch-assisting": [world.assist_org.pk],
        "dispatch-instructions": "请核实处理。",
    }
    response = client.post(action_url("dispatch", filed), data)
    assert response.status_code == 302
    assert Assignment.objects.filter(ticket=filed).count() == 2
    again = client.post(action_url("dispatch", filed), data)
    assert again.status_code == 400
    assert "只有待派单的工单才能派单" in again.content.decode()
    assert Assignment.objects.filter(ticket=filed).count() == 2
    assert AuditEvent.objects.filter(action="hotline.ticket_dispatched").count() == 1


def test_bad_input_is_400_and_writes_nothing(world):
    filed = ticket(world)
    client = client_for(world.operator)
    response = client.post(action_url("dispatch", filed), {"dispatch-lead": ""})
    assert response.status_code == 400
    response = client.post(action_url("revisit", filed), {"revisit-satisfaction": "satisfied"})
    assert response.status_code == 400
    assert "只有已答复待回访的工单才能回访" in response.content.decode()
    response = client.post(action_url("merge", filed), {"merge-master": "12345-nope"})
    assert response.status_code == 400
    filed.refresh_from_db()
    assert filed.status == TicketStatus.RECEIVED
    assert not filed.updates.exists()


def test_revisit_unsatisfied_through_the_page_reopens(world):
    filed = answered(world)
    response = client_for(world.operator).post(
        action_url("revisit", filed),
        {"revisit-satisfaction": "unsatisfied", "revisit-note": "仍未解决"},
    )
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.status == TicketStatus.HANDLING
    assert filed.reopen_count == 1


def test_merge_urge_and_withdraw_through_the_page(world):
    master = answered(world)
    duplicate = ticket(world)
    client = client_for(world.operator)
    response = client.post(action_url("merge", duplicate), {"merge-master": master.number})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of == master

    filed = ticket(world)
    client.post(action_url("dispatch", filed), {"dispatch-lead": world.lead_org.pk})
    response = client.post(action_url("urge", filed), {"urge-content": "请加快办理"})
    assert response.status_code == 302
    assert filed.updates.filter(kind=UpdateKind.URGE).count() == 1
    lead = Assignment.objects.get(ticket=filed)
    key = f"withdraw-{lead.pk}"
    response = client.post(action_url("withdraw", filed, lead.pk), {f"{key}-reason": "派错"})
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.status == TicketStatus.RECEIVED


def test_possible_duplicates_are_offered_when_the_finder_exists(world):
    pytest.importorskip("tongzheng.hotline.duplicates")
    first = ticket(world, content="人民路路灯不亮已经一周", address="人民路")
    second = ticket(world, content="人民路路灯不亮已经一周", address="人民路")
    response = client_for(world.operator).get(detail_url(second))
    numbers = [match.ticket.number for match in response.context["duplicates"]]
    assert first.number in numbers


def test_dispute_and_extension_decisions_through_the_page(world):
    filed = ticket(world)
    client = client_for(world.operator)
    client.post(action_url("dispatch", filed), {"dispatch-lead": world.lead_org.pk})
    lead = Assignment.objects.get(ticket=filed)
    lead.status = "disputed"
    lead.save()
    dispute = Dispute.objects.create(
        assignment=lead, reason="不属本单位职责", raised_by=world.lead_handler
    )
    extension = ExtensionRequest.objects.create(
        ticket=filed,
        organisation=world.lead_org,
        working_days=3,
        reason="需要现场勘验",
        requested_by=world.lead_handler,
    )
    page = client.get(detail_url(filed))
    assert [d for d, _form in page.context["disputes"]] == [dispute]
    assert [e for e, _form, _late in page.context["pending_extensions"]] == [extension]

    key = f"extension-{extension.pk}"
    response = client.post(
        action_url("extension_decide", filed, extension.pk), {f"{key}-decision": "approve"}
    )
    assert response.status_code == 302
    extension.refresh_from_db()
    assert extension.status == DecisionStatus.APPROVED

    key = f"dispute-{dispute.pk}"
    # Approving needs an organisation: the department suggested none.
    response = client.post(
        action_url("dispute_decide", filed, dispute.pk), {f"{key}-decision": "approve"}
    )
    assert response.status_code == 400
    response = client.post(
        action_url("dispute_decide", filed, dispute.pk),
        {f"{key}-decision": "approve", f"{key}-organisation": world.third_org.pk},
    )
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.organisation == world.third_org
    again = client.post(
        action_url("dispute_decide", filed, dispute.pk), {f"{key}-decision": "reject"}
    )
    assert again.status_code == 400
    assert AuditEvent.objects.filter(action="hotline.dispute_decided").count() == 1


def test_not_accepted_and_publication_through_the_page(world):
    client = client_for(world.operator)
    report = ticket(world, channel="12310", type="report")
    page = client.get(detail_url(report)).content.decode()
    assert "个人安置、待遇问题" in page
    response = client.post(action_url("not_accepted", report), {"refuse-ground": "personal"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == TicketStatus.NOT_ACCEPTED

    box = MailBox.objects.create(
        slug="mayor-p", title="市长信箱", organisation=world.centre, division=world.city
    )
    letter = answered(world, channel="mailbox", mailbox=box, title="路灯")
    assert "publish" in client.get(detail_url(letter)).context["forms"]
    data = {
        "publish-title": "关于路灯",
        "publish-content": "路灯不亮。",
        "publish-reply": "已修复。",
    }
    assert client.post(action_url("publish", letter), data).status_code == 302
    assert client.post(action_url("publish", letter), data).status_code == 400
    letter.refresh_from_db()
    assert letter.published_title == "关于路灯"


def test_unpublishing_through_the_page_removes_the_letter_from_the_portal(world):
    client = client_for(world.operator)
    box = MailBox.objects.create(
        slug="mayor-u", title="市长信箱", organisation=world.centre, division=world.city
    )
    letter = answered(world, channel="mailbox", mailbox=box, title="路灯")
    data = {
        "publish-title": "关于路灯公开",
        "publish-content": "路灯不亮。",
        "publish-reply": "已修复。",
    }
    assert client.post(action_url("publish", letter), data).status_code == 302
    portal = reverse("hotline:letters")
    assert "关于路灯公开" in Client().get(portal).content.decode()
    page = client.get(detail_url(letter))
    assert "unpublish" in page.context["forms"] and "publish" not in page.context["forms"]
    assert "已公开" in page.content.decode()

    assert client.post(action_url("unpublish", letter), {"unpublish-reason": ""}).status_code == 400
    # A department may read the page but not take the letter down.
    other = client_for(world.lead_handler)
    assert other.post(action_url("unpublish", letter), {"unpublish-reason": "x"}).status_code == 403
    # Another city's centre does not see the ticket at all.
    theirs = client_for(world.other_operator)
    assert (
        theirs.post(action_url("unpublish", letter), {"unpublish-reason": "x"}).status_code == 404
    )
    letter.refresh_from_db()
    assert letter.published_at is not None

    response = client.post(action_url("unpublish", letter), {"unpublish-reason": "含个人信息"})
    assert response.status_code == 302
    assert "关于路灯公开" not in Client().get(portal).content.decode()
    page = client.get(detail_url(letter))
    assert "已撤销公开" in page.content.decode()
    assert page.context["forms"]["publish"].initial["title"] == "关于路灯公开"
    assert (
        client.post(action_url("unpublish", letter), {"unpublish-reason": "再次"}).status_code
        == 400
    )
    assert AuditEvent.objects.filter(action="hotline.letter_unpublished").count() == 1


def test_the_ticket_page_reads_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    filed = ticket(world)
    client = client_for(world.operator)
    client.post(
        action_url("dispatch", filed),
        {"dispatch-lead": world.lead_org.pk, "dispatch-assisting": [world.assist_org.pk]},
    )
    for n in range(5):
        client.post(action_url("urge", filed), {"urge-content": f"第 {n} 次催办"})
    client.get(detail_url(filed))
    with django_assert_max_num_queries(25):
        assert client.get(detail_url(filed)).status_code == 200


# ---- the organisation picker -----------------------------------------------------------------


def search(client, **params):
    return client.get(reverse("hotline:organisation_search"), params)


def test_the_picker_search_answers_at_most_twenty_in_scope_by_name(world):
    for n in range(25):
        OrganisationFactory(name=f"成都市第{n:02d}街道办事处", division=world.city)
    OrganisationFactory(name="绵阳市某某街道办事处", division=world.other_city)
    OrganisationFactory(
        name="某街道办事处党建科",
        division=world.city,
        kind="internal_department",
        parent=world.lead_org,
    )
    client = client_for(world.operator)

    response = search(client, field="dispatch-lead", q="街道办事处")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('name="dispatch-lead"') == 20
    assert 'type="radio"' in page and "checked" not in page
    assert "只显示前 20 个" in page
    assert "绵阳市" not in page  # another city's organisations are out of the centre's scope
    assert "党建科" not in page  # internal departments are not dispatched to

    # Names starting with the words first; the short list says so when nothing matches.
    page = search(client, field="dispatch-lead", q="成都市城市").content.decode()
    assert world.lead_org.name in page
    assert (
        "没有找到匹配的单位" in search(client, field="dispatch-lead", q="不存在").content.decode()
    )


def test_the_picker_keeps_the_checked_ones_across_searches(world):
    client = client_for(world.operator)
    page = search(
        client,
        field="dispatch-assisting",
        multiple="1",
        q="交通",
        **{"dispatch-assisting": [world.third_org.pk, world.other_centre.pk]},
    ).content.decode()
    # The checked 住建局 stays (checked), the 交通运输局 is offered, the other city's
    # centre smuggled into the values is dropped.
    assert (
        f'value="{world.third_org.pk}" id="id_dispatch-assisting_{world.third_org.pk}" checked'
        in page
    )
    assert f'value="{world.assist_org.pk}"' in page
    assert world.other_centre.name not in page
    assert page.count('type="checkbox"') == 2


def test_the_picker_refuses_bad_input_and_departments(world):
    client = client_for(world.operator)
    assert search(client, field="<b>", q="x").status_code == 400
    assert search(client, q="x").status_code == 400
    assert search(client, field="dispatch-lead", q="x" * 51).status_code == 400
    assert search(client_for(world.lead_handler), field="dispatch-lead", q="x").status_code == 403


def test_the_ticket_page_lists_only_the_chosen_organisations(world):
    for n in range(30):
        OrganisationFactory(name=f"成都市第{n:02d}街道办事处", division=world.city)
    filed = ticket(world)
    client = client_for(world.operator)
    page = client.get(detail_url(filed)).content.decode()
    assert "街道办事处" not in page
    page = client.get(detail_url(filed) + f"?lead={world.lead_org.pk}").content.decode()
    assert f'value="{world.lead_org.pk}" id="id_dispatch-lead_{world.lead_org.pk}" checked' in page
    assert 'hx-get="/workbench/hotline/organisations/"' in page


def test_the_dispatch_form_still_validates_the_organisation_on_the_server(world):
    filed = ticket(world)
    client = client_for(world.operator)
    response = client.post(action_url("dispatch", filed), {"dispatch-lead": world.other_centre.pk})
    assert response.status_code == 400
    response = client.post(
        action_url("dispatch", filed),
        {"dispatch-lead": world.lead_org.pk, "dispatch-assisting": [world.other_centre.pk]},
    )
    assert response.status_code == 400
    filed.refresh_from_db()
    assert filed.status == TicketStatus.RECEIVED
    response = client.post(
        action_url("dispatch", filed),
        {"dispatch-lead": world.lead_org.pk, "dispatch-assisting": [world.assist_org.pk]},
    )
    assert response.status_code == 302
    assert set(Assignment.objects.filter(ticket=filed).values_list("organisation", flat=True)) == {
        world.lead_org.pk,
        world.assist_org.pk,
    }


def test_the_picker_search_reads_a_constant_number_of_queries(world, django_assert_max_num_queries):
    for n in range(40):
        OrganisationFactory(name=f"成都市第{n:02d}街道办事处", division=world.city)
    client = client_for(world.operator)
    search(client, field="dispatch-lead", q="街道")
    with django_assert_max_num_queries(8):
        response = search(
            client, field="dispatch-lead", q="街道", **{"dispatch-lead": world.lead_org.pk}
        )
    assert response.content.decode().count('name="dispatch-lead"') == 21
