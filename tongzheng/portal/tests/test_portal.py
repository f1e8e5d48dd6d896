import pytest
from django.urls import reverse

from tongzheng.accounts.tests.factories import CitizenFactory
from tongzheng.portal.views import portal_tiles

pytestmark = pytest.mark.django_db


def test_home_is_public_and_lists_the_entry_tiles(client):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    body = response.content.decode()
    for title in ("办事服务", "互动交流", "信息公开", "实名制公示"):
        assert f'<h3 class="h5 card-title">{title}</h3>' in body
    assert "12310" in body
    assert body.count("<main") == 1
    assert 'role="search"' in body and '<label class="form-label" for="tz-site-search">' in body


def test_unbuilt_tiles_are_marked_coming_soon_not_faked(client):
    body = client.get(reverse("portal:home")).content.decode()
    unbuilt = [tile for tile in portal_tiles() if tile.url is None]
    assert body.count('aria-disabled="true"') == len(unbuilt)
    assert body.count("即将开通") >= len(unbuilt)


def test_tile_links_to_its_page_once_a_module_provides_it(client, monkeypatch):
    from tongzheng.portal import views

    live = views.Tile("about", "关于", "说明", url_name="portal:about")
    monkeypatch.setattr(views, "portal_tiles", lambda: [live])
    body = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("portal:about")}"' in body
    assert 'aria-disabled="true"' not in body


def test_sign_in_link_for_visitors(client):
    body = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("accounts:login")}"' in body


def test_signed_in_citizen_sees_name_and_no_workbench_link(client):
    client.force_login(CitizenFactory(full_name="李四"))
    body = client.get(reverse("portal:home")).content.decode()
    assert "李四" in body
    assert reverse("workbench:home") not in body


def test_about_page_is_public(client):
    response = client.get(reverse("portal:about"))
    assert response.status_code == 200
    assert "关于平台" in response.content.decode()


def test_staffing_disclosure_tile_links_to_the_public_list(client):
    from tongzheng.portal.templatetags.portal import optional_url

    url = optional_url("staffing_disclosure:public_list")
    if url is None:
        pytest.skip("the staffing disclosure pages are not installed")
    body = client.get(reverse("portal:home")).content.decode()
    assert f'<a class="btn btn-outline-primary" href="{url}">进入实名制公示</a>' in body
