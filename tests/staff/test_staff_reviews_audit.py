"""The languages page with reviews, and the audit log page."""

from __future__ import annotations

from sqlalchemy import select
from staff_support import ADMIN, EDITOR, REVIEWER, says

from ivr.admin.languages import texts_fingerprint
from ivr.models import LanguageReview


def test_languages_page_shows_each_languages_review_status(staff, catalog):
    staff.sign_in(EDITOR)
    page = staff.client.get("/staff/languages").get_data(as_text=True)
    for language in catalog.languages.values():
        assert f'id="lang-{language.code}"' in page
    assert 'class="status draft"' in page and 'class="status source"' in page
    assert says("languages.mark") not in page, "an editor is not offered the reviewer's button"


def test_a_reviewer_marks_a_language_reviewed(staff, db, catalog, audit_facts):
    staff.sign_in(REVIEWER)
    response = staff.post("/staff/languages/ro/reviewed", page="/staff/languages")
    assert response.status_code == 302
    with db.session() as s:
        review = s.scalars(select(LanguageReview)).one()
    assert review.lang == "ro"
    assert review.reviewed_by == "Rolf Reviewer <reviewer@kom.test>"
    assert review.texts_hash == texts_fingerprint(catalog, "ro")
    page = staff.client.get("/staff/languages").get_data(as_text=True)
    assert "Rolf Reviewer" in page and says("languages.changed") not in page
    assert audit_facts()[-1][:2] == (
        "language.reviewed",
        {"lang": "ro", "texts": texts_fingerprint(catalog, "ro")},
    )


def test_a_review_of_changed_texts_is_flagged(staff, db):
    with db.session() as s:
        s.add(LanguageReview(lang="ro", reviewed_by="Old Reviewer", texts_hash="0" * 12))
    staff.sign_in(EDITOR)
    page = staff.client.get("/staff/languages").get_data(as_text=True)
    assert "Old Reviewer" in page and says("languages.changed") in page


def test_an_admin_may_mark_reviewed(staff):
    staff.sign_in(ADMIN)
    assert staff.post("/staff/languages/nb/reviewed", page="/staff/languages").status_code == 302


def test_an_editor_may_not_mark_reviewed(staff, db):
    staff.sign_in(EDITOR)
    response = staff.post("/staff/languages/ro/reviewed", page="/staff/languages")
    assert response.status_code == 403
    with db.session() as s:
        assert s.scalars(select(LanguageReview)).first() is None


def test_marking_an_unknown_language_is_not_found(staff):
    staff.sign_in(REVIEWER)
    assert staff.post("/staff/languages/xx/reviewed", page="/staff/languages").status_code == 404


def test_marking_reviewed_without_csrf_token_is_refused(staff, db):
    staff.sign_in(REVIEWER)
    assert staff.client.post("/staff/languages/ro/reviewed").status_code == 400
    with db.session() as s:
        assert s.scalars(select(LanguageReview)).first() is None


def test_audit_page_lists_every_change_newest_first(staff):
    staff.sign_in(EDITOR)
    staff.post("/staff/line/close", {"reason": "Fire drill"})
    staff.post("/staff/line/reopen")
    page = staff.client.get("/staff/audit").get_data(as_text=True)
    assert "Eva Editor &lt;editor@kom.test&gt;" in page
    assert "Fire drill" in page
    assert (
        page.index(says("action.line.reopen"))
        < page.index(says("action.line.close"))
        < (page.index(says("action.staff.sign_in")))
    )


def test_audit_page_is_paged(staff, db):
    from ivr import audit

    for n in range(150):
        audit.record(db, "cli", "staff.add", f"person{n}@kom.test")
    staff.sign_in(EDITOR)
    first = staff.client.get("/staff/audit").get_data(as_text=True)
    second = staff.client.get("/staff/audit?page=2").get_data(as_text=True)
    assert "person149@kom.test" in first and "person0@kom.test" not in first
    assert "person0@kom.test" in second and f"{says('audit.page')} 2 / 2" in second


def test_a_review_makes_a_draft_language_offered_when_drafts_are_withheld(
    staff, db, caller, catalog
):
    from ivr.schedule import write_setting

    write_setting(db, "offer_drafts", False)
    assert not any(h.language.startswith("nb") for h in caller().heard)
    staff.sign_in(REVIEWER)
    staff.post("/staff/languages/nb/reviewed", page="/staff/languages")
    assert catalog.languages["nb"].status == "reviewed"
    assert any(h.language.startswith("nb") for h in caller().heard)
    page = staff.client.get("/staff/languages").get_data(as_text=True)
    nb_row = page.split('id="lang-nb"')[1].split("</tr>")[0]
    assert f'class="status reviewed">{says("status.reviewed")}<' in nb_row
