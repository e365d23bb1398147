"""The one clock of villagecast: where every process reads "now" for the domain.

A :class:`Clock` gives two readings:

* ``now()`` — the wall clock as an aware UTC datetime: what due times, validity windows,
  reports and the as-run log are written in;
* ``monotonic()`` — seconds that never step (NTP, ``date -s``, a bad RTC at boot); only
  differences between two readings mean anything. Comparing how far each reading moved
  is how a wall-clock step is noticed (publisher.emergency.wallstep, playlists.feed).

Why here: the playout process (this package) and the publisher (above it in the import
layers) both need the same clock, and the publisher may import playlists but not the other
way round; so the class lives in the lowest layer that both import. The renderer, below
both, reads no clock: its callers pass ``now``/``today``.

The publisher makes one clock with the app (``publisher.clock``) and tests swap in a fake
with the same two methods (``tests/fake_clock.py``). Pure code takes ``now`` as an argument
instead of reading any clock. Pacing (how long to sleep, a process's own timeouts) and log
timestamps are not domain time and may use :mod:`time` directly.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol

# Boot time counts a suspended machine's sleep as elapsed, as the wall clock does; plain
# CLOCK_MONOTONIC would make a resume look like a wall-clock step.
_ELAPSED = getattr(time, "CLOCK_BOOTTIME", time.CLOCK_MONOTONIC)


class Clock(Protocol):
    """Where "now" comes from; a fake in tests moves by hand."""

    def now(self) -> datetime:
        """The wall clock: an aware datetime in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never steps (only differences mean anything)."""
        ...


class RealClock:
    """The machine's clocks."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.clock_gettime(_ELAPSED)

    def __repr__(self) -> str:
        return "RealClock()"


REAL = RealClock()
