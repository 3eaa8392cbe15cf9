"""The translators' worklist: outdated with the English before and now, missing, waiting,
not reviewed (ivr.translations.worklist, pure)."""

from __future__ import annotations

from ivr import create_app
from ivr.catalog import SOURCE_LANGUAGE
from ivr.services import services
from ivr.texts import english_versions, newest_drafts, publish_version, save_version
from ivr.translations import Waiting, worklist


def _publish(app, segment: str, lang: str, text: str) -> None:
    db, catalog = services(app).db, services(app).catalog
    publish_version(db, save_version(db, catalog, segment, lang, text, "kari"), "kari")
    services(app).texts.refresh()


def test_a_changed_english_puts_the_translation_on_the_worklist_with_both_englishes(app):
    db = services(app).db
    before = services(app).catalog.file_text(SOURCE_LANGUAGE, "goodbye")
    _publish(app, "goodbye", "en", "Thank you for calling. Take care.")
    _publish(app, "goodbye", "en", "Thank you for calling KOM. Take care.")
    catalog = services(app).catalog  # the catalog as it is after publishing (a new object)
    work = worklist(catalog, "nb", english_versions(db), {})
    [item] = work.of("outdated")
    assert item.segment == "goodbye" and item.english_before == before
    assert item.english == "Thank you for calling KOM. Take care."
    assert item.text == catalog.languages["nb"].texts["goodbye"]
    assert work.counts["outdated"] == 1 and work.counts["missing"] == 0
    # A translation saved from the middle English: its English-before is that version.
    _publish(app, "goodbye", "ro", "Vă mulțumim. Aveți grijă.")
    _publish(app, "goodbye", "en", "Thank you for calling. Goodbye and take care.")
    [ro] = worklist(services(app).catalog, "ro", english_versions(db), {}).of("outdated")
    assert ro.english_before == "Thank you for calling KOM. Take care."


def test_missing_waiting_and_not_reviewed_are_listed_in_the_order_given(app_settings, prompts_copy):
    (prompts_copy / "nb" / "goodbye.txt").unlink()
    app = create_app({**app_settings, "PROMPTS_DIR": str(prompts_copy)})
    catalog, db = services(app).catalog, services(app).db
    save_version(
        db, catalog, "intro", "nb", "Samtalen er fortrolig. Ring 112 ved fare. Trykk 0.", "kari"
    )
    drafts = newest_drafts(db, "nb")
    waiting = {s: Waiting(v.text, v.id) for s, v in drafts.items()}
    order = ["intro", *[s for s in catalog.segments if s != "intro"]]
    work = worklist(catalog, "nb", [], waiting, order)
    assert [w.segment for w in work.of("waiting")] == ["intro"]
    assert work.of("waiting")[0].draft.startswith("Samtalen er fortrolig")
    assert work.items[0].segment == "intro"
    [missing] = work.of("missing")
    assert missing.segment == "goodbye" and missing.english.startswith("Thank you")
    assert work.counts["unreviewed"] == len(catalog.segments) - 1  # never reviewed
    assert worklist(catalog, "en", [], {}).counts == {
        "outdated": 0,
        "missing": 0,
        "waiting": 0,
        "unreviewed": 0,
    }
    services(app).db.engine.dispose()
