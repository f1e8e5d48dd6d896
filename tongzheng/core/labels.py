"""Labels translated once per process and language, for the platform's hot pages.

``get_FOO_display`` builds a dict of the field's choices on every call, translating each
label to hash it (about 100 Python calls a call, seven calls a hotline ticket page); a
``{% translate %}`` tag costs about 75 on every render. The tables here are made once per
language and key and then read as dicts (the hotline's pages, the public status lookup).
"""

from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

_tables: dict[tuple, dict] = {}


def translated_once(name: str, make, *, urls: bool = False, language: str | None = None) -> dict:
    """``make()`` (a dict of texts in the active language) once per process, ``name`` and
    language; ``urls``: also per URLconf and script prefix (``make`` reverses URLs);
    ``language``: the active language when the caller has read it already."""
    language = language or get_language()
    key = (name, language, *((get_urlconf(), get_script_prefix()) if urls else ()))
    table = _tables.get(key)
    if table is None:
        table = _tables[key] = make()
    return table


def choices(model, field_name: str) -> dict:
    """Value → label (a str in the active language) of a model field's choices."""
    key = (model, field_name, get_language())
    table = _tables.get(key)
    if table is None:
        field = model._meta.get_field(field_name)
        table = _tables[key] = {value: str(label) for value, label in field.flatchoices}
    return table


def display(instance, field_name: str):
    """What ``instance.get_<field_name>_display()`` gives: the value's label, or the value
    itself when it has none."""
    value = getattr(instance, field_name)
    label = choices(type(instance), field_name).get(value)
    return value if label is None else label


# Format characters of a date or time that change within a minute or with the offset
# (seconds, microseconds, the timestamp, full ISO / RFC forms, time zone names).
_FINER_THAN_MINUTES = frozenset("suvUcreOTZI")
_minute_texts: dict[tuple, str] = {}
_MINUTE_TEXTS_MAX = 4096


def minute_text(local, write) -> str:
    """``write(local)`` — a local time's text in the active language's DATETIME_FORMAT —
    kept per language, time zone and minute when that format shows nothing finer than
    the minute (the tickets filed in one minute share their 受理时间 text)."""
    language = get_language()
    if translated_once("datetime_format", _datetime_format)["finer"]:
        return write(local)
    key = (language, local.tzinfo, local.fold, local.replace(second=0, microsecond=0, tzinfo=None))
    text = _minute_texts.get(key)
    if text is None:
        if len(_minute_texts) >= _MINUTE_TEXTS_MAX:
            _minute_texts.clear()
        text = _minute_texts[key] = write(local)
    return text


def _datetime_format() -> dict:
    from django.utils.formats import get_format

    return {"finer": _finer_than_minutes(get_format("DATETIME_FORMAT"))}


def _finer_than_minutes(fmt: str) -> bool:
    escaped = False
    for char in fmt:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in _FINER_THAN_MINUTES:
            return True
    return False
