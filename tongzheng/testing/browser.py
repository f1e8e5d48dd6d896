"""Playwright fixtures for the browser tests (``@pytest.mark.browser``).

One Chromium — Debian's /usr/bin/chromium, installed by ``make browser`` — is launched
once per test session and shared; each test gets a fresh browser context (its own
cookies) through the ``page`` fixture. Pages are served by pytest-django's
``live_server`` (which gives the test a transactional database).

``axe_check(page)`` injects the axe-core build copied by ``make assets`` and fails the
test with a readable list of WCAG 2.1 A/AA violations.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MOBILE_VIEWPORT = {"width": 375, "height": 667}


def axe_script() -> Path:
    return Path(settings.BASE_DIR) / "build" / "static" / "vendor" / "axe.min.js"


@pytest.fixture(scope="session")
def playwright_session():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop in the main thread, which makes Django
    # refuse ORM calls from the test body ("cannot call this from an async context").
    # The test body is ordinary synchronous code, so the guard is lifted for the session.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            yield playwright
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright_session):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-installs Debian's chromium)")
    browser = playwright_session.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


def _new_page(browser, live_server, **context_options):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **context_options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server):
    """A page in a fresh browser context, its relative URLs resolved against the live server."""
    context, page = _new_page(browser, live_server)
    yield page
    context.close()


@pytest.fixture
def mobile_page(browser, live_server):
    """Like ``page`` but with a phone-sized viewport (375 x 667, touch)."""
    context, page = _new_page(
        browser, live_server, viewport=MOBILE_VIEWPORT, is_mobile=True, has_touch=True
    )
    yield page
    context.close()


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


def axe_check(page, *, tags: list[str] | None = None) -> None:
    """Run axe-core on the current page; fail the test listing every violation."""
    script = axe_script()
    if not script.exists():
        pytest.fail(f"{script} is missing: run `make assets`")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(script))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        tags or AXE_TAGS,
    )
    violations = result["violations"]
    if violations:
        pytest.fail(
            f"axe found {len(violations)} accessibility violation(s) on {page.url}:\n"
            + format_violations(violations),
            pytrace=False,
        )


def totp_token(device) -> str:
    """The current token of a django-otp TOTP device, as an authenticator app shows it."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{totp.token():0{device.digits}d}"
