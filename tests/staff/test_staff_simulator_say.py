"""The simulator page shows a <Say> prompt in the staff's words and carries the words Twilio's
voice speaks (the page speaks those, and shows them on hover)."""

from __future__ import annotations

from staff_support import REVIEWER

from ivr.catalog import Prompt


def test_a_say_line_keeps_the_staff_text_and_carries_the_spoken_words(staff, catalog):
    staff.sign_in(REVIEWER)
    headers = {"X-CSRFToken": staff.token("/staff/simulator")}
    state = None
    for body in (
        {"action": "start", "date": "2026-12-25", "time": "10:00", "country": "NO"},
        {"action": "press", "key": "1"},
        {"action": "press", "key": "0"},
    ):
        response = staff.client.post(
            "/staff/simulator/call", json={**body, "state": state}, headers=headers
        )
        assert response.status_code == 200
        state = response.get_json()["state"]
    lines = response.get_json()["lines"]
    callback = next(line for line in lines if line["prompt"] == "callback")
    assert callback["kind"] == "say"
    assert callback["text"] == catalog.text(Prompt("callback", "en"))
    assert "one one two" in callback["spoken"] and "112" not in callback["spoken"]
    assert callback["spoken"].count("four seven, four five, one five, zero zero") == 2
    said = [line for line in lines if line["kind"] == "say"]
    assert all(line["spoken"] != line["text"] for line in said), "empty where no different"
