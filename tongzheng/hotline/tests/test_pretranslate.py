"""``hotline.pretranslate`` (literal translate tags kept per language) and
``core.labels`` (choice labels kept per language) give what Django gave."""

import pytest
from django.template import engines
from django.utils import translation

from tongzheng.core import labels
from tongzheng.hotline import pretranslate
from tongzheng.hotline.models import Assignment, Dispute, ExtensionRequest, Ticket

SOURCE = """{% load i18n %}<p>{% translate "工单" %}|{% translate '基本信息' %}</p>
{% if flag %}{% translate "派单" %}{% elif other %}{% translate "改派" %}{% else %}{% translate "催办" %}{% endif %}
{% for item in items %}<i>{% translate "附件：" %}{{ item }}</i>{% empty %}{% translate "暂无记录。" %}{% endfor %}
{% with name="<b>" %}{% translate "状态" %}{{ name }}{% endwith %}
{% translate "类型" as kept %}[{{ kept }}]
{% translate "类型"|upper %}
{% translate "五月" context "month name" %}
{% translate "派单" noop %}
{% translate word %}
{% translate "100%% 完成" %}
{% block body %}{% translate "渠道" %}{% endblock %}
{% autoescape off %}{% translate "标题" %}{% endautoescape %}"""
# The plain literal tags above: 工单, 基本信息, 派单, 改派, 催办, 附件：, 暂无记录。, 状态,
# 100%% 完成, 渠道, 标题 (not: as, a filter, context, noop, a variable).
PLAIN = 11


def _compile():
    return engines["django"].from_string(SOURCE)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    "context",
    [
        {"flag": True, "items": ["a<", "b"], "word": "工单"},
        {"other": True, "items": [], "word": "<i>"},
        {"word": ""},
    ],
)
def test_a_swapped_template_renders_the_same(language, context):
    plain, swapped = _compile(), _compile()
    assert pretranslate.swap(swapped.template.nodelist) == PLAIN
    with translation.override(language):
        expected = plain.render(context)
        # Twice: the first render keeps the outputs, the second reads them.
        assert swapped.render(context) == expected
        assert swapped.render(context) == expected


def test_the_outputs_are_kept_per_language():
    swapped = _compile()
    pretranslate.swap(swapped.template.nodelist)
    for language in ("zh-hans", "en", "zh-hans", "en"):
        with translation.override(language):
            assert swapped.render({}) == _compile().render({})
    with translation.override("en"):
        assert "Ticket" in swapped.render({})


def test_a_template_is_swapped_once():
    first = pretranslate.template("hotline/centre/ticket_list.html")
    kept = list(first.template.nodelist)
    again = pretranslate.template("hotline/centre/ticket_list.html")
    assert again.template is first.template
    assert list(again.template.nodelist) == kept
    nodes = again.template.nodelist.get_nodes_by_type(pretranslate.PretranslatedNode)
    assert len(nodes) >= 15


CHOICE_FIELDS = [
    (Ticket, ("status", "channel", "type", "category", "urgency", "satisfaction")),
    (Assignment, ("role", "status")),
    (Dispute, ("status",)),
    (ExtensionRequest, ("status",)),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("model", "names"), CHOICE_FIELDS)
def test_labels_are_get_foo_display(language, model, names):
    with translation.override(language):
        for name in names:
            field = model._meta.get_field(name)
            values = [value for value, _label in field.flatchoices]
            for value in [*values, "no-such-value", "", None]:
                instance = model(**{field.attname: value})
                expected = getattr(instance, f"get_{name}_display")()
                assert labels.display(instance, name) == expected
                assert type(labels.display(instance, name)) is type(expected)
