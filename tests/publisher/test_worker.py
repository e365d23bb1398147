"""Content workers (publisher.jobs.worker): work claimed through leases; a dead worker's job
is done by another once its lease has expired; work taken over records nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.publisher.test_clock_pipeline import POLICY, _approved_policy

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def people(app, township, make_user):  # noqa: ANN001, ANN201
    return {"editor": make_user("editor", "editor", township),
            "reviewer": make_user("reviewer", "reviewer", township)}


def _preview(township_id: int) -> int:
    from publisher.services.jobs import enqueue

    return enqueue("preview", {"item": {**POLICY, "type": "policy"},
                               "township_id": township_id}).id


def _dead_worker_took(name: str, ago: timedelta) -> None:
    """A worker claimed ``name`` ``ago`` and died before finishing (never renewed)."""
    from publisher.extensions import db
    from publisher.leases import LeaseBook
    from publisher.models import utcnow

    LeaseBook(db.session, "worker-dead", "worker").claim([name], 1, utcnow() - ago)


def _worker(app, node: str):  # noqa: ANN001, ANN202
    from publisher.jobs.worker import Worker

    app.config["NODE_ID"] = node
    return Worker(app)


def test_a_dead_workers_preview_is_done_by_another_after_its_lease_expired(app, township):  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import Job, JobState, Lease

    with app.app_context():
        job_id = _preview(township)
        job = db.session.get(Job, job_id)
        job.state = JobState.RUNNING  # as the dead worker left it
        db.session.commit()
        _dead_worker_took(f"job:{job_id}", ago=timedelta(seconds=10))
        db.session.remove()
    assert _worker(app, "worker-b").work_once() == f"job:{job_id}"
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.state == JobState.DONE
        assert job.result["pages"][0]["page_no"] == 1
        # Finished work leaves no lease row behind.
        assert db.session.scalar(select(func.count()).select_from(Lease)) == 0


def test_a_live_workers_job_is_left_to_it(app, township):  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import Job, JobState

    with app.app_context():
        job_id = _preview(township)
        _dead_worker_took(f"job:{job_id}", ago=timedelta(seconds=1))  # still within its TTL
        db.session.remove()
    assert _worker(app, "worker-b").work_once() is None
    with app.app_context():
        assert db.session.get(Job, job_id).state == JobState.QUEUED


def test_work_taken_over_meanwhile_records_nothing(app, township):  # noqa: ANN001
    from publisher.extensions import db
    from publisher.jobs.clock import run_preview
    from publisher.models import Job, JobState

    with app.app_context():
        job = db.session.get(Job, _preview(township))
        assert run_preview(job, still_mine=lambda: False) is False
        db.session.expire_all()
        assert job.state == JobState.RUNNING  # for whoever holds the lease now
        assert job.result is None


def test_with_workers_the_clock_leaves_approved_content_to_them(app, people):  # noqa: ANN001
    from publisher.extensions import db
    from publisher.jobs.clock import ContentClock
    from publisher.models import ContentVersion, RenderState

    app.config["CONTENT_WORKERS"] = True
    with app.app_context():
        item = _approved_policy(app, people)
        version_id = db.session.scalar(select(ContentVersion.id).where(
            ContentVersion.item_id == item.id).order_by(ContentVersion.id.desc()))
        db.session.remove()
    ContentClock(app).work_tick()
    with app.app_context():
        assert db.session.get(ContentVersion, version_id).render_state == RenderState.QUEUED
        db.session.remove()
    worker = _worker(app, "worker-a")
    done = [worker.work_once() for _ in range(3)]
    assert f"render:{version_id}" in done
    with app.app_context():
        version = db.session.get(ContentVersion, version_id)
        assert version.render_state == RenderState.READY
        assert version.item.live_version_id == version_id
