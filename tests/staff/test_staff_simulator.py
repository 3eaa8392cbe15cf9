"""The simulator page's server side: every role may call; the state the page keeps is signed;
CSRF protected; simulated calls leave no call events."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from staff_support import REVIEWER, says

from ivr.catalog import Prompt
from ivr.models import CallEvent
from ivr.services import services

CHRISTMAS = {"date": "2026-12-25", "time": "10:00", "country": "NO"}


class Page:
    """The simulator page's script: JSON posts with the page's CSRF token."""

    def __init__(self, staff):
        self.staff = staff
        self.csrf = staff.token("/staff/simulator")
        self.state = None

    def send(self, **body):
        if self.state is not None and "state" not in body:
            body["state"] = self.state
        response = self.staff.client.post(
            "/staff/simulator/call", json=body, headers={"X-CSRFToken": self.csrf}
        )
        if response.status_code == 200:
            self.state = response.get_json()["state"]
        return response


def _texts(response) -> list[str]:
    return [line["text"] for line in response.get_json()["lines"]]


def _events(app) -> int:
    with services(app).db.session() as s:
        return s.scalar(select(func.count()).select_from(CallEvent))


@pytest.mark.parametrize("role_email", ["editor@kom.test", REVIEWER, "admin@kom.test"])
def test_every_role_sees_the_keypad_and_the_options(staff, role_email):
    staff.sign_in(role_email)
    html = staff.client.get("/staff/simulator").get_data(as_text=True)
    assert f'aria-label="{says("sim.press")} 0"' in html and 'data-outcome="busy"' in html
    assert '<option value="NO" selected>' in html
    assert 'id="sim-drafts"' in html


def test_a_call_through_the_page_on_a_holiday(app, staff, catalog):
    staff.sign_in(REVIEWER)
    page = Page(staff)
    started = page.send(action="start", **CHRISTMAS)
    assert started.status_code == 200
    assert catalog.text(Prompt("greeting", "en")) in _texts(started)
    assert started.get_json()["listening"]["timeout"] == catalog.gather_timeout

    menu = page.send(action="press", key="1", heard=1.5)
    lines = menu.get_json()["lines"]
    assert lines[0]["kind"] == "key" and lines[0]["running"] == 1.5, "barge-in after 1.5 s"
    assert catalog.text(Prompt("topic_menu", "en")) in _texts(menu)
    english = next(line for line in lines if line["prompt"] == "topic_menu")
    assert english["lang"] == "en" and english["estimated"]

    closed = page.send(action="press", key="0")
    assert catalog.text(Prompt("closed", "en")) in _texts(closed)
    assert catalog.text(Prompt("callback", "en")) in _texts(closed)
    assert closed.get_json()["dialing"] is None
    assert _events(app) == 0, "simulated calls are not counted"


def test_a_transfer_waits_for_the_outcome_staff_choose(staff, catalog):
    staff.sign_in(REVIEWER)
    page = Page(staff)
    page.send(action="start", date="2026-12-02", time="10:00")
    page.send(action="press", key="1")
    ringing = page.send(action="press", key="0").get_json()
    assert ringing["dialing"] == {"numbers": "47 45 15 00"} and not ringing["listening"]
    busy = page.send(action="dial", outcome="busy")
    assert catalog.text(Prompt("transfer_failed", "en")) in _texts(busy)
    assert busy.get_json()["lines"][0] == {
        **busy.get_json()["lines"][0],
        "kind": "outcome",
        "text": "busy",
    }


def test_silence_follows_the_menu_timeout(staff, catalog):
    staff.sign_in(REVIEWER)
    page = Page(staff)
    page.send(action="start")
    again = page.send(action="silence").get_json()
    assert again["lines"][0]["kind"] == "silence"
    assert again["lines"][0]["seconds"] == catalog.gather_timeout


def test_the_page_cannot_change_the_call_it_keeps(staff):
    staff.sign_in(REVIEWER)
    page = Page(staff)
    page.send(action="start")
    forged = page.state[:-4] + ("AAAA" if not page.state.endswith("AAAA") else "BBBB")
    assert page.send(action="press", key="1", state=forged).status_code == 400
    assert page.send(action="press", key="x").status_code == 400
    assert page.send(action="dial", outcome="answered").status_code == 400, "nothing rings"


def test_the_page_api_needs_a_signed_in_person_and_the_csrf_token(client, staff):
    assert client.post("/staff/simulator/call", json={"action": "start"}).status_code == 302
    staff.sign_in(REVIEWER)
    refused = client.post("/staff/simulator/call", json={"action": "start"})
    assert refused.status_code == 400


def test_the_page_may_play_files_from_the_lines_audio_address(app, staff):
    app.config["AUDIO_BASE_URL"] = "https://cdn.example.org/kom-audio"
    staff.sign_in(REVIEWER)
    policy = staff.client.get("/staff/simulator").headers["Content-Security-Policy"]
    assert "media-src 'self' https://cdn.example.org;" in policy
    assert "script-src" not in policy and "default-src 'self'" in policy
