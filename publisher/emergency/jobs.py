"""The emergency jobs of the clock process.

Every half second: copy SMS status onto attempts, run due escalation steps, hand their
SMS to the gateway at once, call the voice webhook; before that, a wall-clock step moves
the due times (publisher.emergency.wallstep) and presses a full disk left in the journal
are stored (press_journal). Every minute: device tests due, CAP feeds, the emergency
reserve and journal on the data disk. All state is in the database (or, for a press the
full disk kept out of it, the journal), so any run may be the first after a restart.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from flask import Flask

from publisher.extensions import db

log = logging.getLogger(__name__)
# One clock tick: the bound on how late a step may run (see bench/emergency_bench.py).
TICK_SECONDS = 0.5
HEALTH_SECONDS = 60
DISK_FULL_NOTICE_S = 60


def escalation_tick(app: Flask) -> None:
    from publisher.emergency import reserve, wallstep

    with app.app_context():
        try:
            with wallstep.guard_for(app).tick() as now:
                try:
                    _escalate(app, now)
                except Exception as exc:
                    db.session.rollback()
                    # A full data disk must not hold up a call for help: use the room kept
                    # for it (publisher.emergency.reserve) and try again at once.
                    if not (reserve.is_disk_full(exc)
                            and reserve.release(app.config["DATA_DIR"])):
                        raise
                    _escalate(app, now)
        except Exception as exc:  # noqa: BLE001 - the clock must keep ticking
            db.session.rollback()
            if reserve.is_disk_full(exc):
                _disk_full_notice()
            else:
                log.exception("escalation tick failed")
        finally:
            db.session.remove()


_last_disk_full_notice = [float("-inf")]


def _disk_full_notice() -> None:
    """One line a minute while the disk is full, not a traceback every tick (the log may
    well be on the same full disk)."""
    if time.monotonic() - _last_disk_full_notice[0] >= DISK_FULL_NOTICE_S:
        _last_disk_full_notice[0] = time.monotonic()
        log.error("data disk full: escalations and kept presses wait for room (retried "
                  "every tick)")


def _escalate(app: Flask, now: datetime) -> None:
    from publisher.emergency import escalation, incidents

    try:
        incidents.trigger_kept_presses(app.config["DATA_DIR"])  # presses a full disk left
    except OSError:  # the journal unreadable must not hold up the escalations under way
        log.exception("cannot read the emergency press journal")
    escalation.tick(now)


def minute_tick(app: Flask) -> None:
    from publisher.clock import now
    from publisher.emergency import alerts, health

    keep_reserve(app)
    with app.app_context():
        for job in (health.check_devices, alerts.poll_sources):
            try:
                job(now())
            except Exception:  # noqa: BLE001
                db.session.rollback()
                log.exception("%s failed", job.__name__)
        db.session.remove()


def keep_reserve(app: Flask) -> None:
    """Make the emergency reserve and the press journal again once the data disk has room
    (see publisher.emergency.reserve and press_journal)."""
    from publisher.emergency import press_journal, reserve

    try:
        press_journal.ensure(app.config["DATA_DIR"])
        reserve.ensure(app.config["DATA_DIR"], reserve.reserve_size(app.config))
    except OSError:
        log.exception("cannot make the emergency reserve")


def register(scheduler, app: Flask) -> None:  # noqa: ANN001
    """Called by publisher.jobs.clock."""
    from publisher.emergency import wallstep

    wallstep.guard_for(app)  # before any job runs: the SMS jobs share it
    keep_reserve(app)
    scheduler.add_job(escalation_tick, "interval", seconds=TICK_SECONDS, args=[app],
                      id="emergency", max_instances=1, coalesce=True)
    scheduler.add_job(minute_tick, "interval", seconds=HEALTH_SECONDS, args=[app],
                      id="emergency-minute", max_instances=1, coalesce=True)
