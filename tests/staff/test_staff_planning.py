"""Planning on the line page: what is coming (holidays, closures, 24 and 31 December), a
whole-day closure read as one day, closed days without opening hours, past closures refused."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
import time_machine
from sqlalchemy import select
from staff_support import EDITOR, flashed, says

from ivr.admin import calendar
from ivr.hours import OSLO
from ivr.models import Closure

LATE_NOVEMBER = datetime(2026, 11, 30, 9, 0, tzinfo=OSLO)


def _closure(
    first: date, last_exclusive: date, reason: str = "x", at: time = time(0), until: time = time(0)
) -> calendar.ClosureRow:
    return calendar.ClosureRow(
        1, datetime.combine(first, at, OSLO), datetime.combine(last_exclusive, until, OSLO), reason
    )


def test_a_whole_day_closure_reads_as_that_one_day():
    day = _closure(date(2026, 12, 2), date(2026, 12, 3))
    span = calendar.span(day.starts_at, day.ends_at)
    assert (span.first_day, span.last_day, span.whole_days) == (date(2026, 12, 2),) * 2 + (True,)
    part = calendar.span(
        datetime(2026, 12, 2, 12, tzinfo=OSLO), datetime(2026, 12, 4, 10, tzinfo=OSLO)
    )
    assert (part.first_day, part.last_day, part.from_time, part.until_time) == (
        date(2026, 12, 2),
        date(2026, 12, 4),
        time(12),
        time(10),
    )


def test_coming_lists_holidays_on_weekdays_the_eves_open_by_law_and_closures_in_order():
    staff_day = _closure(date(2026, 12, 9), date(2026, 12, 10), "Fagdag")
    coming = calendar.coming(date(2026, 11, 30), 150, [staff_day])
    kinds = [(c.day, c.kind) for c in coming]
    assert kinds[:5] == [
        (date(2026, 12, 9), "closure"),
        (date(2026, 12, 24), "eve"),
        (date(2026, 12, 25), "holiday"),
        (date(2026, 12, 31), "eve"),
        (date(2027, 1, 1), "holiday"),
    ]
    assert (date(2027, 3, 29), "holiday") in kinds  # Easter Monday, beyond the 14 weeks
    assert (date(2026, 12, 26), "holiday") not in kinds  # a Saturday: closed anyway
    assert coming[0].name == "Fagdag" and coming[0].span.whole_days


def test_a_closed_day_shows_why_and_no_opening_hours():
    closed = _closure(date(2026, 12, 2), date(2026, 12, 3), "Fagdag")
    weeks = calendar.build(date(2026, 11, 30), 1, [closed], date(2026, 11, 30))
    wednesday = weeks[0][2]
    assert wednesday.closed_all_day and wednesday.closures[0].whole_day


@pytest.fixture(autouse=True)
def late_november():
    with time_machine.travel(LATE_NOVEMBER, tick=True):
        yield


def test_the_line_page_lists_what_is_coming_and_a_closure_as_one_day(staff):
    staff.sign_in(EDITOR)
    response = staff.post("/staff/line/closures", {"first_day": "2026-12-02", "reason": "Fagdag"})
    assert response.status_code == 302
    page = staff.client.get("/staff/line").get_data(as_text=True)
    coming = page.split('id="coming"', 1)[1].split("</section>", 1)[0]
    whole_day = f"ons. 2.12.2026 ({says('calendar.whole_day')})"  # Babel's Norwegian date
    assert whole_day in coming and "Fagdag" in coming
    assert "Julaften" in coming and "Nyttårsaften" in coming and "Første påskedag" not in coming
    assert "Andre påskedag" in coming
    closures = page.split('id="closures"', 1)[1].split("</ul>", 1)[0]
    assert f"{whole_day}: Fagdag" in closures and "00:00" not in closures
    cell = page.split('datetime="2026-12-02"', 1)[1].split("</td>", 1)[0]
    assert "08:00" not in cell and "Fagdag" in cell


def test_a_closure_that_is_already_over_is_refused_next_to_the_form(staff, db):
    staff.sign_in(EDITOR)
    response = staff.post("/staff/line/closures", {"first_day": "2026-11-02", "reason": "Too late"})
    assert response.status_code == 400
    form = response.get_data(as_text=True).split('id="closure-form"', 1)[1]
    assert ("field", says("err.past")) in flashed(form.split("</form>", 1)[0])
    assert 'value="Too late"' in form and 'value="2026-11-02"' in form
    with db.session() as s:
        assert s.scalars(select(Closure)).first() is None


def test_the_now_box_says_when_the_line_next_opens_or_closes(staff):
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=OSLO), tick=False):
        staff.sign_in(EDITOR)
        page = staff.client.get("/staff/line").get_data(as_text=True)
    closes = says("line.next_closes", when="ons. 2.12.2026 16:00")
    assert f'id="next-change">{closes}' in page
    with time_machine.travel(datetime(2026, 12, 23, 17, 0, tzinfo=OSLO), tick=False):
        staff.sign_in(EDITOR)
        page = staff.client.get("/staff/line").get_data(as_text=True)
    opens = says("line.next_opens", when="tor. 24.12.2026 08:00")
    assert f'id="next-change">{opens}' in page  # open by law


def test_closed_by_hand_the_page_names_who_and_asks_before_reopening(staff):
    staff.sign_in(EDITOR)
    staff.post("/staff/line/close", {"reason": "Personalmøte"})
    page = staff.client.get("/staff/line").get_data(as_text=True)
    now_box = page.split('aria-labelledby="now"', 1)[1].split("</section>", 1)[0]
    assert f"{says('line.by')} Eva Editor" in now_box and "editor@kom.test" not in now_box
    assert f'<p id="next-change">{says("line.until_back")}</p>' in now_box
    reopen = now_box.split('action="/staff/line/reopen"', 1)[1].split(">", 1)[0]
    assert "data-confirm=" in reopen
    close_button = now_box.split('action="/staff/line/close', 1)[1].split("</form>", 1)[0]
    assert 'class="big close"' not in close_button  # not the big red button once closed
