"""Fixtures: an app on a real SQLite file, and a `caller` that behaves like Twilio."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import pytest
from argon2 import PasswordHasher
from twilio.request_validator import RequestValidator

from ivr import catalog as catalog_module
from ivr import create_app
from ivr.catalog import Language, Prompt
from ivr.config import PROJECT_ROOT
from ivr.services import services

from .support import SECRET_KEY, TOKEN

pytest_plugins = ["tests.audio_fixtures"]  # built audio for the audio tests

BASE = "http://localhost"
CALL_PARAMS = {
    "CallSid": "CA00000000000000000000000000000000",
    "AccountSid": "AC00000000000000000000000000000000",
    "From": "+4799999999",
    "To": "+4721000000",
    "CallStatus": "in-progress",
}
QUICK_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(scope="session", autouse=True)
def prompts_read_once():
    """The project's prompts/ folder is read once per session, not by every test app.

    Each app still gets its own `Catalog` (staff texts are applied per app); only the parsed,
    immutable `Language` values of the unchanged project folder are shared. Tests that edit
    prompts work on a copy (`prompts_copy`), which is read from disk as usual.
    """
    project = (PROJECT_ROOT / "prompts").resolve()
    read_language = catalog_module.load_language
    cache: dict[Path, Language] = {}

    def load_language(folder: Path) -> Language:
        if Path(folder).resolve().parent != project:
            return read_language(folder)
        key = Path(folder).resolve()
        if key not in cache:
            cache[key] = read_language(folder)
        return cache[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(catalog_module, "load_language", load_language)
        yield


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    """Cheap argon2id parameters in every test (staff pages, CLI, browser): the tests check
    behaviour, not the hash's cost, which on 2 busy cores can outlast a browser's timeout."""
    monkeypatch.setattr("ivr.admin.accounts._hasher", QUICK_HASHER)


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory) -> Path:
    """One migrated SQLite file per session (per worker), copied for each test."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "ivr.sqlite3"
    app = create_app({"TWILIO_AUTH_TOKEN": TOKEN, "SECRET_KEY": SECRET_KEY,
                      "DATABASE_URL": f"sqlite:///{path}", "AUDIO_DIR": str(folder / "store")})
    services(app).db.upgrade()
    services(app).db.engine.dispose()
    return path


def line_settings(folder: Path, migrated_db: Path) -> dict:
    """Settings for a test app in `folder`: a signed line on a fresh copy of the migrated
    database, its own audio store, eSpeak NG only (never the network)."""
    db_file = folder / "ivr.sqlite3"
    shutil.copy(migrated_db, db_file)
    return {"TWILIO_AUTH_TOKEN": TOKEN, "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": f"sqlite:///{db_file}",
            "AUDIO_DIR": str(folder / "store"), "TTS_ENGINES": "espeak"}


@pytest.fixture
def app_settings(tmp_path, migrated_db) -> dict:
    """Settings for this test's own app (see `line_settings`)."""
    return line_settings(tmp_path, migrated_db)


@pytest.fixture
def app(app_settings):
    app = create_app(app_settings)
    app.config["TESTING"] = True
    yield app
    services(app).db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def catalog(app):
    return services(app).catalog


def sign(url: str, params: dict, token: str = TOKEN) -> str:
    """The X-Twilio-Signature Twilio would send."""
    return RequestValidator(token).compute_signature(url, params)


@dataclass
class Heard:
    """One thing the caller heard: spoken text (<Say>) or a file (<Play>)."""

    verb: str
    text: str
    language: str = ""


@dataclass
class Call:
    """A phone call driven like Twilio drives it: signed requests, following the TwiML."""

    client: object
    catalog: object
    dial_status: str = "completed"
    heard: list[Heard] = field(default_factory=list)
    pending: tuple[str, str] | None = None  # (gather action, redirect on silence)
    ended: bool = False
    dialed: list[dict] = field(default_factory=list)
    whispers: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)

    def post(self, url: str, extra: dict | None = None) -> ET.Element:
        """A signed POST like Twilio's; checks the answer is 200 and valid TwiML."""
        url = urljoin(BASE + "/voice", url)
        params = {**CALL_PARAMS, **(extra or {})}
        response = self.client.post(url, data=params,
                                    headers={"X-Twilio-Signature": sign(url, params)})
        assert response.status_code == 200, (url, response.status_code)
        assert response.mimetype == "text/xml"
        document = response.get_data(as_text=True)
        self.documents.append(document)
        root = ET.fromstring(document)
        assert root.tag == "Response"
        return root

    def start(self) -> Call:
        self.run(self.post("/voice"))
        return self

    def run(self, root: ET.Element) -> None:
        """Play a TwiML document: collect what is heard; stop at a <Gather>, follow the rest."""
        self.pending = None
        verbs = list(root)
        for index, verb in enumerate(verbs):
            if verb.tag in ("Say", "Play"):
                self.hear(verb)
            elif verb.tag == "Gather":
                for inner in verb:
                    self.hear(inner)
                rest = [v for v in verbs[index + 1:] if v.tag == "Redirect"]
                assert rest, "a <Gather> must be followed by a <Redirect> for silence"
                self.pending = (verb.get("action"), rest[0].text)
                return
            elif verb.tag == "Redirect":
                return self.run(self.post(verb.text))
            elif verb.tag == "Dial":
                return self.dial(verb)
            elif verb.tag == "Hangup":
                self.ended = True
                return
        self.ended = True

    def hear(self, verb: ET.Element) -> None:
        self.heard.append(Heard(verb.tag, (verb.text or "").strip(), verb.get("language", "")))

    def dial(self, verb: ET.Element) -> None:
        numbers = [n.text for n in verb.findall("Number")]
        self.dialed.append({"numbers": numbers, "callerId": verb.get("callerId"),
                            "timeout": verb.get("timeout")})
        for number in verb.findall("Number"):
            if number.get("url"):
                whisper = self.post(number.get("url"))
                self.whispers += [(s.text or "") for s in whisper.iter("Say")]
        self.run(self.post(verb.get("action"), {"DialCallStatus": self.dial_status}))

    def press(self, key: str) -> Call:
        assert self.pending and not self.ended, "nobody is listening for a key now"
        self.heard = []
        self.run(self.post(self.pending[0], {"Digits": key}))
        return self

    def silence(self) -> Call:
        assert self.pending and not self.ended, "nobody is listening for a key now"
        self.heard = []
        self.run(self.post(self.pending[1]))
        return self

    @property
    def said(self) -> str:
        return " ".join(h.text for h in self.heard)

    def heard_prompt(self, segment: str, lang: str = "en", key: str | None = None) -> bool:
        text = self.catalog.text(Prompt(segment, lang, key))
        return any(h.text == text for h in self.heard)


@pytest.fixture
def caller(client, catalog):
    """Start calls: `caller()` returns a Call that has been answered."""

    def call(dial_status: str = "completed") -> Call:
        return Call(client, catalog, dial_status=dial_status).start()

    return call
