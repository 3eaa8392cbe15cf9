"""Staff session cookies belong to the staff pages: never set on audio files or webhooks.

The audio files are public and cached for a year by Twilio and any proxy; a `Set-Cookie` on
them (Flask may refresh the session cookie on any request) would hand a staff member's
session to whatever cache keeps the answer.
"""

from __future__ import annotations

from flask import Flask, Request, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin

NO_COOKIE_BLUEPRINTS = frozenset({"audio", "voice"})
NO_COOKIE_ENDPOINTS = frozenset({"health", "favicon", "admin.static"})
# The routes above, by their paths. The icon and the staff pages' stylesheet, script and icon
# too: they are the same for everyone, a browser fetches them at any moment (the icon even
# after the page has loaded), and they must never read, refresh or end a staff member's session.
NO_SESSION_PATHS = ("/voice", "/audio", "/healthz", "/favicon.ico", "/staff/static")


class StaffSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, but no cookie on the caller's path or the audio files."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """No session at all under the public routes' paths (None: Flask's empty null
        session): no cookie is read or verified, none is written, and the answer does not vary
        by cookie. Flask opens the session before it matches the route, hence the paths."""
        if any(request.path == p or request.path.startswith(p + "/") for p in NO_SESSION_PATHS):
            return None
        return super().open_session(app, request)

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        """Set (or refresh) the cookie only outside the public, cacheable routes."""
        if _public(request):
            return False
        return super().should_set_cookie(app, session)


def _public(request: Request) -> bool:
    """Whether the request is for a public, cacheable route (webhooks, audio, health)."""
    return request.blueprint in NO_COOKIE_BLUEPRINTS or request.endpoint in NO_COOKIE_ENDPOINTS
