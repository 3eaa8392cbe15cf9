"""The call simulator's walk (`ivr call`, and the staff page's server side): the real signed
webhooks at a chosen Oslo time, with drafts on request, never counted as a call."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from sqlalchemy import func, select

from ivr import texts
from ivr.catalog import Prompt
from ivr.hours import OSLO
from ivr.models import CallEvent
from ivr.services import services
from ivr.simulation import ENVIRON_KEY, Simulation
from ivr.simulator import Options, SimulatedCall

from .conftest import BASE, CALL_PARAMS, sign

CHRISTMAS_DAY = "2026-12-25 10:00"
WEDNESDAY_10 = "2026-12-02 10:00"


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["call", *args])


def said(catalog, segment: str, lang: str = "en") -> str:
    return catalog.text(Prompt(segment, lang))


def events(app) -> int:
    assert services(app).events.flush()  # what real calls queued, written now
    with services(app).db.session() as s:
        return s.scalar(select(func.count()).select_from(CallEvent))


def test_press_0_on_christmas_day_gives_the_callback_information(app, catalog):
    result = run(app, "--at", CHRISTMAS_DAY, "--keys", "1,0")
    assert result.exit_code == 0, result.output
    assert said(catalog, "closed") in result.output
    assert said(catalog, "callback") in result.output
    assert "transferring" not in result.output
    assert "[caller presses 0]" in result.output


def test_press_0_on_an_open_weekday_transfers_to_kom_and_ends_after_the_conversation(app, catalog):
    result = run(app, "--at", WEDNESDAY_10, "--keys", "1,0", "--dial", "answered")
    assert result.exit_code == 0, result.output
    assert "[transferring to 47 45 15 00]" in result.output
    assert said(catalog, "transfer") in result.output
    assert said(catalog, "goodbye") in result.output
    assert said(catalog, "transfer_failed") not in result.output


@pytest.mark.parametrize("outcome", ["no-answer", "busy", "failed"])
def test_a_transfer_nobody_takes_gives_the_callback_information(app, catalog, outcome):
    result = run(app, "--at", WEDNESDAY_10, "--keys", "1,0", "--dial", outcome)
    assert result.exit_code == 0, result.output
    assert f"[the transfer: {outcome}]" in result.output
    after = result.output.split(f"[the transfer: {outcome}]")[1]
    assert said(catalog, "transfer_failed") in after and said(catalog, "callback") in after


def test_a_silent_caller_hears_the_menu_again_then_the_callback_information_and_goodbye(
    app, catalog
):
    result = run(app, "--at", WEDNESDAY_10)
    assert result.exit_code == 0, result.output
    assert result.output.count("[caller stays silent") == catalog.max_misses + 1
    before, after = result.output.rsplit("[caller stays silent", 1)
    assert said(catalog, "callback") in after and said(catalog, "callback") not in before
    assert said(catalog, "goodbye") in result.output
    assert result.output.rstrip().splitlines()[-2].endswith("[the line hangs up]")


def test_the_transcript_gives_english_beside_the_callers_language_and_running_seconds(app, catalog):
    result = run(app, "--at", WEDNESDAY_10, "--keys", "2")  # Norwegian
    assert result.exit_code == 0, result.output
    assert said(catalog, "topic_menu", "nb") in result.output
    assert f"English: {said(catalog, 'topic_menu')}" in result.output
    seconds = [
        float(line.split()[2]) for line in result.output.splitlines() if line[:3].strip().isdigit()
    ]
    assert seconds == sorted(seconds) and seconds[-1] > 30


def test_played_files_show_their_prompt_version_and_length(built_app):
    call = SimulatedCall(built_app, Options())
    lines = call.start()
    played = [line for line in lines if line.kind == "play"]
    greeting = next(line for line in played if line.prompt == "greeting")
    recording = services(built_app).recordings.current()[("greeting", "en")]
    assert greeting.version == recording.id and greeting.source == "tts"
    assert greeting.seconds == pytest.approx(recording.duration, abs=0.01)
    assert greeting.audio.endswith(f"/audio/{recording.hash}.wav")
    assert greeting.running >= greeting.seconds


def test_simulated_calls_are_not_counted_and_do_not_move_the_real_clock(app, caller, catalog):
    assert run(app, "--at", CHRISTMAS_DAY, "--keys", "1,0").exit_code == 0
    assert events(app) == 0, "a simulated call is not a call"
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=OSLO), tick=False):
        real = caller().press("1").press("0")
    assert real.dialed, "a real caller at 10:00 on a Wednesday is put through"
    assert events(app) > 0


def test_the_simulation_never_skips_the_signature_check(app, client):
    """The simulation's environ entry changes the clock, not who may call the webhooks."""
    url = BASE + "/voice"
    forged = client.post(
        url,
        data=CALL_PARAMS,
        headers={"X-Twilio-Signature": "forged"},
        environ_overrides={ENVIRON_KEY: Simulation(drafts=True)},
    )
    assert forged.status_code == 403
    signed = client.post(
        url,
        data=CALL_PARAMS,
        headers={"X-Twilio-Signature": sign(url, CALL_PARAMS)},
        environ_overrides={ENVIRON_KEY: Simulation(drafts=True)},
    )
    assert signed.status_code == 200


def test_a_header_cannot_pretend_to_be_a_simulation(app, client):
    url = BASE + "/voice"
    client.post(
        url,
        data=CALL_PARAMS,
        headers={"X-Twilio-Signature": sign(url, CALL_PARAMS), "Ivr.Simulation": "1"},
    )
    assert events(app) == 1, "counted as the real call it is"


def test_drafts_are_heard_only_when_asked_for(app, catalog):
    draft = said(catalog, "greeting") + " This is a draft."
    texts.save_version(services(app).db, catalog, "greeting", "en", draft, by="editor@kom.test")
    live = SimulatedCall(app, Options()).start()
    drafted = SimulatedCall(app, Options(drafts=True)).start()
    assert not any(line.text == draft for line in live)
    assert any(line.text == draft for line in drafted)
    assert catalog.text(Prompt("greeting", "en")) != draft, "the live catalog is untouched"


def test_ivr_call_refuses_a_malformed_number_or_key(app):
    assert run(app, "--from", "not a number").exit_code == 2
    assert run(app, "--keys", "1,x").exit_code == 2
    assert run(app, "--at", "25.12.2026").exit_code == 2


def test_a_romanian_number_hears_romanian_first_and_a_norwegian_one_does_not(app):
    """The number reaches the line as Twilio's From, so the country hint works."""
    romanian = run(app, "--from", "+40 712 034 567", "--keys", "1")
    assert romanian.exit_code == 0, romanian.output
    first = romanian.output.splitlines()[1].split()
    assert first[:2] == ["1", "ro"], romanian.output[:300]
    assert "prompt lang_hint" in romanian.output
    norwegian = run(app, "--keys", "1")
    assert norwegian.output.splitlines()[1].split()[:2] == ["1", "en"]
    assert "lang_hint" not in norwegian.output


def test_a_public_address_with_a_path_is_signed_as_twilio_signs_it(app_settings, catalog):
    from ivr import create_app

    app = create_app({**app_settings, "PUBLIC_BASE_URL": "https://line.example.org/kom"})
    result = run(app, "--at", CHRISTMAS_DAY, "--keys", "1,0")
    assert result.exit_code == 0, result.output
    assert said(catalog, "closed") in result.output
    services(app).db.engine.dispose()
