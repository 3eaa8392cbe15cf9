"""The staff interface in Norwegian and English: Flask-Babel catalogues that agree, compiled on
start, plurals, and dates in the person's language and Oslo time."""

from __future__ import annotations

import re
import shutil

import time_machine
from babel.messages.pofile import read_po
from staff_support import EDITOR, WEDNESDAY_10

from ivr import audit
from ivr.admin.i18n import CATALOGUES, compiled

PLACEHOLDER = re.compile(r"%\((\w+)\)")


def catalogue(lang: str):
    with (CATALOGUES / lang / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file)


def test_both_languages_have_every_key_with_the_same_placeholders():
    nb, en = catalogue("nb"), catalogue("en")
    keys = {m.id if isinstance(m.id, str) else m.id[0] for m in nb if m.id}
    assert keys == {m.id if isinstance(m.id, str) else m.id[0] for m in en if m.id}
    for message in nb:
        if not message.id:
            continue
        other = en[message.id]
        nb_text = message.string if isinstance(message.string, str) else message.string[1]
        en_text = other.string if isinstance(other.string, str) else other.string[1]
        assert nb_text and en_text, message.id
        assert set(PLACEHOLDER.findall(nb_text)) == set(PLACEHOLDER.findall(en_text)), message.id


def test_catalogues_are_compiled_when_missing_or_changed(tmp_path):
    source = tmp_path / "translations"
    shutil.copytree(CATALOGUES, source, ignore=shutil.ignore_patterns("*.mo"))
    assert compiled(source) == source
    mo = source / "nb" / "LC_MESSAGES" / "messages.mo"
    first = mo.read_bytes()
    po = source / "nb" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text().replace('"Endringslogg"', '"Logg over endringer"'))
    compiled(source)
    assert mo.read_bytes() != first and b"Logg over endringer" in mo.read_bytes()


def test_catalogues_compile_elsewhere_when_the_folder_cannot_be_written(tmp_path):
    source = tmp_path / "translations"
    shutil.copytree(CATALOGUES, source, ignore=shutil.ignore_patterns("*.mo"))
    (source / "en" / "LC_MESSAGES" / "messages.mo.part").mkdir()  # no file can be written there
    target = compiled(source)
    assert target != source and (target / "en" / "LC_MESSAGES" / "messages.mo").is_file()


def test_the_interface_is_norwegian_until_english_is_chosen(staff):
    staff.sign_in(EDITOR)
    assert '<html lang="nb">' in staff.client.get("/staff/line").get_data(as_text=True)
    staff.client.get("/staff/ui/en")
    assert '<html lang="en">' in staff.client.get("/staff/line").get_data(as_text=True)


def test_calendar_days_are_written_in_the_persons_language(staff):
    with time_machine.travel(WEDNESDAY_10, tick=False):
        staff.sign_in(EDITOR)
        norwegian = staff.client.get("/staff/line").get_data(as_text=True)
        staff.client.get("/staff/ui/en")
        english_page = staff.client.get("/staff/line").get_data(as_text=True)
    assert '<th scope="col">ons.</th>' in norwegian and 'datetime="2026-12-02">2.12.<' in norwegian
    assert '<th scope="col">Wed</th>' in english_page
    assert 'datetime="2026-12-02">02/12<' in english_page


def test_times_are_shown_in_oslo_time_in_the_persons_language(staff, db):
    with time_machine.travel(WEDNESDAY_10, tick=False):
        audit.record(db, "cli", "line.close", "drill")
        staff.sign_in(EDITOR)
        norwegian = staff.client.get("/staff/audit").get_data(as_text=True)
        staff.client.get("/staff/ui/en")
        english_page = staff.client.get("/staff/audit").get_data(as_text=True)
    assert "2. des. 2026, 10:00:00" in norwegian  # 09:00 UTC is 10:00 in Oslo
    assert "2 Dec 2026, 10:00:00" in english_page


def test_the_audit_total_has_a_plural(staff, db):
    staff.sign_in(EDITOR)  # the first entry
    total = re.compile(r'id="audit-total">([^<]+)<')
    assert total.search(staff.client.get("/staff/audit").get_data(as_text=True))[1] == (
        "1 endring i alt"
    )
    audit.record(db, "cli", "staff.add", "one@kom.test")
    assert total.search(staff.client.get("/staff/audit").get_data(as_text=True))[1] == (
        "2 endringer i alt"
    )
    staff.client.get("/staff/ui/en")
    assert total.search(staff.client.get("/staff/audit").get_data(as_text=True))[1] == (
        "2 changes in all"
    )


def test_every_key_the_code_and_templates_name_is_in_the_catalogue():
    admin = CATALOGUES.parent
    sources = [p.read_text() for p in admin.rglob("*.py")]
    sources += [p.read_text() for p in (admin / "templates").rglob("*.html")]
    named = re.compile(
        r"""(?:\b_|\bt|\btn|_n|Required|message=)\(?\s*["']([a-z_]+\.[a-z_.]+|[a-z_]+)["']"""
    )
    keys = {k for text in sources for k in named.findall(text)}
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue("nb") if m.id}
    assert len(keys) > 100
    assert keys - known == set()
