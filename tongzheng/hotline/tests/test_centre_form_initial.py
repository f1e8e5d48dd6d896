"""A centre form with initial texts (公开来信's prefill) is rendered once per language and
set of empty values, its values put in afterwards: the same HTML as Django's own render,
whatever the values (markup, quotes, line breaks, spaces only, empty)."""

import pytest
from django.utils import translation

from tongzheng.hotline.views.centre_forms import CentreForm, PublishForm

VALUES = [
    {"title": "路灯不亮", "content": "第一行\n第二行", "reply": "已修复。"},
    {"title": "<b>\"标题\"</b> & '引号'", "content": "<script>x</script>", "reply": "a &amp; b"},
    {"title": "", "content": "", "reply": ""},
    {"title": "只有标题", "content": "", "reply": "  "},
    {"title": " ", "content": "\n内容以换行开头", "reply": ""},
    {"title": "标题", "content": "内容"},  # a field without initial
]


def _django(form) -> str:
    return super(CentreForm, form).render()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("initial", VALUES)
def test_the_prefilled_form_is_django_s_own_render(initial, language):
    with translation.override(language):
        for _ in range(2):  # rendered, then from what was kept
            form = PublishForm(initial=initial)
            assert str(form) == _django(PublishForm(initial=initial))
            assert form["title"].value() == initial.get("title")


def test_a_value_that_is_not_a_text_renders_as_django_does():
    initial = {"title": 12345, "content": "内容", "reply": "答复"}
    assert str(PublishForm(initial=initial)) == _django(PublishForm(initial=initial))
