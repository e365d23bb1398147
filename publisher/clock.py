"""The application's clock: one object, made with the app, read through :func:`current`.

``create_app`` puts a :class:`playlists.clock.Clock` on ``app.extensions["clock"]`` (the
real one, or ``config["CLOCK"]`` when a test gives one); tests move it with the ``clock``
fixture (tests/conftest.py), which replaces it for the whole app at once. Every part of the
publisher reads the same object: ``publisher.models.utcnow`` (the column defaults and most
call sites), the emergency engine and its wall-step guard, the SMS jobs, the whereabouts and
check-in pages, login throttling. Pure cores take ``now`` as an argument; the views and jobs
at their edges get it here.

Outside an app context (a worker thread that has not pushed one, a bare script) the real
clock is read: there is no app to have been given another.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, has_app_context

from playlists.clock import REAL, Clock
from playlists.timezones import local_date, zone

EXTENSION = "clock"


def init_app(app: Flask) -> None:
    """Give ``app`` its clock: ``CLOCK`` from the config if set, else the real one."""
    app.extensions[EXTENSION] = app.config.get("CLOCK") or REAL


def install(app: Flask, clock: Clock) -> Clock:
    """Make ``clock`` the app's clock from now on (tests); ``config["CLOCK"]`` says so too,
    so an app made from this one's config shares it."""
    app.config["CLOCK"] = app.extensions[EXTENSION] = clock
    return clock


def current_of(app: Flask) -> Clock:
    """``app``'s clock."""
    return app.extensions.get(EXTENSION, REAL)


def current() -> Clock:
    """The current app's clock (the real one outside an app context)."""
    if has_app_context():
        return current_of(current_app)
    return REAL


def now() -> datetime:
    """Now, as an aware UTC datetime, from the app's clock."""
    return current().now()


def monotonic() -> float:
    """Seconds that never step, from the app's clock (see playlists.clock)."""
    return current().monotonic()


def today(zone_name: str | None) -> date:
    """Today's date in the zone called ``zone_name`` (default Asia/Shanghai)."""
    return local_date(now(), zone(zone_name))
