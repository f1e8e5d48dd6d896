"""``hotline.labels``: the tables kept per language give what Django's own calls gave."""

import datetime
import zoneinfo

import pytest
from django.utils import formats, timezone, translation
from django.utils.html import escape

from tongzheng.hotline import labels
from tongzheng.hotline.track_page import _time


def test_translated_once_is_kept_per_name_and_language():
    made = []

    def make():
        made.append(translation.get_language())
        return {"language": translation.get_language()}

    for language in ("zh-hans", "en", "zh-hans", "en"):
        with translation.override(language):
            assert labels.translated_once("test-table", make) == {"language": language}
    assert made == ["zh-hans", "en"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York"])
def test_minute_texts_are_the_localized_times(language, zone):
    start = datetime.datetime(2026, 3, 8, 6, 58, 59, 999_999, tzinfo=datetime.UTC)
    moments = [start + datetime.timedelta(seconds=s) for s in (0, 1, 30, 61, 3600, 43_200)]
    # Midnight, noon and their neighbours (en writes them as words).
    moments += [
        datetime.datetime(2026, 11, 28, h, m, s, tzinfo=datetime.UTC)
        for h, m, s in ((15, 59, 59), (16, 0, 0), (16, 0, 1), (4, 0, 0), (4, 0, 59), (4, 1, 0))
    ]
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        for moment in moments * 2:  # the second time from the kept texts
            expected = escape(formats.localize(timezone.localtime(moment)))
            assert _time(moment) == expected


def test_a_format_finer_than_minutes_is_written_each_time(settings):
    assert labels._finer_than_minutes("Y-m-d H:i:s")
    assert labels._finer_than_minutes("c")
    assert not labels._finer_than_minutes("N j, Y, P")
    assert not labels._finer_than_minutes("Y年n月j日 H:i")
    assert not labels._finer_than_minutes(r"H:i \s")  # an escaped s is a letter
