"""The emergency side's notion of "now", injectable so tests can drive time.

Set ``app.config["EMERGENCY_CLOCK"]`` to a callable returning an aware UTC datetime;
by default it is the real clock. A clock that also has ``monotonic()`` (seconds that never
step; see tests/fake_clock.py) lets the clock process notice wall-clock steps
(publisher.emergency.wallstep); without it, steps go unnoticed.
"""

from __future__ import annotations

import time
from datetime import datetime

from flask import current_app

from publisher.models import utcnow

# Boot time counts a suspended machine's sleep as elapsed, as the wall clock does; plain
# CLOCK_MONOTONIC would make a resume look like a wall-clock step.
_ELAPSED = getattr(time, "CLOCK_BOOTTIME", time.CLOCK_MONOTONIC)


def now() -> datetime:
    clock = current_app.config.get("EMERGENCY_CLOCK")
    return clock() if clock is not None else utcnow()


def monotonic() -> float | None:
    """Seconds from a clock that never steps, or None if the injected clock has none."""
    clock = current_app.config.get("EMERGENCY_CLOCK")
    if clock is None:
        return time.clock_gettime(_ELAPSED)
    reader = getattr(clock, "monotonic", None)
    return reader() if reader is not None else None
