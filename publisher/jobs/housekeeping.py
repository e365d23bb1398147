"""The clock's disk housekeeping: sweep orphaned temporaries at start, prune by policy.

Registered by the clock (``JOB_MODULES``); the policy itself is
:mod:`publisher.services.storage`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler
from flask import Flask

from publisher.extensions import db
from publisher.models import utcnow
from publisher.services import jobs, recordings, storage

log = logging.getLogger(__name__)
# Often enough that a day of whereabouts reports or a burst of edits never outgrows the
# budget between two runs; a survey walks the whole data directory, so not every tick.
PRUNE_EVERY = timedelta(minutes=15)
# The first survey waits until the clock has rendered and written its plans after a start,
# so pages it is about to name are not judged unused.
FIRST_PRUNE_AFTER = timedelta(minutes=2)


def sweep_at_start(app: Flask) -> None:
    """Remove temporaries a crash or power cut left behind (clock and playout start)."""
    try:
        storage.sweep_temporaries(app.config, utcnow())
    except OSError:
        log.exception("sweeping temporary files failed")


def prune_once(app: Flask) -> storage.PruneReport | None:
    """One pruning run; a failure is logged and the next run tries again."""
    with app.app_context():
        try:
            now = utcnow()
            jobs.prune_finished(now)
            recordings.prune_unclaimed(now)
            return storage.prune(app.config, storage.current_in_use(app.config, now), now)
        except Exception:  # noqa: BLE001 - housekeeping must never stop the clock
            log.exception("pruning the data directory failed")
            return None
        finally:
            db.session.remove()


def register(scheduler: BaseScheduler, app: Flask) -> None:
    now = utcnow()
    scheduler.add_job(sweep_at_start, "date", run_date=now, args=(app,), id="sweep-temporaries")
    scheduler.add_job(prune_once, "interval", seconds=PRUNE_EVERY.total_seconds(), args=(app,),
                      id="prune-storage", next_run_time=now + FIRST_PRUNE_AFTER)
