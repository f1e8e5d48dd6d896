"""zh-hans is the source language; English comes from tongzheng/locale/en (committed .po + .mo)."""

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "tongzheng" / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


def po_catalog() -> dict:
    catalog = {}
    for entry in polib.pofile(str(LOCALE / "django.po")):
        if entry.obsolete or entry.fuzzy:
            continue
        # The .mo file keys an entry with a context (pgettext) as "context\x04msgid".
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            for index, text in entry.msgstr_plural.items():
                if text:
                    catalog[(msgid, int(index))] = text
        elif entry.msgstr:
            catalog[msgid] = entry.msgstr
    return catalog


def mo_catalog() -> dict:
    with open(LOCALE / "django.mo", "rb") as handle:
        translations = gettext.GNUTranslations(handle)
    return {key: value for key, value in translations._catalog.items() if key != ""}


def test_compiled_catalog_matches_the_po_file():
    """django.mo is committed; recompile it whenever django.po changes (docs/i18n.md)."""
    po, mo = po_catalog(), mo_catalog()
    assert set(po) - set(mo) == set(), "in django.po but not compiled into django.mo"
    assert set(mo) - set(po) == set(), "in django.mo but no longer in django.po"
    changed = {key for key in po if po[key] != mo[key]}
    assert changed == set(), "translations changed since django.mo was compiled"


def test_every_message_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


def test_translations_keep_their_placeholders():
    for entry in polib.pofile(str(LOCALE / "django.po")):
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        targets = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        expected = set().union(*(set(PLACEHOLDER.findall(s)) for s in sources))
        for target in targets:
            assert set(PLACEHOLDER.findall(target)) == expected, entry.msgid


def test_portal_home_is_chinese_by_default(client):
    body = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in body
    assert "政务服务门户" in body


def test_portal_home_in_english_from_accept_language(client):
    body = client.get("/", headers={"accept-language": "en"}).content.decode()
    assert '<html lang="en">' in body
    assert "Government Services Portal" in body
    assert "Coming soon" in body
    assert "政务服务门户" not in body


def test_language_switch_works_before_login(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/about/"})
    assert response.status_code == 302
    assert response["Location"] == "/about/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "About the platform" in client.get("/about/").content.decode()


def test_language_switch_refuses_foreign_redirects(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_catalogue_holds_every_marked_message_and_no_other(tmp_path, settings):
    """makemessages over a copy of the code finds the committed catalogue's msgids, no more
    and no fewer: a text moved from a template into Python as ``gettext(variable)`` is
    invisible to it and would vanish from django.po at the next run (mark it with
    ``gettext_noop``), and a text no longer used is removed (docs/i18n.md)."""
    from contextlib import chdir
    from shutil import copytree, ignore_patterns, which

    from django.core.management import call_command

    if which("xgettext") is None:
        pytest.fail("xgettext (Debian's gettext package) is needed to extract messages")
    copy = tmp_path / "tongzheng"
    copytree(
        Path(settings.BASE_DIR) / "tongzheng",
        copy,
        ignore=ignore_patterns("__pycache__", "*.mo", "static", "*.js", "*.css", "*.txt.gz"),
    )
    settings.LOCALE_PATHS = [copy / "locale"]
    with chdir(tmp_path):
        call_command("makemessages", locale=["en"], verbosity=0)

    def msgids(path) -> set:
        return {(e.msgctxt, e.msgid) for e in polib.pofile(str(path)) if not e.obsolete}

    committed = msgids(LOCALE / "django.po")
    extracted = msgids(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    assert committed - extracted == set(), "in django.po but no longer marked in the code"
    assert extracted - committed == set(), "marked in the code but not in django.po"
