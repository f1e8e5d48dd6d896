"""``core.labels``: tables of texts made once per process, name and language."""

from django.urls import get_urlconf, set_urlconf
from django.utils import translation

from tongzheng.core import labels


def test_translated_once_is_kept_per_name_and_language():
    made = []

    def make():
        made.append(translation.get_language())
        return {"language": translation.get_language()}

    for language in ("zh-hans", "en", "zh-hans", "en"):
        with translation.override(language):
            assert labels.translated_once("test-table", make) == {"language": language}
    assert made == ["zh-hans", "en"]


def test_a_language_read_already_is_the_key():
    made = []

    def make():
        made.append(translation.get_language())
        return {}

    with translation.override("en"):
        labels.translated_once("test-given-language", make, language="en")
        labels.translated_once("test-given-language", make)
    assert made == ["en"]


def test_url_tables_are_kept_per_urlconf():
    made = []

    def make():
        made.append(get_urlconf())
        return {}

    current = get_urlconf()
    labels.translated_once("test-urls", make, urls=True)
    labels.translated_once("test-urls", make, urls=True)
    set_urlconf("another.urlconf")  # a key only: nothing is imported or reversed
    try:
        labels.translated_once("test-urls", make, urls=True)
    finally:
        set_urlconf(current)
    assert made == [current, "another.urlconf"]


def test_a_format_finer_than_minutes_is_written_each_time():
    assert labels._finer_than_minutes("Y-m-d H:i:s")
    assert labels._finer_than_minutes("c")
    assert not labels._finer_than_minutes("N j, Y, P")
    assert not labels._finer_than_minutes("Y年n月j日 H:i")
    assert not labels._finer_than_minutes(r"H:i \s")  # an escaped s is a letter
