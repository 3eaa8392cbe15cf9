"""Review status: a changed English text makes its translations outdated until stamped."""

import shutil
from datetime import UTC, datetime

import pytest
import time_machine

from ivr import create_app
from ivr.catalog import load_catalog
from ivr.config import DEFAULTS
from ivr.services import services


@pytest.fixture
def prompts(tmp_path):
    folder = tmp_path / "prompts"
    shutil.copytree(DEFAULTS["PROMPTS_DIR"], folder)
    return folder


@pytest.fixture
def cli(app_settings, prompts):
    app = create_app({**app_settings, "PROMPTS_DIR": str(prompts)})
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def row(output: str, code: str) -> list[str]:
    return next(line.split() for line in output.splitlines() if line.startswith(f"{code} "))


def test_report_counts_every_segment_of_every_language(cli):
    result = cli("languages")
    assert result.exit_code == 0
    nb = row(result.output, "nb")
    segments = str(len(load_catalog(DEFAULTS["PROMPTS_DIR"]).segments))
    assert nb[2] == "draft" and nb[3] == segments and nb[4] == "0" and nb[6] == "0"


def test_changing_the_english_makes_translations_outdated(cli, prompts):
    (prompts / "en" / "goodbye.txt").write_text("Thank you. Goodbye.\n")
    result = cli("languages")
    nb = row(result.output, "nb")
    assert nb[6] == "1", result.output
    assert "outdated: goodbye" in result.output


def test_stamping_an_updated_translation_clears_outdated(cli, prompts):
    (prompts / "en" / "goodbye.txt").write_text("Thank you. Goodbye.\n")
    (prompts / "nb" / "goodbye.txt").write_text("Takk. Ha det.\n")
    assert cli("languages", "stamp", "nb", "goodbye").exit_code == 0
    assert row(cli("languages").output, "nb")[6] == "0"


def test_a_reviewer_marks_a_language_reviewed(cli, prompts):
    result = cli("languages", "review", "ro", "--by", "Ana Popescu", "--on", "2026-11-20")
    assert result.exit_code == 0, result.output
    catalog = load_catalog(prompts)
    ro = catalog.languages["ro"]
    assert (ro.status, ro.reviewed_by, ro.reviewed_on) == ("reviewed", "Ana Popescu", "2026-11-20")
    segments = len(catalog.segments)
    assert row(cli("languages").output, "ro")[7] == str(segments)
    assert len(ro.texts) == segments and ro.name == "Română", "the rest of the language is kept"


def test_a_review_without_a_date_is_dated_today_in_oslo(cli, prompts):
    new_years_eve_late = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 January in Oslo
    with time_machine.travel(new_years_eve_late, tick=False):
        assert cli("languages", "review", "ro", "--by", "Ana Popescu").exit_code == 0
    assert load_catalog(prompts).languages["ro"].reviewed_on == "2027-01-01"


def test_a_language_with_missing_segments_cannot_be_marked_reviewed(cli, prompts):
    (prompts / "bg" / "goodbye.txt").unlink()
    result = cli("languages", "review", "bg", "--by", "Someone")
    assert result.exit_code != 0 and "missing" in result.output
    assert "missing:  goodbye" in cli("languages").output


def test_a_disabled_language_disappears_from_the_menu_and_comes_back(app, caller, catalog):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["languages", "disable", "nb"]).exit_code == 0
    call = caller()
    assert not call.heard_prompt("lang_select", "nb", "2")
    assert call.heard_prompt("lang_select", "ro", "2"), "the next language moves up"
    call.press("2")
    assert call.heard_prompt("intro", "ro")
    assert runner.invoke(args=["languages", "enable", "nb"]).exit_code == 0
    assert caller().heard_prompt("lang_select", "nb", "2")


def test_drafts_can_be_hidden_from_callers(app, caller):
    assert app.test_cli_runner().invoke(args=["languages", "drafts", "hide"]).exit_code == 0
    call = caller()
    offered = [h for h in call.heard if h.language and h.language != "en-GB"]
    assert not offered, "only the reviewed source language is offered"
    assert call.heard_prompt("lang_select", "en", "1")


def test_report_and_stamp_see_english_texts_published_by_staff(app_settings, prompts):
    from ivr.texts import publish_version, save_version

    app = create_app({**app_settings, "PROMPTS_DIR": str(prompts)})
    runner = app.test_cli_runner()
    db, catalog = services(app).db, services(app).catalog
    version = save_version(db, catalog, "closed", "en", "KOM is closed at the moment.", by="t")
    publish_version(db, version, by="t")
    assert "outdated: closed" in runner.invoke(args=["languages"]).output
    (prompts / "nb" / "closed.txt").write_text("KOM er stengt akkurat nå.\n")
    assert runner.invoke(args=["languages", "stamp", "nb", "closed"]).exit_code == 0
    output = runner.invoke(args=["languages"]).output
    assert row(output, "nb")[6] == "0" and "outdated: closed" in output  # other languages
