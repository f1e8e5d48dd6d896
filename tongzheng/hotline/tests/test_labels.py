"""``core.labels`` on the hotline's pages: the kept texts are what Django wrote."""

import datetime
import zoneinfo

import pytest
from django.utils import formats, timezone, translation
from django.utils.html import escape

from tongzheng.hotline.track_page import _time


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
