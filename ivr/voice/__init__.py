"""Twilio's voice webhooks."""

from .routes import bp

__all__ = ["bp"]
