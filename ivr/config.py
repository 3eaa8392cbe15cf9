"""Settings from environment variables, checked at start with clear errors.

Every setting is documented in the README's table. `create_app(overrides)` lets tests and
tools replace any of them; overrides win over the environment.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger("ivr")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")  # ASCII digits only


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which and how to fix it."""


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


DEFAULTS: dict[str, Any] = {
    "TWILIO_AUTH_TOKEN": "",
    "ALLOW_UNSIGNED_WEBHOOKS": False,
    "KOM_PHONE_NUMBER": "+4747451500",
    "LINE_CALLER_ID": "",
    "DIAL_TIMEOUT": 25,
    "DATABASE_URL": "",
    "PUBLIC_BASE_URL": "",
    "TRUSTED_PROXIES": 0,
    "PROMPTS_DIR": str(PROJECT_ROOT / "prompts"),
    "AUDIO_DIR": str(PROJECT_ROOT / "audio" / "store"),
    "AUDIO_BASE_URL": "",
    "CACHE_DIR": "",  # last good copies of the line's settings and texts; empty: instance/
    "TTS_ENGINES": "gtts,espeak",
    "SECRET_KEY": "",
    "LOG_LEVEL": "INFO",
    # Staff pages (ivr/admin): session length, sign-in limits (see docs/staff.md).
    "STAFF_SESSION_HOURS": 8,
    "STAFF_SIGNIN_WINDOW_MINUTES": 15,
    "STAFF_SIGNIN_MAX_PER_ACCOUNT": 5,
    "STAFF_SIGNIN_MAX_PER_IP": 20,
    "STAFF_UPLOAD_MAX_MB": 20,  # the largest upload (a recording) staff may send
    "WEBHOOK_MAX_KB": 8,  # the largest webhook body read; Twilio sends 1-3 KB
    "SESSION_COOKIE_SECURE": "",  # empty: on, unless ALLOW_UNSIGNED_WEBHOOKS or TESTING is on
    "STATS_RETENTION_MONTHS": 13,  # anonymous call events older than this: `ivr stats prune`
}
FLAGS = {"ALLOW_UNSIGNED_WEBHOOKS"}
INTEGERS = {
    "DIAL_TIMEOUT",
    "TRUSTED_PROXIES",
    "STAFF_SESSION_HOURS",
    "STAFF_SIGNIN_WINDOW_MINUTES",
    "STAFF_SIGNIN_MAX_PER_ACCOUNT",
    "STAFF_SIGNIN_MAX_PER_IP",
    "STAFF_UPLOAD_MAX_MB",
    "WEBHOOK_MAX_KB",
    "STATS_RETENTION_MONTHS",
}


def load_settings(instance_path: str, overrides: Mapping[str, Any] | None = None) -> dict:
    """Defaults, then environment variables, then overrides; checked and normalised."""
    settings = dict(DEFAULTS)
    settings.update({k: os.environ[k] for k in DEFAULTS if os.environ.get(k, "") != ""})
    settings.update(overrides or {})
    for name in FLAGS:
        settings[name] = _flag(settings[name])
    for name in INTEGERS:
        try:
            settings[name] = int(settings[name])
        except (TypeError, ValueError):
            raise ConfigError(f"{name} must be a whole number, not {settings[name]!r}") from None
    _check(settings)
    _check_staff(settings)
    secure = str(settings["SESSION_COOKIE_SECURE"]).strip()
    settings["SESSION_COOKIE_SECURE"] = (
        _flag(secure)
        if secure
        else not (settings["ALLOW_UNSIGNED_WEBHOOKS"] or _flag(settings.get("TESTING", False)))
    )
    if not settings["DATABASE_URL"]:
        settings["DATABASE_URL"] = f"sqlite:///{Path(instance_path) / 'ivr.sqlite3'}"
    settings["PUBLIC_BASE_URL"] = str(settings["PUBLIC_BASE_URL"]).rstrip("/")
    settings["CACHE_DIR"] = str(settings["CACHE_DIR"] or instance_path)
    return settings


def _check(settings: dict) -> None:
    if not settings["TWILIO_AUTH_TOKEN"] and not settings["ALLOW_UNSIGNED_WEBHOOKS"]:
        raise ConfigError(
            "TWILIO_AUTH_TOKEN is not set. Set it to your Twilio auth token so that forged "
            "webhooks are refused, or set ALLOW_UNSIGNED_WEBHOOKS=1 for local development only."
        )
    _check_public_address(settings)
    for name in ("KOM_PHONE_NUMBER", "LINE_CALLER_ID"):
        if settings[name] and not E164.match(str(settings[name])):
            raise ConfigError(
                f"{name} must be an E.164 number like +4747451500, not {settings[name]!r}"
            )
    if not 5 <= settings["DIAL_TIMEOUT"] <= 600:
        raise ConfigError("DIAL_TIMEOUT must be between 5 and 600 seconds (Twilio's limits)")
    base = str(settings["PUBLIC_BASE_URL"])
    if base and not re.match(r"^https?://[^/\s]+(/\S*)?$", base):
        raise ConfigError(f"PUBLIC_BASE_URL must look like https://line.example.org, not {base!r}")
    engines = [e.strip() for e in str(settings["TTS_ENGINES"]).split(",") if e.strip()]
    if set(engines) - {"gtts", "espeak"}:
        raise ConfigError(
            f"TTS_ENGINES must list gtts and/or espeak, in order of preference, "
            f"like 'gtts,espeak', not {settings['TTS_ENGINES']!r}"
        )
    if not Path(settings["PROMPTS_DIR"], "menu.toml").is_file():
        raise ConfigError(f"PROMPTS_DIR={settings['PROMPTS_DIR']} has no menu.toml")


def _check_public_address(settings: dict) -> None:
    """Signatures cover the URL Twilio called, so the app must know it from its settings, not
    from a Host header any client can send; and unsigned webhooks never face the internet."""
    if not settings["TWILIO_AUTH_TOKEN"]:
        if settings["PUBLIC_BASE_URL"]:
            raise ConfigError(
                "ALLOW_UNSIGNED_WEBHOOKS is for a line on this computer only, but PUBLIC_BASE_URL "
                "says it is reachable from elsewhere: set TWILIO_AUTH_TOKEN and remove "
                "ALLOW_UNSIGNED_WEBHOOKS"
            )
        return  # and unsigned webhooks are answered only from this computer (request_limits)
    if not (settings["PUBLIC_BASE_URL"] or settings["TRUSTED_PROXIES"]):
        raise ConfigError(
            "PUBLIC_BASE_URL is not set. Twilio signs the address it calls: set "
            "PUBLIC_BASE_URL=https://your-host (the address in Twilio's console), or "
            "TRUSTED_PROXIES=1 if exactly one proxy in front sets X-Forwarded-Proto and "
            "X-Forwarded-Host. Without either, any client's Host header would decide the "
            "signed address. For a line on this computer: PUBLIC_BASE_URL=http://127.0.0.1:5000"
        )


def _check_staff(settings: dict) -> None:
    """Staff settings; SECRET_KEY signs staff sessions (required in service, random in dev)."""
    for name in (
        "STAFF_SESSION_HOURS",
        "STAFF_SIGNIN_WINDOW_MINUTES",
        "STAFF_SIGNIN_MAX_PER_ACCOUNT",
        "STAFF_SIGNIN_MAX_PER_IP",
        "STAFF_UPLOAD_MAX_MB",
        "WEBHOOK_MAX_KB",
        "STATS_RETENTION_MONTHS",
    ):
        if settings[name] < 1:
            raise ConfigError(f"{name} must be at least 1, not {settings[name]}")
    if settings["SECRET_KEY"]:
        if len(str(settings["SECRET_KEY"])) < 16:
            raise ConfigError(
                "SECRET_KEY is too short: use at least 16 random characters, e.g. "
                "python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        return
    if settings["TWILIO_AUTH_TOKEN"]:
        raise ConfigError(
            "SECRET_KEY is not set. It signs the staff pages' session cookies: set it to a long "
            "random string, e.g. python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    settings["SECRET_KEY"] = secrets.token_hex(32)
    log.warning(
        "SECRET_KEY is not set: using a random key for this process (development only; "
        "staff are signed out at every restart)"
    )
