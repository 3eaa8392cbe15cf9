"""A prompt's page says what plays and what is wrong with it in the person's language: the
source by name (not "human"/"tts"), measures with the language's decimal comma, problems in
words."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from staff_support import EDITOR, says

from ivr import create_app
from ivr.models import Recording
from ivr.services import services
from tests.audio_fixtures import install_built

pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture
def app(app_settings, built_english):
    """The staff app with every English prompt built (eSpeak NG)."""
    install_built(app_settings, built_english)
    app = create_app(app_settings)
    app.config["TESTING"] = True
    yield app
    services(app).close()


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_what_plays_and_its_problems_are_said_in_the_persons_language(app, staff, lang):
    playing = services(app).recordings.current()[("greeting", "en")]
    with services(app).db.session() as s:
        s.execute(update(Recording).where(Recording.id == playing.id).values(loudness=-31.5))
    staff.sign_in(EDITOR)
    staff.client.get(f"/staff/ui/{lang}")
    page = staff.client.get("/staff/prompts/greeting/en").get_data(as_text=True)
    now = page.split('id="now"')[1].split("</section>")[0]
    assert says("source.tts", lang) in now and "· tts ·" not in now
    decimal = "," if lang == "nb" else "."
    assert says("problem.quiet", lang, loudness=f"-31{decimal}5", target="-20") in now
    assert says("prompt.loudness_value", lang, value=f"-31{decimal}5") in now
    assert "dBFS, target" not in now  # not the command line's English


def test_a_file_gone_from_the_store_is_said_on_the_page_in_the_grid_and_by_the_command_line(
    app, staff
):
    playing = services(app).recordings.current()[("greeting", "en")]
    services(app).recordings.store.path(playing.hash).unlink()
    staff.sign_in(EDITOR)
    page = staff.client.get("/staff/prompts/greeting/en").get_data(as_text=True)
    assert says("problem.no_file") in page.split('id="now"')[1].split("</section>")[0]
    grid = staff.client.get("/staff/prompts?lang=en").get_data(as_text=True)
    cell = grid.split('id="cell-greeting-en"')[1].split("</td>")[0]
    assert f'<span class="warn">1 {says("problems")}</span>' in cell
    checked = app.test_cli_runner().invoke(args=["audio", "check", "--lang", "en"])
    assert "greeting" in checked.output and "file missing from the store" in checked.output
