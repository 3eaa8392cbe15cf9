"""Fixtures: an app on a real SQLite file, and a `caller` that behaves like Twilio."""

from __future__ import annotations

import secrets
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

import pytest
import time_machine
from argon2 import PasswordHasher
from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from twilio.request_validator import RequestValidator
from werkzeug.routing import Rule

from ivr import catalog as catalog_module
from ivr import create_app
from ivr.audio.pronounce import said_by_twilio
from ivr.catalog import Language, Prompt
from ivr.config import PROJECT_ROOT
from ivr.hours import OSLO
from ivr.phone import Heard, PhoneCall
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


def pytest_addoption(parser):
    parser.addoption(
        "--run-at",
        metavar="YYYY-MM-DDTHH:MM[:SS]",
        help="start every test with the clock at this Oslo time (ticking), to show that no "
        "test depends on the day or hour it runs: e.g. a Saturday, 15:59:58 on a Wednesday, "
        "a night when summer time begins, or a day after the dates the tests use",
    )


@pytest.fixture(autouse=True)
def clock_of_the_run(request):
    """`--run-at`: this test starts at that moment instead of now (tests that need a moment
    still travel to their own)."""
    when = request.config.getoption("--run-at")
    if not when:
        yield
        return
    with time_machine.travel(datetime.fromisoformat(when).replace(tzinfo=OSLO), tick=True):
        yield


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


class SharedTemplates(BytecodeCache):
    """Compiled templates kept in memory for the whole session, shared by every test app.

    Each app has its own Jinja environment, which would otherwise parse and compile each staff
    page again (a tenth of a second a page). A template whose source changed has another
    checksum, so it is compiled afresh: a test never gets a stale page."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self.compiled.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(scope="session", autouse=True)
def templates_compiled_once():
    """Every test app's Jinja environment shares one session-wide `SharedTemplates` cache."""
    shared = SharedTemplates()
    create_environment = Flask.create_jinja_environment

    def create_jinja_environment(self):
        environment = create_environment(self)
        environment.bytecode_cache = shared
        return environment

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Flask, "create_jinja_environment", create_jinja_environment)
        yield


@pytest.fixture(scope="session", autouse=True)
def url_builders_compiled_once():
    """Each test app's URL rules share the Python code Werkzeug generates to build their URLs.

    Werkzeug compiles a builder function for every rule of every new app (a third of the cost
    of `create_app`). The function depends only on the rule's parts, defaults and converters
    (it is bound to its own rule when used), so equal rules can share it."""
    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None:  # another Werkzeug: build them as it does
        yield
        return
    builders: dict[tuple, object] = {}

    def shared_builder(self, append_unknown: bool = True):
        key = (
            self.rule,
            tuple(self._trace),
            tuple(sorted((name, repr(value)) for name, value in (self.defaults or {}).items())),
            tuple((name, type(c)) for name, c in self._converters.items()),  # args: in the rule
            append_unknown,
        )
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_compile_builder", shared_builder)
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
    app = create_app(
        {
            "TWILIO_AUTH_TOKEN": TOKEN,
            "SECRET_KEY": SECRET_KEY,
            "TRUSTED_PROXIES": 1,
            "DATABASE_URL": f"sqlite:///{path}",
            "AUDIO_DIR": str(folder / "store"),
        }
    )
    services(app).db.upgrade()
    services(app).db.engine.dispose()
    return path


def line_settings(folder: Path, migrated_db: Path) -> dict:
    """Settings for a test app in `folder`: a signed line on a fresh copy of the migrated
    database, its own audio store, eSpeak NG only (never the network)."""
    db_file = folder / "ivr.sqlite3"
    shutil.copy(migrated_db, db_file)
    return {
        "TWILIO_AUTH_TOKEN": TOKEN,
        "SECRET_KEY": SECRET_KEY,
        "TRUSTED_PROXIES": 1,
        "DATABASE_URL": f"sqlite:///{db_file}",
        "AUDIO_DIR": str(folder / "store"),
        "CACHE_DIR": str(folder / "cache"),
        "TTS_ENGINES": "espeak",
        # a new process's first call waits this long at most for the first reads; a busy
        # test machine may need longer than the 1 s of service to read a healthy database
        "FIRST_READ_SECONDS": 10.0,
    }


@pytest.fixture
def app_settings(tmp_path, migrated_db) -> dict:
    """Settings for this test's own app (see `line_settings`)."""
    return line_settings(tmp_path, migrated_db)


@pytest.fixture
def app(app_settings):
    app = create_app(app_settings)
    app.config["TESTING"] = True
    yield app
    services(app).close()


@pytest.fixture
def client(app):
    return app.test_client()


class CurrentCatalog:
    """The app's catalog as it is at each use (publishing a text makes a new catalog)."""

    def __init__(self, app):
        self._app = app

    def __getattr__(self, name: str):
        return getattr(services(self._app).catalog, name)


@pytest.fixture
def catalog(app):
    return CurrentCatalog(app)


def sign(url: str, params: dict, token: str = TOKEN) -> str:
    """The X-Twilio-Signature Twilio would send."""
    return RequestValidator(token).compute_signature(url, params)


@dataclass
class Call:
    """A phone call driven like Twilio drives it: signed requests, following the TwiML
    (the walk itself is `ivr.phone.PhoneCall`, shared with the call simulator)."""

    client: object
    catalog: object
    dial_status: str = "completed"
    heard: list[Heard] = field(default_factory=list)
    pending: tuple[str, str] | None = None  # (gather action, redirect on silence)
    ended: bool = False
    dialed: list[dict] = field(default_factory=list)
    whispers: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    phone: PhoneCall | None = None
    # Each call has its own CallSid, as with Twilio (the statistics link a call's events).
    call_sid: str = field(default_factory=lambda: "CA" + secrets.token_hex(16))

    def post(self, url: str, extra: dict | None = None) -> ET.Element:
        """A signed POST like Twilio's; checks the answer is 200 and valid TwiML."""
        url = urljoin(BASE + "/voice", url)
        params = {**CALL_PARAMS, "CallSid": self.call_sid, **(extra or {})}
        response = self.client.post(
            url, data=params, headers={"X-Twilio-Signature": sign(url, params)}
        )
        assert response.status_code == 200, (url, response.status_code)
        assert response.mimetype == "text/xml"
        document = response.get_data(as_text=True)
        self.documents.append(document)
        root = ET.fromstring(document)
        assert root.tag == "Response"
        return root

    def _document(self, url: str, params: dict) -> str:
        self.post(url, params)
        return self.documents[-1]

    def start(self) -> Call:
        self.phone = PhoneCall(self._document)
        self._take(self.phone.start())
        return self

    def _take(self, answers: list) -> None:
        """Collect what was heard; stop at a <Gather>; a <Dial> ends with `dial_status`."""
        for answer in answers:
            self.heard += answer.heard
        self.ended = self.phone.ended
        listening = self.phone.listening
        if listening is not None:
            assert listening.on_silence, "a <Gather> must be followed by a <Redirect> for silence"
        self.pending = (listening.action, listening.on_silence) if listening else None
        if self.phone.dialing is not None:
            self._dial(self.phone.dialing)

    def _dial(self, dialing) -> None:
        self.dialed.append(
            {
                "numbers": list(dialing.numbers),
                "callerId": dialing.caller_id,
                "timeout": str(dialing.timeout),
            }
        )
        for url in dialing.whisper_urls:
            whisper = self.post(url)
            self.whispers += [(s.text or "") for s in whisper.iter("Say")]
        self._take(self.phone.dial_ends(self.dial_status))

    def press(self, key: str) -> Call:
        assert self.pending and not self.ended, "nobody is listening for a key now"
        self.heard = []
        self._take(self.phone.press(key))
        return self

    def silence(self) -> Call:
        assert self.pending and not self.ended, "nobody is listening for a key now"
        self.heard = []
        self._take(self.phone.silence())
        return self

    @property
    def said(self) -> str:
        """The words heard, as spoken ("one one two" where a text has "112")."""
        return " ".join(h.text for h in self.heard)

    def spoken(self, segment: str, lang: str = "en", key: str | None = None) -> str:
        """The words <Say> speaks for a prompt: its text, prepared by the pronunciation step."""
        text = self.catalog.text(Prompt(segment, lang, key))
        return said_by_twilio(self.catalog.root, lang, text)

    def heard_prompt(self, segment: str, lang: str = "en", key: str | None = None) -> bool:
        """Whether <Say> spoke the prompt (as prepared: "112" is "one one two")."""
        words = self.spoken(segment, lang, key)
        return any(h.text == words for h in self.heard)


@pytest.fixture
def caller(client, catalog):
    """Start calls: `caller()` returns a Call that has been answered."""

    def call(dial_status: str = "completed") -> Call:
        return Call(client, catalog, dial_status=dial_status).start()

    return call
