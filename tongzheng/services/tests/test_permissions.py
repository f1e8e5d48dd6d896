"""Who may do what, with real objects (the matrix rows use objects that do not exist).

- window staff of the implementing organisation: see and handle;
- a department holding a task of the application: sees it, decides only its own task;
- window staff of an unrelated organisation: 404 everywhere;
- an item administrator / a supervisor (view only, division scope): see, cannot act (403);
- an item administrator of another division: the item is a 404;
- a citizen: 403 on every workbench page.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tongzheng.accounts.tests.factories import CitizenFactory, UserFactory, verified_login
from tongzheng.core.access import DataScope
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.services import actions
from tongzheng.services.models import TaskKind
from tongzheng.services.tests.factories import (
    handler,
    item_admin,
    published_item,
    role,
    submitted_application,
)

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    verified_login(client, user)
    return client


@pytest.fixture
def case():
    item = published_item()
    application, _code = submitted_application(item)
    actions.accept(actor=handler(item.organisation), application=application)
    return item, application


def detail(application):
    return reverse("services:application_detail", args=[application.number])


def act(application, action="close"):
    return reverse("services:application_action", args=[application.number, action])


def test_window_staff_of_the_organisation_sees_and_handles(case):
    item, application = case
    client = client_for(handler(item.organisation))
    assert client.get(detail(application)).status_code == 200
    assert client.post(act(application, "start_special"), {}).status_code == 400  # bad form


def test_a_department_with_a_task_sees_it_and_decides_only_its_own(case):
    item, application = case
    mine, theirs = application.tasks.filter(kind=TaskKind.REVIEW).order_by("pk")
    client = client_for(handler(mine.organisation))
    assert client.get(detail(application)).status_code == 200
    assert client.post(act(application, "close")).status_code == 404  # not the window
    decide = reverse("services:task_decide", args=[theirs.pk])
    assert client.post(decide, {}).status_code == 404


def test_an_unrelated_organisation_gets_404(case):
    _item, application = case
    client = client_for(handler(OrganisationFactory()))
    assert client.get(detail(application)).status_code == 404
    assert client.post(act(application)).status_code == 404


def test_view_only_roles_see_but_cannot_act(case):
    item, application = case
    supervisor = UserFactory(
        organisation=OrganisationFactory(division=item.organisation.division),
        roles=[
            role("test_supervisor", ["services.view_application"], DataScope.DIVISION_AND_BELOW)
        ],
    )
    for user in (supervisor, item_admin(item.organisation)):
        client = client_for(user)
        assert client.get(detail(application)).status_code == 200
        assert client.get(reverse("services:inbox")).status_code == 200
        assert client.post(act(application)).status_code == 403


def test_items_of_another_division_are_404(case):
    item, _application = case
    elsewhere = item_admin(OrganisationFactory(division=DivisionFactory(code="520100")))
    client = client_for(elsewhere)
    assert client.get(reverse("services:item_detail", args=[item.pk])).status_code == 404
    assert client.get(reverse("services:item_edit", args=[item.pk])).status_code == 404
    own = client_for(item_admin(item.organisation))
    assert own.get(reverse("services:item_detail", args=[item.pk])).status_code == 200


def test_citizens_are_kept_out_of_the_workbench(case):
    _item, application = case
    client = client_for(CitizenFactory())
    assert client.get(reverse("services:inbox")).status_code == 403
    assert client.get(detail(application)).status_code == 403
