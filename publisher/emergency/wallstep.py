"""Wall-clock steps seen by the clock process, undone for the escalation timers.

Due times are wall-clock instants in the database, so a wall clock set forward an hour (NTP
after a bad RTC, ``date -s``) would fire every pending step at once, and one set back would
starve them for an hour. Each tick of the clock's emergency and SMS jobs samples the app's
clock (publisher.clock): the wall clock and a clock that never steps; when the two disagree
about how much time passed since the last tick, the wall clock stepped, and every pending
due time (and the hand-over time of SMS still with the gateway, which time out) moves by
the same amount, in one transaction. The ticks hold one lock while they run, so no tick
works with a "now" from one side of a step against due times from the other.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select, update

from publisher import clock
from publisher.emergency import engine
from publisher.extensions import db
from publisher.models import SmsMessage, SmsStatus
from publisher.models.emergency import Incident

log = logging.getLogger(__name__)
# Below this a difference is tick jitter or NTP slewing (at most 0.5 ms/s), not a step; it
# is also far below the shortest wait (engine.MIN_WAIT_S), so an unnoticed step this small
# changes nothing anyone would notice.
STEP_TOLERANCE = timedelta(seconds=1)
_EXTENSION = "emergency_wallstep"


@dataclass(frozen=True)
class Sample:
    wall: datetime
    elapsed: float  # seconds on a clock that never steps


def detect_step(previous: Sample | None, current: Sample,
                tolerance: timedelta = STEP_TOLERANCE) -> timedelta | None:
    """How far the wall clock jumped between two samples, or None if it did not."""
    if previous is None:
        return None
    jump = (current.wall - previous.wall) - timedelta(seconds=current.elapsed - previous.elapsed)
    return jump if abs(jump) > tolerance else None


def shift_pending(step: timedelta) -> tuple[int, int]:
    """Move pending due times (and queued SMS hand-over times) by ``step``; the caller
    commits. Returns (incidents, SMS) moved.

    A first step (``next_seq`` 0) is due the moment its incident was created, so it is
    never moved later: an incident the web created after a forward step already has a due
    time on the new clock, and moving it would hold back its first message.
    """
    rows = db.session.execute(select(Incident.id, Incident.next_action_at, Incident.next_seq)
                              .where(Incident.state == engine.TRIGGERED,
                                     Incident.next_action_at.is_not(None))).all()
    moved = 0
    for incident_id, due, seq in rows:
        if seq == 0 and step > timedelta(0):
            continue
        result = db.session.execute(
            update(Incident).where(Incident.id == incident_id, Incident.next_action_at == due,
                                   Incident.state == engine.TRIGGERED)
            .values(next_action_at=due + step, version=Incident.version + 1)
            .execution_options(synchronize_session=False))
        moved += result.rowcount
    messages = db.session.execute(select(SmsMessage.id, SmsMessage.status_at).where(
        SmsMessage.direction == "out",
        SmsMessage.status.in_((SmsStatus.QUEUED, SmsStatus.SENDING)))).all()
    for message_id, at in messages:
        if at is not None:
            db.session.execute(update(SmsMessage).where(
                SmsMessage.id == message_id, SmsMessage.status_at == at)
                .values(status_at=at + step).execution_options(synchronize_session=False))
    return moved, len(messages)


class WallStepGuard:
    """One per clock process: samples time for each tick and undoes wall-clock steps."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: Sample | None = None

    @contextmanager
    def tick(self) -> Iterator[datetime]:
        """Run one tick (inside an app context); yields the tick's "now".

        If shifting fails (a full disk, say), the step is looked for again next tick and
        this tick does not run.
        """
        with self._lock:
            current = Sample(clock.now(), clock.monotonic())
            step = detect_step(self._last, current)
            if step is not None:
                incidents, messages = shift_pending(step)
                db.session.commit()
                log.warning("wall clock stepped by %+.1f s: moved %d escalation timers and "
                            "%d queued SMS with it", step.total_seconds(), incidents, messages)
            self._last = current
            yield current.wall


def guard_for(app: Flask) -> WallStepGuard:
    """The clock process's guard (made on first use), shared by its emergency and SMS jobs."""
    return app.extensions.setdefault(_EXTENSION, WallStepGuard())
