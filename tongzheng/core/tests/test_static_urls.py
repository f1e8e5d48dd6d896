"""``{% load static_urls %}``: Django's ``{% static %}`` output, worked out once per path."""

from django.template import engines
from django.test import override_settings

from tongzheng.core.templatetags import static_urls


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_the_output_is_djangos():
    body = '{% static "vendor/x.css" %}|{% static "a b&c.js" %}|{% static name %}|{% autoescape off %}{% static "a&b" %}{% endautoescape %}|{% static "y.js" as url %}{{ url }}'
    django = render("{% load static %}" + body, name="site.css")
    kept = render("{% load static_urls %}" + body, name="site.css")
    assert kept == django
    assert kept == render("{% load static_urls %}" + body, name="site.css")  # kept, the same


def test_a_changed_static_url_applies_at_once():
    assert render('{% load static_urls %}{% static "x.css" %}') == "/static/x.css"
    assert static_urls._rendered
    with override_settings(STATIC_URL="/assets/"):
        assert render('{% load static_urls %}{% static "x.css" %}') == "/assets/x.css"
    assert render('{% load static_urls %}{% static "x.css" %}') == "/static/x.css"
