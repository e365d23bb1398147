"""Queueing background work for the clock process (see publisher.models.jobs)."""

from __future__ import annotations

from typing import Any

from publisher.extensions import db
from publisher.models import Job


def enqueue(kind: str, payload: dict[str, Any], *, commit: bool = True) -> Job:
    """Add a job; the clock process picks it up within about a second."""
    job = Job(kind=kind, payload=payload)
    db.session.add(job)
    if commit:
        db.session.commit()
    return job
