"""QA walk, repeatable: an anonymous visitor follows every internal link from the portal
home, on a desktop and on a phone-sized screen. Every page answers without a 4xx or 5xx,
has exactly one <main> and one <h1>, shows no untranslated template text, passes axe
(WCAG 2.1 A/AA) and does not overflow sideways at 375 px.

Links that leave the public pages (the staff workbench behind the login) and files
(downloads, exports) are requested once for their status but not walked.
"""

import re
from urllib.parse import urldefrag, urljoin, urlparse

import pytest
from django.core.cache import cache
from django.utils import timezone

from tongzheng.hotline.models import Channel, TicketStatus
from tongzheng.hotline.tests.factories import MailBoxFactory, TicketFactory
from tongzheng.testing.browser import axe_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Pages that are numerous variations of one template: walk a few of each shape.
PER_SHAPE = 2
MAX_PAGES = 60
NOT_WALKED = ("/workbench/", "/accounts/logout/", "/static/", "/media/", "/api/")
RAW_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|%\([a-z_]+\)s")


@pytest.fixture
def public_content():
    """A leader's mailbox and one published letter, so those pages have rows to follow."""
    cache.clear()
    box = MailBoxFactory(title="县长信箱")
    TicketFactory(
        channel=Channel.MAILBOX,
        mailbox=box,
        status=TicketStatus.ANSWERED,
        title="小区噪音",
        content="夜间施工噪音扰民。",
        published_at=timezone.now(),
        published_title="关于小区夜间施工噪音的来信",
        published_content="某小区夜间施工噪音扰民，影响居民休息。",
        published_reply="经核查，已责令施工单位停止夜间施工。",
    )


def _shape(path: str) -> str:
    parsed = urlparse(path)
    return re.sub(r"[0-9]+", "N", parsed.path) + ("?" if parsed.query else "")


def _internal_links(page, base: str) -> list[str]:
    links = []
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        url = urldefrag(urljoin(page.url, href))[0]
        parsed = urlparse(url)
        if f"{parsed.scheme}://{parsed.netloc}" != base:
            continue
        links.append(parsed.path + (f"?{parsed.query}" if parsed.query else ""))
    return links


def _walk(page, base: str) -> list[str]:
    visited, problems, shapes = set(), [], {}
    queue = ["/"]
    while queue and len(visited) < MAX_PAGES:
        path = queue.pop(0)
        if path in visited:
            continue
        visited.add(path)
        if path.startswith(NOT_WALKED) or re.search(r"\.(csv|xlsx|pdf|json)$", path):
            if not path.startswith("/accounts/logout/"):
                status = page.request.get(base + path).status
                if status >= 400:
                    problems.append(f"{path}: HTTP {status}")
            continue
        shape = _shape(path)
        shapes[shape] = shapes.get(shape, 0) + 1
        if shapes[shape] > PER_SHAPE:
            continue
        response = page.goto(path)
        if response.status >= 400:
            problems.append(f"{path}: HTTP {response.status}")
            continue
        if page.locator("main").count() != 1:
            problems.append(f"{path}: {page.locator('main').count()} <main> elements")
        if page.locator("h1").count() != 1:
            problems.append(f"{path}: {page.locator('h1').count()} <h1> elements")
        raw = RAW_TEMPLATE.findall(page.inner_text("body"))
        if raw:
            problems.append(f"{path}: untranslated template text {raw[:3]}")
        width, viewport = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        if width > viewport + 1:
            problems.append(f"{path}: {width} px wide on a {viewport} px screen")
        axe_check(page)
        queue.extend(link for link in _internal_links(page, base) if link not in visited)
    assert len(visited) > 10, f"the walk found only {sorted(visited)}"
    return problems


def test_every_public_page_from_the_portal_home_answers_and_passes_axe(
    page, live_server, public_content
):
    problems = _walk(page, live_server.url)
    assert not problems, "\n".join(problems)


def test_the_public_pages_fit_a_phone_screen(mobile_page, live_server, public_content):
    problems = _walk(mobile_page, live_server.url)
    assert not problems, "\n".join(problems)
