"""Staff session cookies belong to the staff pages: never set on audio files or webhooks.

The audio files are public and cached for a year by Twilio and any proxy; a `Set-Cookie` on
them (Flask may refresh the session cookie on any request) would hand a staff member's
session to whatever cache keeps the answer.
"""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin

NO_COOKIE_BLUEPRINTS = frozenset({"audio", "voice"})
NO_COOKIE_ENDPOINTS = frozenset({"health"})


class StaffSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, but no cookie on the caller's path or the audio files."""

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        """Set (or refresh) the cookie only outside the public, cacheable routes."""
        if request.blueprint in NO_COOKIE_BLUEPRINTS or request.endpoint in NO_COOKIE_ENDPOINTS:
            return False
        return super().should_set_cookie(app, session)
