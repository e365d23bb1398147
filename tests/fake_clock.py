"""A clock tests move by hand: the emergency engine and the SMS jobs read ``EMERGENCY_CLOCK``."""

from __future__ import annotations

from datetime import datetime, timedelta


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def install(app, start: datetime) -> FakeClock:  # noqa: ANN001
    """Give ``app`` a fake clock starting at ``start``."""
    clock = FakeClock(start)
    app.config["EMERGENCY_CLOCK"] = clock
    return clock
