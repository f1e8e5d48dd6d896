"""工作日 is two words in English: a time limit's unit ("working days") and the calendar's
kind of day ("Working day"); the unit carries a message context so each gets its own."""

from django.utils import translation

from tongzheng.services.models import LimitUnit


def test_the_time_limit_unit_is_translated_apart_from_the_calendar_day():
    with translation.override("en"):
        assert str(LimitUnit.WORKING_DAYS.label) == "working days"
        assert str(LimitUnit.DAYS.label) == "calendar days"
        assert translation.gettext("工作日") == "Working day"
    with translation.override("zh-hans"):
        assert str(LimitUnit.WORKING_DAYS.label) == "工作日"
