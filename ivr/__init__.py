"""KOM information line: a Flask service answering Twilio's voice webhooks.

`create_app(overrides)` builds the app; `gunicorn 'ivr:create_app()'` serves it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Flask, SQLAlchemy and the audio libraries load in create_app only, so the
    from flask import Flask  # pure core (ivr.flow, ivr.hours, ivr.catalog) imports without them

log = logging.getLogger("ivr")


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from environment variables; `overrides` win over the environment."""
    from flask import Flask

    from .config import load_settings

    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_settings(app.instance_path, overrides))
    register_logging(app)
    register_quick_webhooks(app)
    register_proxy(app)
    register_request_limits(app)
    register_content(app)
    register_blueprints(app)
    register_admin(app)
    register_cli(app)
    return app


def register_logging(app: Flask) -> None:
    """Plain one-line logs on stderr; one warning line when webhooks are not checked (every
    `ivr` command builds the app, so it is short; scripts/run.sh says more once at start)."""
    logger = logging.getLogger("ivr")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(app.config["LOG_LEVEL"])
    if not app.config["TWILIO_AUTH_TOKEN"]:
        log.warning("development mode (ALLOW_UNSIGNED_WEBHOOKS): webhooks not signature-checked")


def register_quick_webhooks(app: Flask) -> None:
    """Cached answers to Twilio's common webhooks, directly around Flask (ivr/voice/quick.py);
    registered first, so ProxyFix and the webhook guard run before it."""
    from .voice.quick import register

    register(app)


def register_proxy(app: Flask) -> None:
    """Trust X-Forwarded-* from exactly as many proxies as TRUSTED_PROXIES says (default none)."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's middleware pattern
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )


def register_request_limits(app: Flask) -> None:
    """Webhooks refuse what Twilio never sends before reading it; only uploads may be large."""
    from .request_limits import register

    register(app)


def register_content(app: Flask) -> None:
    """The services (scripts, database, audio store...), built once; no database read here."""
    from .services import attach, build_services

    built = build_services(app.config)
    attach(app, built)
    # A process serving requests keeps its snapshots fresh in the background (a thread per
    # process, started by its first request); commands read once, when they need to.
    app.before_request(built.refresher.ensure_running)


def register_blueprints(app: Flask) -> None:
    """The voice webhooks, the audio files and a health check."""
    from flask import jsonify

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
    from .sessions import StaffSessions

    app.session_interface = StaffSessions()  # no staff cookie on audio files or webhooks
    register(app)


def register_cli(app: Flask) -> None:
    """The `ivr` commands."""
    from .cli import register

    register(app)
