"""The clock tests move by hand; the ``clock`` fixture (tests/conftest.py) makes it the app's.

It has the two readings of playlists.clock.Clock: ``now()`` (the wall clock) and
``monotonic()`` (seconds that never step). ``advance`` is time passing (both move
together); ``step`` and ``set`` are the wall clock being set (NTP, ``date -s``): the
monotonic reading stays where it is, which is how publisher.emergency.wallstep notices.
Calling the clock (``clock()``) is ``clock.now()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta


class FakeClock:
    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a fake clock starts at an aware datetime")
        self.current = start
        self.elapsed = 1000.0  # monotonic seconds; the origin means nothing

    def now(self) -> datetime:
        return self.current

    def __call__(self) -> datetime:
        return self.current

    def monotonic(self) -> float:
        return self.elapsed

    def advance(self, **delta: float) -> datetime:
        """``delta`` (``timedelta``'s keywords) passes: wall and monotonic move together."""
        self.current += timedelta(**delta)
        self.elapsed += timedelta(**delta).total_seconds()
        return self.current

    def step(self, **delta: float) -> datetime:
        """The wall clock jumps by ``delta`` (negative: back); no time passes."""
        self.current += timedelta(**delta)
        return self.current

    def set(self, moment: datetime) -> datetime:
        """The wall clock is set to ``moment`` (aware); no time passes."""
        if moment.tzinfo is None:
            raise ValueError("set the fake clock to an aware datetime")
        self.current = moment
        return self.current


@contextmanager
def installed(app, start: datetime) -> Iterator[FakeClock]:  # noqa: ANN001
    """A FakeClock at ``start`` as ``app``'s clock until the block ends, then the one it had.

    The ``clock`` fixture uses it for the test's ``app``; a test on an app shared by a
    module (tests/publisher/test_people_support.world) uses it on that one.
    """
    from publisher.clock import current_of, install

    before = current_of(app)
    try:
        yield install(app, FakeClock(start))
    finally:
        install(app, before)
