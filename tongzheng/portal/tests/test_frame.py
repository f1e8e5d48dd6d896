"""portal.frame: the shell rendered once, the page's own blocks per request, spliced into
exactly what a normal render gives; anything the shell reads per request is refused."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.utils import translation

from tongzheng.portal import frame

TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")

SHELL = (
    '{% load i18n %}{% get_current_language as LANGUAGE_CODE %}<html lang="{{ LANGUAGE_CODE }}">'
    "<title>{% block title %}{% endblock %} · {% translate 'Home' %}</title>"
    '<body data-token="{{ csrf_token }}">{% if user.is_authenticated %}{{ user }}{% endif %}'
    '<form><input name="next" value="{{ request.get_full_path }}">{% csrf_token %}</form>'
    "{% for message in messages %}<p>{{ message }}</p>{% endfor %}"
    "<main>{% block content %}base content{% endblock %}</main>{% block footer %}f{% endblock %}"
    "{{ form_class }}</body></html>"
)
TEMPLATES = {
    "shell.html": SHELL,
    "middle.html": '{% extends "shell.html" %}{% block footer %}middle footer{% endblock %}',
    "page.html": (
        '{% extends "middle.html" %}{% block title %}Page {{ number }}{% endblock %}'
        "{% block content %}{{ block.super }} [{{ LANGUAGE_CODE }}] {{ number }}"
        "{% block inner %}inner{% endblock %}{% csrf_token %}{% endblock %}"
    ),
    "reads_path.html": '{% extends "shell_path.html" %}{% block content %}x{% endblock %}',
    "shell_path.html": "{{ request.path }}{% block content %}{% endblock %}",
    "filtered.html": '{% extends "shell_filter.html" %}{% block content %}x{% endblock %}',
    "shell_filter.html": "{{ request.get_full_path|urlencode }}{% block content %}{% endblock %}",
    "no_extends.html": "{{ number }}",
}


@pytest.fixture(autouse=True)
def templates():
    engine = {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [("django.template.loaders.locmem.Loader", TEMPLATES)],
            "builtins": [],
        },
    }
    with override_settings(TEMPLATES=[engine], DEBUG=False):
        yield
    frame._frames.clear()


def request(path="/status/?q=1&y=2", user=None, messages=()):
    req = RequestFactory().post(path)
    req.user = user or AnonymousUser()
    req._messages = list(messages)
    return req


def normal(req, name, context):
    return render_to_string(name, {**context, **frame.shell_context(req)})


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_spliced_page_equals_the_normal_render(language):
    with translation.override(language):
        for number in ("A1", "<B2>"):
            req = request()
            spliced = frame.render_page(req, "page.html", {"number": number})
            assert TOKEN.sub("T", spliced) == TOKEN.sub(
                "T", normal(req, "page.html", {"number": number})
            )
            assert f"[{language}]" in spliced and "middle footer" in spliced
            assert "/status/?q=1&amp;y=2" in spliced and "base content" in spliced
        assert frame._frames[next(iter(frame._frames))] is not None


def test_every_request_gets_its_own_token_and_path():
    first = frame.render_page(request("/a/"), "page.html", {"number": "1"})
    second = frame.render_page(request("/b/"), "page.html", {"number": "2"})
    assert 'value="/a/"' in first and 'value="/b/"' in second
    assert not set(TOKEN.findall(first)) & set(TOKEN.findall(second))
    assert frame.CSRF_PLACEHOLDER not in first + second


def test_signed_in_users_and_messages_take_the_normal_path(django_user_model):
    user = django_user_model(username="visible-name")
    page = frame.render_page(request(user=user), "page.html", {"number": "1"})
    assert "visible-name" in page
    page = frame.render_page(request(messages=["saved!"]), "page.html", {"number": "1"})
    assert "<p>saved!</p>" in page
    assert not frame._frames  # neither built a frame


def test_a_page_variable_the_shell_reads_takes_the_normal_path():
    frame.render_page(request(), "page.html", {"number": "1"})
    page = frame.render_page(request(), "page.html", {"number": "1", "form_class": "shown"})
    assert page.endswith("shown</body></html>")


@pytest.mark.parametrize("name", ["reads_path.html", "filtered.html", "no_extends.html"])
def test_a_shell_that_varies_per_request_is_never_kept(name):
    first = frame.render_page(request("/one/"), name, {"number": "1"})
    second = frame.render_page(request("/two/"), name, {"number": "2"})
    assert frame._frames == {(name, *list(frame._frames)[0][1:]): None}
    assert first != second


def test_changed_settings_and_debug_drop_the_frames(settings):
    frame.render_page(request(), "page.html", {"number": "1"})
    assert frame._frames
    settings.DEBUG = True
    assert not frame._frames
    frame.render_page(request(), "page.html", {"number": "1"})
    assert not frame._frames


def test_blocks_written_in_python_are_put_in_as_given_with_the_visitors_token():
    tokens = []

    def written(token):
        tokens.append(token)
        return {"content": f"<b>written</b> {token}"}

    req = request("/p/")
    page = frame.render_page(req, "page.html", {"number": "<7>"}, blocks=written)
    reference = normal(req, "page.html", {"number": "<7>"})
    # The title is still rendered from the template; the content is the one given.
    written_content = f"<main><b>written</b> {tokens[0]}</main>"
    assert "<title>Page &lt;7&gt; · Home</title>" in page and written_content in page
    normal_content = re.search(r"<main>.*</main>", reference).group(0)
    assert TOKEN.sub("T", page.replace(written_content, "")) == TOKEN.sub(
        "T", reference.replace(normal_content, "")
    )
    # One token per request: the shell's and the written block's are the same.
    assert len(tokens) == 1 and set(TOKEN.findall(page)) == {tokens[0]}


def test_written_blocks_are_not_used_on_the_normal_path(django_user_model):
    user = django_user_model(username="visible-name")
    page = frame.render_page(
        request(user=user), "page.html", {"number": "1"}, blocks=lambda token: {"content": "W"}
    )
    assert "<main>W</main>" not in page and "base content" in page


def test_a_key_read_by_the_caller_gives_the_same_page():
    with translation.override("en"):
        key = frame.page_key()
        assert key[0] == "en"
        given = frame.render_page(request(), "page.html", {"number": "1"}, key=key)
        read = frame.render_page(request(), "page.html", {"number": "1"})
    assert TOKEN.sub("T", given) == TOKEN.sub("T", read) and "[en]" in given


@pytest.mark.parametrize(
    "path", ["/a/", "/a/", "/状态/<x>&'\"/", "/a/?q=1&y=<2>", "/a/?q=2", "/a%20b/"]
)
def test_the_escaped_path_is_the_full_path_escaped_each_time(path):
    from django.utils.html import escape

    req = request(path)
    assert frame._escaped_full_path(req) == escape(req.get_full_path())
    assert frame._escaped_full_path(req) == escape(req.get_full_path())  # kept or not
    assert all("?" not in kept for kept in frame._paths)  # query strings are never kept
