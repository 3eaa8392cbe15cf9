"""Statistics from real calls walked through the test caller: the dashboard and the CSV show
the same numbers, small cells are masked, prune keeps exactly the retention."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select
from staff_support import WEDNESDAY_10, says

from ivr import stats
from ivr.hours import OSLO
from ivr.models import CallEvent
from ivr.services import services

CHRISTMAS_14 = datetime(2026, 12, 25, 14, 0, tzinfo=OSLO)
DAY = WEDNESDAY_10.date()


def _walk(caller, at, keys, dial_status="completed"):
    with time_machine.travel(at, tick=False):
        call = caller(dial_status)
        for key in keys:
            call.press(key)
    # Events are queued off the call's road; write them now, as the writer thread soon would.
    assert services(call.client.application).events.flush()
    return call


def _calls(caller):
    """12 calls: 6 hear topic 1 (3 of them its part 2), 5 press 0 while open and get no
    answer at 10:00 (one busy), 1 presses 0 on Christmas Day; 2 hang up in the language menu."""
    for i in range(6):
        _walk(caller, WEDNESDAY_10, ["1", "1", "1"] if i < 3 else ["1", "1"])
    for _ in range(4):
        _walk(caller, WEDNESDAY_10, ["1", "0"], "no-answer")
    _walk(caller, WEDNESDAY_10, ["1", "0"], "busy")
    _walk(caller, CHRISTMAS_14, ["2", "0"])
    for _ in range(2):
        _walk(caller, WEDNESDAY_10, [])


def _csv(staff, first, last) -> dict[tuple[str, str], str]:
    response = staff.client.get(f"/staff/statistics.csv?from={first}&to={last}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["section", "label", "count"]
    return {(section, label): count for section, label, count in rows[1:]}


def test_dashboard_and_csv_count_the_calls_walked_and_mask_small_cells(app, caller, staff):
    _calls(caller)
    result = stats.report(services(app).db, DAY, CHRISTMAS_14.date())
    assert result.value("calls_total", "calls") == 14
    assert result.value("languages", "en") == 11 and result.value("languages", "nb") == 1
    assert result.value("transfers", "no-answer") == 4 and result.value("transfers", "busy") == 1
    assert result.value("person", "closed") == 1
    assert result.value("missed_hours", "10") == 5
    assert result.value("language_menu", "ended") == 2
    assert result.value("calls_hour", "10") == 13 and result.value("calls_hour", "14") == 1

    staff.sign_in()
    exported = _csv(staff, DAY, CHRISTMAS_14.date())
    assert exported[("calls_total", "calls")] == "14"
    assert exported[("languages", "en")] == "11"
    assert exported[("languages", "nb")] == "< 5"
    assert exported[("transfers", "no-answer")] == "< 5"
    assert exported[("missed_hours", "10")] == "5"
    assert exported[("language_menu", "ended")] == "< 5"
    assert exported[("calls_day", DAY.isoformat())] == "13"
    assert all(":" not in label or section == "topics" for section, label in exported)

    page = staff.client.get(f"/staff/statistics?from={DAY}&to={CHRISTMAS_14.date()}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in html
    assert '<tr data-label="en"><th scope="row">English (en)</th><td>11</td></tr>' in html
    assert '<tr data-label="nb"><th scope="row">Norsk (nb)</th><td>&lt; 5</td></tr>' in html
    assert says("stats.what_text", months=app.config["STATS_RETENTION_MONTHS"]) in html


def test_topics_show_how_far_callers_listened(app, caller):
    _calls(caller)
    result = stats.report(services(app).db, DAY, DAY)
    topic = services(app).catalog.topic_for_key("1")
    assert result.value("topics", f"{topic.id}:1") == 6
    if len(topic.parts) > 1:
        assert result.value("topics", f"{topic.id}:2") == 3


def test_statistics_need_a_signed_in_person(client):
    assert client.get("/staff/statistics").status_code == 302
    assert client.get("/staff/statistics.csv").status_code == 302


def _event(db, at):
    with db.session() as s:
        s.add(CallEvent(at=at, node="incoming", event="language_menu"))


def _count(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(CallEvent))


def test_prune_removes_exactly_what_is_older_than_the_retention(app):
    db, now = services(app).db, datetime(2027, 3, 31, 12, 0, tzinfo=UTC)
    cutoff = stats.retention_cutoff(now, 13)
    assert cutoff == datetime(2026, 2, 28, 12, 0, tzinfo=UTC)
    _event(db, cutoff - timedelta(seconds=1))
    _event(db, cutoff)
    _event(db, cutoff + timedelta(seconds=1))
    deleted, _ = stats.prune(db, now, 13)
    assert deleted == 1 and _count(db) == 2


def test_ivr_stats_prune_erases_call_keys_after_the_call_and_keeps_the_counts(app, caller):
    _calls(caller)
    db = services(app).db
    before = stats.report(db, DAY, CHRISTMAS_14.date())
    with time_machine.travel(CHRISTMAS_14 + timedelta(hours=5), tick=False):
        result = app.test_cli_runner().invoke(args=["stats", "prune"])
    assert result.exit_code == 0 and "erased the call key of 14" in result.output
    with db.session() as s:
        assert s.scalar(select(func.count()).where(CallEvent.call_key.is_not(None))) == 0
    after = stats.report(db, DAY, CHRISTMAS_14.date())
    assert after.value("language_menu", "ended") == before.value("language_menu", "ended") == 2
    assert after.value("calls_total", "calls") == 14


def test_calls_offered_their_countrys_language_first_are_counted(app):
    """The flow's first event of a call with a country hint is `country_hint`."""
    db = services(app).db
    at = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    with db.session() as s:
        for event in ("country_hint", "country_hint", "language_menu"):
            s.add(CallEvent(at=at, node="incoming", event=event))
    result = stats.report(db, at.date(), at.date())
    assert result.value("country_hint", "used") == 2
    assert result.value("calls_total", "calls") == 3
