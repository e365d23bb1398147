"""Queueing background work for the clock process (see publisher.models.jobs)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete

from publisher.extensions import db
from publisher.models import Job, JobState

# Finished jobs are only read while someone waits on them (a preview, a render's progress);
# a week keeps them for looking into a failure, and keeps the table from growing with every
# submission's pre-render.
KEEP_FINISHED = timedelta(days=7)


def enqueue(kind: str, payload: dict[str, Any], *, commit: bool = True) -> Job:
    """Add a job; the clock process picks it up within about a second."""
    job = Job(kind=kind, payload=payload)
    db.session.add(job)
    if commit:
        db.session.commit()
    return job


def prune_finished(now: datetime, keep: timedelta = KEEP_FINISHED) -> int:
    """Delete jobs that finished (done or failed) more than ``keep`` ago; returns how many."""
    result = db.session.execute(
        delete(Job).where(Job.state.in_([JobState.DONE, JobState.FAILED]),
                          Job.finished_at < now - keep))
    db.session.commit()
    return result.rowcount or 0
