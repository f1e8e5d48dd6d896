"""The statistics pages, JSON, .xlsx export and API for a city user: figures and 404s."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from tongzheng.accounts.tests.factories import RoleFactory, UserFactory, verified_login
from tongzheng.core.access import DataScope
from tongzheng.core.models import DivisionLevel
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.staffing.registrations import VIEW_STATISTICS
from tongzheng.staffing.tests.factories import PersonFactory, QuotaLedgerEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    province = DivisionFactory(code="510000", name="四川省", level=DivisionLevel.PROVINCE)
    city = DivisionFactory(code="510100", name="成都市", level=DivisionLevel.CITY, parent=province)
    other = DivisionFactory(code="510300", name="自贡市", level=DivisionLevel.CITY, parent=province)
    county = DivisionFactory(code="510121", name="金堂县", level=DivisionLevel.COUNTY, parent=city)
    unit = OrganisationFactory(name="金堂县教育局", division=county)
    QuotaLedgerEntryFactory(organisation=unit, increase=4)
    for n in range(6):
        PersonFactory(organisation=unit, id_number=f"p{n}")
    role = RoleFactory(
        code="city-stat", permissions=[VIEW_STATISTICS], scope=DataScope.DIVISION_AND_BELOW
    )
    user = UserFactory(organisation=OrganisationFactory(division=city), roles=[role])
    verified_login(client, user)
    return {"city": city, "other": other, "county": county, "unit": unit, "province": province}


def test_city_user_drills_down_to_the_unit(client, world):
    response = client.get("/workbench/staffing/statistics/")
    assert response.status_code == 302
    assert response["Location"].endswith("/divisions/510100/")
    page = client.get(response["Location"]).content.decode()
    assert "金堂县" in page and "/workbench/staffing/statistics/divisions/510121/" in page
    page = client.get("/workbench/staffing/statistics/divisions/510121/").content.decode()
    assert "金堂县教育局" in page
    unit_page = client.get(f"/workbench/staffing/statistics/units/{world['unit'].pk}/")
    assert unit_page.status_code == 200


def test_other_divisions_and_units_are_404(client, world):
    assert client.get("/workbench/staffing/statistics/divisions/510300/").status_code == 404
    assert client.get("/workbench/staffing/statistics/divisions/510000/").status_code == 404
    assert (
        client.get("/workbench/staffing/statistics/divisions/510000/data.json").status_code == 404
    )
    assert (
        client.get("/workbench/staffing/statistics/divisions/510300/export.xlsx").status_code == 404
    )
    stranger = OrganisationFactory(division=world["other"])
    assert client.get(f"/workbench/staffing/statistics/units/{stranger.pk}/").status_code == 404
    assert client.get("/api/staffing-statistics/divisions/510300").status_code == 404


def test_json_api_and_xlsx_carry_the_same_figures(client, world):
    data = client.get("/workbench/staffing/statistics/divisions/510100/data.json").json()
    assert data["total"] == {"approved": 4, "occupied": 6, "vacant": 0, "over": 2}
    api = client.get("/api/staffing-statistics/divisions/510100").json()
    assert api["total"] == data["total"]
    assert api["rows"][0]["key"] == "510121"
    response = client.get("/workbench/staffing/statistics/divisions/510100/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    county_row = next(r for r in rows if r[0] == "金堂县")
    assert county_row[1:5] == (4, 6, 0, 2)
    assert rows[-1][0] == "合计" and rows[-1][1:5] == (4, 6, 0, 2)


def test_dashboard_page_loads_echarts_and_its_data_url(client, world):
    page = client.get("/workbench/staffing/statistics/divisions/510100/dashboard/").content.decode()
    assert "echarts.min.js" in page and "statistics-dashboard.js" in page
    assert "/workbench/staffing/statistics/divisions/510100/data.json" in page
