"""Logging in and out; the user loader and token authentication for the API."""

from publisher.auth.routes import bp

__all__ = ["bp"]
