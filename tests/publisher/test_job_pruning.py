"""Finished background jobs are pruned after a week; queued and running ones never are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from publisher.extensions import db
from publisher.jobs.housekeeping import prune_once
from publisher.models import Job, JobState

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def _job(kind: str, state: str, finished_days_ago: float | None) -> Job:
    finished = None if finished_days_ago is None else NOW - timedelta(days=finished_days_ago)
    job = Job(kind=kind, payload={}, state=state, finished_at=finished)
    db.session.add(job)
    return job


def test_old_finished_jobs_go_and_the_rest_stay(app) -> None:  # noqa: ANN001
    from publisher.services.jobs import prune_finished

    with app.app_context():
        _job("prerender", JobState.DONE, 8)
        _job("preview", JobState.FAILED, 30)
        kept = [_job("prerender", JobState.DONE, 6), _job("render", JobState.QUEUED, None),
                _job("render", JobState.RUNNING, None), _job("preview", JobState.FAILED, 1)]
        db.session.commit()
        kept_ids = {j.id for j in kept}

        assert prune_finished(NOW) == 2
        assert {j.id for j in db.session.scalars(db.select(Job))} == kept_ids


def test_the_clock_housekeeping_prunes_jobs(app) -> None:  # noqa: ANN001
    with app.app_context():
        _job("prerender", JobState.DONE, 400)
        db.session.commit()
    prune_once(app)
    with app.app_context():
        assert db.session.scalars(db.select(Job)).all() == []
