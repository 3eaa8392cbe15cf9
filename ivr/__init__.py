"""KOM information line: a Flask service answering Twilio's voice webhooks.

`create_app(overrides)` builds the app; `gunicorn 'ivr:create_app()'` serves it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import Any

from flask import Flask, jsonify, request

from .audio.library import Recordings
from .audio.lookup import ManifestLookup
from .catalog import load_catalog
from .config import load_settings
from .db import Database
from .texts import PublishedTexts

log = logging.getLogger("ivr")
NO_DATABASE_ENDPOINTS = {"voice.fallback", "health", "static"}


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from environment variables; `overrides` win over the environment."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_settings(app.instance_path, overrides))
    register_logging(app)
    register_proxy(app)
    register_content(app)
    register_blueprints(app)
    register_admin(app)
    register_cli(app)
    return app


def register_logging(app: Flask) -> None:
    """Plain one-line logs on stderr; a loud warning when webhooks are not checked."""
    logger = logging.getLogger("ivr")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(app.config["LOG_LEVEL"])
    if not app.config["TWILIO_AUTH_TOKEN"]:
        log.warning("!" * 72)
        log.warning("ALLOW_UNSIGNED_WEBHOOKS is on and TWILIO_AUTH_TOKEN is not set: anyone can")
        log.warning("call these webhooks. Use this for local development only, never in service.")
        log.warning("!" * 72)


def register_proxy(app: Flask) -> None:
    """Trust X-Forwarded-* from exactly as many proxies as TRUSTED_PROXIES says (default none)."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops, x_prefix=hops)


def register_content(app: Flask) -> None:
    """The scripts, the database and the audio store."""
    app.extensions["ivr.catalog"] = load_catalog(app.config["PROMPTS_DIR"])
    app.extensions["ivr.db"] = Database(app.config["DATABASE_URL"])
    app.extensions["ivr.recordings"] = Recordings.for_app(app)
    app.extensions["ivr.audio"] = ManifestLookup(
        app.extensions["ivr.recordings"], app.config["AUDIO_BASE_URL"],
        public_base_url=app.config["PUBLIC_BASE_URL"])
    texts = PublishedTexts(app.extensions["ivr.catalog"], app.extensions["ivr.db"],
                           app.extensions["ivr.recordings"].store)
    app.extensions["ivr.texts"] = texts
    texts.refresh()  # the CLI (build, check) sees published texts too

    @app.before_request
    def published_texts_are_current():
        """Staff texts published in any process apply here within REFRESH_SECONDS; the
        fallback document, the audio files and the health check never wait for the database."""
        if request.endpoint in NO_DATABASE_ENDPOINTS or request.blueprint == "audio":
            return
        texts.refresh_if_due()


def register_blueprints(app: Flask) -> None:
    """The voice webhooks, the audio files and a health check."""
    from .audio.routes import bp as audio
    from .voice import bp as voice

    app.register_blueprint(voice)
    app.register_blueprint(audio)

    @app.get("/healthz")
    def health():
        """For load balancers and monitoring: the process answers."""
        return jsonify(status="ok")


def register_admin(app: Flask) -> None:
    """The staff pages at /staff: sign-in, hours and the line's settings, reviews, audit log."""
    from .admin import register

    register(app)


def register_cli(app: Flask) -> None:
    """The `ivr` commands."""
    from .cli import register

    register(app)
