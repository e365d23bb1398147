"""The emergency side's notion of "now", injectable so tests can drive time.

Set ``app.config["EMERGENCY_CLOCK"]`` to a callable returning an aware UTC datetime;
by default it is the real clock.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from publisher.models import utcnow


def now() -> datetime:
    clock = current_app.config.get("EMERGENCY_CLOCK")
    return clock() if clock is not None else utcnow()
