"""A report filed without a place goes to the centre's own area (HOTLINE_DEFAULT_DIVISION)."""

import pytest

from tongzheng.core.tests.factories import DivisionFactory
from tongzheng.hotline.actions.intake import create_ticket

pytestmark = pytest.mark.django_db


def data(**overrides):
    return {
        "channel": "web",
        "type": "complaint",
        "content": "路灯不亮已经一周。",
        "anonymous": True,
        **overrides,
    }


def test_a_report_without_a_place_takes_the_configured_centre_area(settings):
    city = DivisionFactory(code="510100")
    settings.HOTLINE_DEFAULT_DIVISION = "510100"
    ticket, _ = create_ticket(data=data())
    assert ticket.division == city
    assert ticket.division_path == city.path


def test_a_place_given_wins_over_the_default(settings):
    DivisionFactory(code="510100")
    county = DivisionFactory(code="510104")
    settings.HOTLINE_DEFAULT_DIVISION = "510100"
    ticket, _ = create_ticket(data=data(division=county))
    assert ticket.division == county


def test_without_a_configured_default_the_ticket_has_no_division(settings):
    settings.HOTLINE_DEFAULT_DIVISION = ""
    ticket, _ = create_ticket(data=data())
    assert ticket.division is None
