import pytest
from django.contrib.auth.models import AnonymousUser

from tongzheng.accounts.tests.factories import CitizenFactory, RoleFactory, UserFactory
from tongzheng.core.registry import NavEntry
from tongzheng.workbench.context import navigation_for

pytestmark = pytest.mark.django_db


def labels(items):
    return [str(item.label) for item in items]


def test_anonymous_and_citizens_get_no_navigation():
    assert navigation_for(AnonymousUser(), "/workbench/") == []
    assert navigation_for(CitizenFactory(), "/workbench/") == []


def test_entries_are_filtered_by_permission(registry_navigation):
    registry_navigation.append(NavEntry("审计日志", "portal:about", "audit.view_event", order=50))
    plain = UserFactory()
    auditor = UserFactory(roles=[RoleFactory(permissions=["audit.view_event"])])

    assert "审计日志" not in labels(navigation_for(plain, "/workbench/"))
    assert "工作台" in labels(navigation_for(plain, "/workbench/"))
    assert "审计日志" in labels(navigation_for(auditor, "/workbench/"))


def test_inactive_user_sees_nothing():
    user = UserFactory(is_active=False)
    assert navigation_for(user, "/workbench/") == []


def test_unresolvable_entry_is_skipped_not_raised(registry_navigation):
    registry_navigation.append(NavEntry("未安装", "nowhere:page", None, order=1))
    assert "未安装" not in labels(navigation_for(UserFactory(), "/workbench/"))


def test_longest_matching_url_is_the_active_item(registry_navigation):
    # /workbench/ prefixes every workbench page; a deeper entry must win when it matches.
    registry_navigation.append(NavEntry("关于", "portal:about", None, order=5))
    user = UserFactory()

    on_home = {str(i.label): i.active for i in navigation_for(user, "/workbench/")}
    assert on_home["工作台"] is True
    assert on_home["关于"] is False

    on_about = {str(i.label): i.active for i in navigation_for(user, "/about/")}
    assert on_about == {"工作台": False, "关于": True}


def test_workbench_home_is_registered_first():
    items = navigation_for(UserFactory(), "/workbench/")
    assert labels(items)[0] == "工作台"
    assert items[0].url == "/workbench/"


def test_context_processor_is_lazy(rf, django_assert_num_queries):
    from tongzheng.workbench.context import navigation

    request = rf.get("/workbench/")
    request.user = UserFactory(roles=[RoleFactory(permissions=["audit.view_event"])])
    request.user = type(request.user).objects.get(pk=request.user.pk)  # no cached roles
    with django_assert_num_queries(0):
        context = navigation(request)
    with django_assert_num_queries(1):  # the user's roles
        assert "工作台" in labels(context["workbench_navigation"])
