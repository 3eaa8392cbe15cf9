"""The line page: the close/reopen switch, closures, transfer numbers, languages, roles."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from markupsafe import escape
from sqlalchemy import select
from staff_support import (
    ADMIN,
    BEFORE_DECEMBER,
    EDITOR,
    REVIEWER,
    WEDNESDAY_10,
    flashed,
    line_state,
    says,
)

from ivr.hours import OSLO
from ivr.models import Closure, LineSwitch, Setting, utcnow


@pytest.fixture(autouse=True)
def late_november():
    with time_machine.travel(BEFORE_DECEMBER, tick=True):
        yield


def _settings(db) -> dict:
    with db.session() as s:
        return {row.key: json.loads(row.value) for row in s.scalars(select(Setting))}


def _press_0_at(caller, at: datetime):
    with time_machine.travel(at, tick=False):
        return caller().press("1").press("0")


def test_line_page_shows_open_or_closed_now_and_the_calendar(staff):
    with time_machine.travel(WEDNESDAY_10, tick=False):
        staff.sign_in(EDITOR)
        page = staff.client.get("/staff/line").get_data(as_text=True)
    assert 'class="card switch is-open"' in page
    assert 'datetime="2026-12-02">2.12.</time>' in page and "08:00–16:00" in page
    assert "Første juledag" in page, "Christmas Day is in the coming months"


def test_closing_the_line_makes_a_weekday_call_get_the_callback_information(
    staff, db, caller, audit_actions
):
    assert _press_0_at(caller, WEDNESDAY_10).dialed, "open by the regular hours"
    staff.sign_in(EDITOR)
    response = staff.post("/staff/line/close", {"reason": "Staff meeting"})
    assert response.status_code == 302
    assert line_state(staff.client.get("/staff/line").get_data(as_text=True)) == "closed"
    call = _press_0_at(caller, WEDNESDAY_10)
    assert call.heard_prompt("closed") and call.heard_prompt("callback")
    assert not call.dialed
    with db.session() as s:
        switch = s.scalars(select(LineSwitch)).one()
    assert (switch.is_open, switch.reason, switch.set_by) == (
        False,
        "Staff meeting",
        f"Eva Editor <{EDITOR}>",
    )
    assert audit_actions()[-1] == ("Eva Editor <editor@kom.test>", "line.close", "Staff meeting")


def test_reopening_returns_to_the_regular_hours(staff, caller, audit_actions):
    staff.sign_in(EDITOR)
    staff.post("/staff/line/close", {"reason": "Staff meeting"})
    assert staff.post("/staff/line/reopen").status_code == 302
    call = _press_0_at(caller, WEDNESDAY_10)
    assert call.dialed and call.heard_prompt("transfer")
    assert audit_actions()[-1][1] == "line.reopen"


def refused_form(response, form_id: str) -> str:
    """The refused form's HTML: the page is shown again (400), the reason inside the form."""
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    form = page.split(f'id="{form_id}"', 1)[1].split("</form>", 1)[0]
    assert f'id="{form_id}-error"' in form and 'aria-invalid="true"' in form
    return form


def test_closing_needs_a_reason(staff, db):
    staff.sign_in(EDITOR)
    form = refused_form(staff.post("/staff/line/close", {"reason": "  "}), "close-form")
    assert says("err.reason") in form
    with db.session() as s:
        assert s.scalars(select(LineSwitch)).first() is None


@pytest.mark.parametrize(
    "path,data",
    [
        ("/staff/line/close", {"reason": "x"}),
        ("/staff/line/reopen", {}),
        ("/staff/line/closures", {"first_day": "2026-12-07", "reason": "x"}),
        ("/staff/line/transfer", {"numbers": "+4712345678", "timeout": "30"}),
        ("/staff/line/languages", {"enabled": ["en"]}),
    ],
)
def test_a_reviewer_may_not_change_the_line(staff, db, audit_actions, path, data):
    staff.sign_in(REVIEWER)
    response = staff.post(path, data)
    assert response.status_code == 403
    assert ("error", says("err.forbidden")) in flashed(response.get_data(as_text=True))
    assert _settings(db) == {}
    assert [a[1] for a in audit_actions()] == ["staff.sign_in"]


def test_an_admin_may_change_the_line(staff, db):
    staff.sign_in(ADMIN)
    assert staff.post("/staff/line/close", {"reason": "x"}).status_code == 302
    with db.session() as s:
        assert s.scalars(select(LineSwitch)).one().set_by == ADMIN


def test_a_whole_day_closure_closes_the_line_that_day_only(staff, db, caller, audit_facts):
    staff.sign_in(EDITOR)
    response = staff.post(
        "/staff/line/closures", {"first_day": "2026-12-02", "reason": "Staff day"}
    )
    assert response.status_code == 302
    with db.session() as s:
        closure = s.scalars(select(Closure)).one()
    assert closure.starts_at == datetime(2026, 12, 2, tzinfo=OSLO)
    assert closure.ends_at == datetime(2026, 12, 3, tzinfo=OSLO)
    assert not _press_0_at(caller, WEDNESDAY_10).dialed
    assert _press_0_at(caller, WEDNESDAY_10 + timedelta(days=1)).dialed
    assert audit_facts()[-1] == (
        "closure.add",
        {"span": ["2026-12-02T00:00:00+01:00", "2026-12-03T00:00:00+01:00"]},
        "Staff day",
    )


def test_a_part_day_closure_shows_in_the_calendar(staff, db):
    staff.sign_in(EDITOR)
    today = utcnow().astimezone(OSLO).date()
    day = today + timedelta(days=7)
    staff.post(
        "/staff/line/closures",
        {"first_day": day.isoformat(), "from_time": "12:00", "reason": "Christmas lunch"},
    )
    with db.session() as s:
        closure = s.scalars(select(Closure)).one()
    assert closure.starts_at == datetime.combine(day, datetime.min.time(), OSLO) + timedelta(
        hours=12
    )
    page = staff.client.get("/staff/line").get_data(as_text=True)
    assert "12:00–24:00: Christmas lunch" in page


def test_a_closure_over_several_days_with_times(staff, db):
    staff.sign_in(EDITOR)
    staff.post(
        "/staff/line/closures",
        {
            "first_day": "2026-12-23",
            "last_day": "2026-12-28",
            "from_time": "12:00",
            "until_time": "10:00",
            "reason": "Christmas",
        },
    )
    with db.session() as s:
        closure = s.scalars(select(Closure)).one()
    assert closure.starts_at == datetime(2026, 12, 23, 12, tzinfo=OSLO)
    assert closure.ends_at == datetime(2026, 12, 28, 10, tzinfo=OSLO)


@pytest.mark.parametrize(
    "data",
    [
        {"first_day": "2026-12-07", "last_day": "2026-12-06", "reason": "x"},
        {"first_day": "2026-12-07", "from_time": "14:00", "until_time": "12:00", "reason": "x"},
        {"first_day": "2026-12-07", "reason": ""},
        {"first_day": "not a date", "reason": "x"},
        {"first_day": "2026-12-07", "last_day": "2028-12-07", "reason": "x"},
    ],
)
def test_a_malformed_closure_is_refused(staff, db, data):
    staff.sign_in(EDITOR)
    form = refused_form(staff.post("/staff/line/closures", data), "closure-form")
    with db.session() as s:
        assert s.scalars(select(Closure)).first() is None
    if data["reason"]:
        assert 'value="x"' in form  # what was typed is kept


def test_removing_a_closure_reopens_that_day(staff, db, caller, audit_actions):
    staff.sign_in(EDITOR)
    staff.post("/staff/line/closures", {"first_day": "2026-12-02", "reason": "Staff day"})
    with db.session() as s:
        closure_id = s.scalars(select(Closure)).one().id
    assert staff.post(f"/staff/line/closures/{closure_id}/remove").status_code == 302
    assert _press_0_at(caller, WEDNESDAY_10).dialed
    assert audit_actions()[-1][1] == "closure.remove"
    assert staff.post(f"/staff/line/closures/{closure_id}/remove").status_code == 404


def test_transfer_numbers_and_ring_time_are_used_by_the_next_call(staff, db, caller, audit_facts):
    staff.sign_in(ADMIN)
    response = staff.post(
        "/staff/line/transfer", {"numbers": "+4791234567\n+4722334455", "timeout": "40"}
    )
    assert response.status_code == 302
    assert _settings(db) == {"transfer_numbers": ["+4791234567", "+4722334455"], "dial_timeout": 40}
    call = _press_0_at(caller, WEDNESDAY_10)
    assert call.dialed[0]["numbers"] == ["+4791234567", "+4722334455"]
    assert call.dialed[0]["timeout"] == "40"
    action, facts, _ = audit_facts()[-1]
    assert action == "line.transfer"
    assert facts["old_numbers"] == ["+4747451500"]
    assert facts["numbers"] == ["+4791234567", "+4722334455"]
    assert (facts["old_ring"], facts["ring"]) == (25, 40)


@pytest.mark.parametrize(
    "numbers,timeout",
    [
        ("12345678", "30"),  # not E.164
        ("+47٤٧٤٥١٥٠٠", "30"),  # Arabic-Indic digits: phonenumbers would read them quietly
        ("+47４７４５１５００", "30"),  # full-width digits
        ("+4712345678", "30"),  # E.164 in shape, but no such Norwegian number
        ("+4791234567 +47abc", "30"),
        ("\n".join(f"+47912345{n:02d}" for n in range(11)), "30"),  # more than 10
        ("+4791234567 +4722334455", "30"),  # two numbers need a new line, a comma or a semicolon
        ("", "30"),
        ("+4791234567", "4"),
        ("+4791234567", "601"),
    ],
)
def test_malformed_transfer_settings_are_refused(staff, db, numbers, timeout):
    staff.sign_in(ADMIN)
    response = staff.post("/staff/line/transfer", {"numbers": numbers, "timeout": timeout})
    form = refused_form(response, "transfer-form")
    assert _settings(db) == {}
    assert f'value="{timeout}"' in form and escape(numbers) in form  # what was typed is kept


def test_transfer_numbers_may_be_written_with_spaces_and_dots(staff, db):
    staff.sign_in(ADMIN)
    response = staff.post(
        "/staff/line/transfer",
        {"numbers": "+47 47 45 15 00\r\n+47.91.23.45.67; +47 223 34 455", "timeout": "30"},
    )
    assert response.status_code == 302
    assert _settings(db)["transfer_numbers"] == ["+4747451500", "+4791234567", "+4722334455"]


def test_ten_transfer_numbers_are_allowed(staff, db):
    staff.sign_in(ADMIN)
    numbers = [f"+47912345{n:02d}" for n in range(10)]
    staff.post("/staff/line/transfer", {"numbers": ", ".join(numbers), "timeout": "600"})
    assert _settings(db)["transfer_numbers"] == numbers


def test_only_an_admin_may_change_where_callers_are_put_through(staff, db, audit_actions):
    staff.sign_in(EDITOR)
    page = staff.client.get("/staff/line").get_data(as_text=True)
    form = page.split('id="transfer-form"', 1)[1].split("</form>", 1)[0]
    assert says("transfer.admins_only") in form and "<fieldset disabled>" in form
    response = staff.post("/staff/line/transfer", {"numbers": "+4791234567", "timeout": "30"})
    assert response.status_code == 403
    assert _settings(db) == {}
    assert "line.transfer" not in [a[1] for a in audit_actions()]


def test_a_transfer_change_names_the_admin_in_the_audit_log(staff, db, audit_actions, audit_facts):
    staff.sign_in(ADMIN)
    staff.post("/staff/line/transfer", {"numbers": "+47 91 23 45 67", "timeout": "30"})
    actor, action, _ = audit_actions()[-1]
    assert (action, ADMIN in actor) == ("line.transfer", True)
    facts = audit_facts()[-1][1]
    assert (facts["old_numbers"], facts["numbers"]) == (["+4747451500"], ["+4791234567"])


def test_switching_languages_off_removes_them_from_the_menu(
    staff, db, caller, catalog, audit_actions
):
    staff.sign_in(EDITOR)
    keep = ["en", "nb"]
    response = staff.post("/staff/line/languages", {"enabled": keep, "offer_drafts": "y"})
    assert response.status_code == 302
    stored = _settings(db)
    assert stored["disabled_languages"] == sorted(set(catalog.languages) - set(keep))
    assert stored["offer_drafts"] is True
    call = caller()
    offered = {h.language for h in call.heard}
    assert offered <= {catalog.languages[c].say_language for c in keep}
    assert audit_actions()[-1][1] == "line.languages"


def test_drafts_can_be_withheld_from_callers(staff, db):
    staff.sign_in(EDITOR)
    staff.post("/staff/line/languages", {"enabled": ["en", "nb", "ro"]})
    assert _settings(db)["offer_drafts"] is False


def test_at_least_one_language_stays_on(staff, db):
    staff.sign_in(EDITOR)
    staff.post("/staff/line/languages", {"enabled": ["xx"]})
    assert _settings(db) == {}


def test_a_setting_that_would_offer_no_language_is_refused(staff, db, caller, catalog):
    staff.sign_in(EDITOR)
    response = staff.post(
        "/staff/line/languages",
        {"enabled": ["nb", "ro"]},  # drafts only
        follow_redirects=True,
    )
    assert says("err.none_offered") in response.get_data(as_text=True)
    assert _settings(db) == {}
    assert {h.language for h in caller().heard} >= {catalog.languages["en"].say_language}
    ok = staff.post("/staff/line/languages", {"enabled": ["nb", "ro"], "offer_drafts": "y"})
    assert ok.status_code == 302 and _settings(db)["offer_drafts"] is True


def test_calendar_marks_holidays_weekends_and_today(staff):
    with time_machine.travel(datetime(2027, 5, 4, 9, tzinfo=OSLO), tick=False):
        staff.sign_in(EDITOR)
        page = staff.client.get("/staff/line").get_data(as_text=True)
    assert "Andre pinsedag; Grunnlovsdag" in page and "Kristi himmelfartsdag" in page
    assert f'datetime="{date(2027, 5, 17).isoformat()}">17.5.</time>' in page
    today = re.findall(
        r'<td class="[^"]*\btoday\b[^"]*">\s*<span class="date">.*?datetime="([^"]+)"', page
    )
    assert today == ["2027-05-04"] and says("calendar.today") in page


@pytest.mark.parametrize(
    "at,why",
    [
        (datetime(2026, 12, 5, 10, tzinfo=OSLO), says("why.hours")),  # Saturday
        (datetime(2026, 12, 25, 10, tzinfo=OSLO), f"{says('why.holiday')}: Første juledag"),
    ],
)
def test_line_page_says_why_the_line_is_closed(staff, at, why):
    with time_machine.travel(at, tick=False):
        staff.sign_in(EDITOR)
        page = staff.client.get("/staff/line").get_data(as_text=True)
    assert line_state(page) == "closed" and f'<p id="why-closed">{why}</p>' in page


def test_line_page_names_the_planned_closure_in_force(staff):
    staff.sign_in(EDITOR)
    staff.post("/staff/line/closures", {"first_day": "2026-12-02", "reason": "Staff day"})
    with time_machine.travel(WEDNESDAY_10, tick=False):
        staff.sign_in(EDITOR)
        page = staff.client.get("/staff/line").get_data(as_text=True)
    assert f'<p id="why-closed">{says("why.closure")}: Staff day</p>' in page


def test_a_closure_beyond_the_calendar_is_listed_and_can_be_removed(staff, db):
    staff.sign_in(EDITOR)
    later = (utcnow().astimezone(OSLO) + timedelta(days=200)).date()
    staff.post("/staff/line/closures", {"first_day": later.isoformat(), "reason": "Far away"})
    assert "Far away" in staff.client.get("/staff/line").get_data(as_text=True)


def test_a_line_opened_by_hand_shows_who_opened_it(staff, app):
    with app.app_context():
        app.test_cli_runner().invoke(args=["hours", "open", "--reason", "Extra evening"])
    staff.sign_in(EDITOR)
    page = staff.client.get("/staff/line").get_data(as_text=True)
    assert says("line.open") in page and says("line.switch_opened") in page
    assert "Extra evening" in page
    assert says("line.reopen") in page, "the button returns to the regular hours"
    assert says("line.close_now") in page


def test_close_now_is_always_offered_and_back_to_regular_hours_names_its_effect(staff, app):
    def buttons() -> list[str]:
        page = staff.client.get("/staff/line").get_data(as_text=True)
        return [b.strip() for b in re.findall(r"<button[^>]*>([^<]*)</button>", page)]

    with time_machine.travel(WEDNESDAY_10, tick=False):
        staff.sign_in(EDITOR)
        assert says("line.close_now") in buttons()
        assert not any(says("line.reopen") in b for b in buttons())  # no switch: nothing to undo
        staff.post("/staff/line/close", {"reason": "Staff meeting"})
        assert says("line.close_now") in buttons()
        assert f"{says('line.reopen')} – {says('line.back_opens')}" in buttons()
        staff.client.get("/staff/ui/en")
        assert f"{says('line.reopen', 'en')} – {says('line.back_opens', 'en')}" in buttons()
    saturday = WEDNESDAY_10 + timedelta(days=3)
    with time_machine.travel(saturday, tick=False):
        staff.sign_in(EDITOR)  # the session of Wednesday has expired
        staff.client.get("/staff/ui/en")
        assert f"{says('line.reopen', 'en')} – {says('line.back_stays_closed', 'en')}" in buttons()
        app.test_cli_runner().invoke(args=["hours", "open", "--reason", "Extra Saturday"])
        assert says("line.close_now", "en") in buttons()
        assert f"{says('line.reopen', 'en')} – {says('line.back_closes', 'en')}" in buttons()
