"""A clock tests move by hand: the emergency engine and the SMS jobs read ``EMERGENCY_CLOCK``.

``advance`` is time passing (wall and monotonic move together); ``step`` is the wall clock
being set (NTP, ``date -s``): the monotonic reading stays where it is.
"""

from __future__ import annotations

from datetime import datetime, timedelta


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start
        self.elapsed = 1000.0  # monotonic seconds; the origin means nothing

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.elapsed

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        self.elapsed += timedelta(**delta).total_seconds()
        return self.now

    def step(self, **delta: float) -> datetime:
        """The wall clock jumps by ``delta`` (negative: back); no time passes."""
        self.now += timedelta(**delta)
        return self.now


def install(app, start: datetime) -> FakeClock:  # noqa: ANN001
    """Give ``app`` a fake clock starting at ``start``."""
    clock = FakeClock(start)
    app.config["EMERGENCY_CLOCK"] = clock
    return clock
