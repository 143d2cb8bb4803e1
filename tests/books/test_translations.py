"""The interface in simplified and traditional Chinese: every user-facing string extracted
from the code and templates has its translation in both catalogs, the compiled catalogs are
current, and the admin answers in the browser's language."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("zh_Hans", "zh_Hant")
DOMAINS = ("django", "djangojs")  # templates and Python; the review screen's script
SOURCES = ("books", "config", "exports", "ocr", "ops", "search", "templates", "locale", "manage.py")
needs_gettext = pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext not installed")


def untranslated(po: Path) -> list[str]:
    """msgids whose translation is empty or marked fuzzy."""
    missing = []
    for entry in po.read_text(encoding="utf-8").split("\n\n")[1:]:
        msgid = "".join(re.findall(r'^(?:msgid|)\s*"(.*)"$', entry.split("msgstr")[0], re.M))
        strings = "".join(re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', entry, re.M))
        continued = re.search(r'msgstr(?:\[\d\])? ""\n"', entry)
        if "#, fuzzy" in entry or (not strings and not continued):
            missing.append(msgid)
    return missing


@needs_gettext
def test_every_string_in_the_code_has_both_translations(tmp_path, settings, monkeypatch):
    # Extract afresh in a copy of the sources and catalogs (makemessages writes into the
    # catalogs beside the files it reads): a new string shows up there untranslated.
    for name in SOURCES:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, tmp_path / name)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    for domain in DOMAINS:
        call_command("makemessages", locale=list(LANGUAGES), domain=domain, verbosity=0)
    for language in LANGUAGES:
        for domain in DOMAINS:
            fresh = tmp_path / "locale" / language / "LC_MESSAGES" / f"{domain}.po"
            assert untranslated(fresh) == [], f"{language} {domain}: translate, then make messages"
            kept = ROOT / "locale" / language / "LC_MESSAGES" / f"{domain}.po"
            assert kept.read_text().count("\nmsgid ") == fresh.read_text().count("\nmsgid ")


@needs_gettext
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_the_compiled_catalogs_are_current(tmp_path, language, domain):
    folder = ROOT / "locale" / language / "LC_MESSAGES"
    compiled = tmp_path / f"{domain}.mo"
    source = folder / f"{domain}.po"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(source)], check=True)
    assert compiled.read_bytes() == (folder / f"{domain}.mo").read_bytes(), "run: make messages"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "expected"),
    [("zh-CN,zh;q=0.9", "恢复此版本"), ("zh-TW", "恢復此版本"), ("en", "Restore this version")],
)
def test_the_review_screen_speaks_the_browsers_language(client, accept, expected):
    from ocr import page_versions
    from ocr.models import VersionReason
    from tests.ocr.lines import make_page_with_lines, make_user

    page = make_page_with_lines(2)
    page_versions.keep_version(page.pk, VersionReason.RECOGNIZED_AGAIN)
    client.force_login(make_user("carol", "Correctors"))
    html = client.get(
        f"/admin/books/page/{page.pk}/review/", HTTP_ACCEPT_LANGUAGE=accept
    ).content.decode()
    assert expected in html
    assert settings.LANGUAGES[0][0] == "en"


@pytest.mark.django_db
def test_the_screens_script_gets_its_messages_in_the_browsers_language(client):
    def in_script(text):  # the catalog writes non-ASCII as \\u escapes
        return json.dumps(text)[1:-1]

    catalog = client.get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="zh-TW").content.decode()
    assert in_script("已儲存 %s 行。") in catalog and in_script("%s 的異體字") in catalog
    english = client.get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert in_script("已儲存") not in english
