"""The clock process: the one place APScheduler runs.

Every second, and at once when the web pokes ``DATA/clock.wake`` after an approval (see
``services.clock_wake``), it renders what was submitted or approved, answers preview
requests and rewrites the channel plans that changed; the emergency and SMS parts add their
own jobs.

Two lanes, so an alert never waits behind normal content: the air lane (alerts rendered in
this process, plan rewrites) runs with the other timers; the content lane (previews and
approved content, each rendered in a limited child process, see ``render_lane``) has a
worker thread of its own.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC
from pathlib import Path

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import select

from publisher.extensions import db
from publisher.jobs.pipeline import process_render_queue, render_error, render_for_channel
from publisher.jobs.plans import (
    DerivedCache,
    PlanBook,
    plan_path,
    sync_coming,
    sync_plans,
    warm_plans,
)
from publisher.jobs.prerender import adopt_prerendered, run_prerenders
from publisher.jobs.render_lane import RenderFailed
from publisher.models import Channel, Job, JobState, utcnow
from publisher.services.clock_wake import WakeListener, poke, wake_path
from publisher.supervision.heartbeat import Beater

log = logging.getLogger(__name__)
# Modules that contribute jobs through ``register(scheduler, app)``.
JOB_MODULES = ("publisher.emergency.jobs", "publisher.inbound.jobs", "publisher.jobs.housekeeping")
# The scheduler's own once-a-second job this late means no worker thread is free.
HEARTBEAT_JOB_LATE_S = 10.0
# A lane runs again at once when woken mid-run, at most this often in a row (then it waits
# for its tick, so a flood of pokes cannot starve the other timers of a thread).
MAX_RERUNS = 3


class ContentClock:
    """The content side of the clock: previews, the render queue and plan files."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.cache = DerivedCache()
        # What each lane last built every channel's plan from: a plan is built again only
        # when that changed (publisher.jobs.plans.plan_inputs), not on every tick.
        self.plans = PlanBook()  # the air lane's: the plan files written
        self.warmed = PlanBook()  # the content lane's: slides rendered, units kept whole
        self.coming: dict[str, bytes] = {}
        # Set by a wake (an approval just committed): a tick that is running runs once more,
        # so a change committed mid-tick never waits for the next one.
        self.air_wanted = threading.Event()
        self.work_wanted = threading.Event()

    def tick(self) -> None:
        """Both lanes once, in order (tests and one-shot runs)."""
        self.air_tick()
        self.work_tick()
        self.air_tick()

    def air_tick(self) -> None:
        """The air lane: alerts to air, approvals rendered before approval, then every plan
        that changed (never waits on a render of normal content)."""
        for _run in range(MAX_RERUNS):
            self.air_wanted.clear()
            self._air_once()
            if not self.air_wanted.is_set():
                break

    def _air_once(self) -> None:
        with self.app.app_context():
            try:
                process_render_queue(alerts_only=True)
                adopt_prerendered()  # approved and already rendered: into the plan below
                sync_coming(utcnow(), self.coming)  # playout holds its page for these
                with self.cache.renders_elsewhere():  # slides and repairs: content lane
                    changed = sync_plans(utcnow(), self.cache, self.plans)
                if changed:
                    log.info("plans updated: %s", ", ".join(changed))
            except Exception:  # noqa: BLE001 - the clock must keep ticking
                db.session.rollback()
                log.exception("air tick failed")
            finally:
                db.session.remove()

    def work_tick(self) -> None:
        """The content lane: previews first (an editor is waiting), then approved content,
        then one submitted item rendered ahead of its approval."""
        for _run in range(MAX_RERUNS):
            self.work_wanted.clear()
            self._work_once()
            if not self.work_wanted.is_set():
                break

    def wake(self) -> None:
        """Content changed (the web poked ``clock.wake``): both lanes run now, not at the
        next tick."""
        self.air_wanted.set()
        self.work_wanted.set()

    def _plan_now(self) -> None:
        """The air lane writes the plans now, not at its next tick (through the wake pipe,
        which also starts it when idle)."""
        self.air_wanted.set()
        poke(wake_path(self.app.config["DATA_DIR"]))

    def _work_once(self) -> None:
        # With content workers (``villagecast worker``, publisher.jobs.worker) previews,
        # pre-renders and the render queue are theirs; derived slides stay here (the air
        # lane reads them from this process's cache).
        rendering = not self.app.config.get("CONTENT_WORKERS")
        with self.app.app_context():
            try:
                if rendering:
                    self.run_previews()
                if adopt_prerendered():  # either lane may get there first; one does
                    self._plan_now()
                if rendering and self._a_channel_has_no_plan():
                    # A new channel (a fresh site) airs its ident and boards while its
                    # backlog renders, not after: a minute or two off air otherwise.
                    self._warm_first()
                if rendering:
                    process_render_queue(content_only=True)
                if rendering and run_prerenders():
                    self._plan_now()  # it may have adopted an approval
                # Derived slides and repairs, for the air lane.
                warm_plans(utcnow(), self.cache, self.warmed)
            except Exception:  # noqa: BLE001 - the clock must keep ticking
                db.session.rollback()
                log.exception("content tick failed")
            finally:
                db.session.remove()

    def _warm_first(self) -> None:
        try:
            warm_plans(utcnow(), self.cache, self.warmed)
        except Exception:  # noqa: BLE001 - a slide that fails must not hold the backlog up
            db.session.rollback()
            log.exception("slides for a new channel's first plan failed; rendering content")
        else:
            self._plan_now()

    def _a_channel_has_no_plan(self) -> bool:
        slugs = db.session.scalars(select(Channel.slug).where(Channel.enabled))
        return any(not plan_path(slug).is_file() for slug in slugs)

    def run_previews(self, limit: int = 10) -> None:
        jobs = db.session.scalars(
            select(Job).where(Job.kind == "preview", Job.state == JobState.QUEUED)
            .order_by(Job.id).limit(limit)
        ).all()
        for job in jobs:
            run_preview(job)


def run_preview(job: Job, still_mine: Callable[[], bool] | None = None) -> bool:
    """Render one preview job's pages (no encoding) and record the result; commits.
    ``still_mine`` (a content worker's lease, publisher.jobs.worker) is asked before the
    result is recorded: False, nothing recorded, when the job was taken over meanwhile."""
    job.state, job.started_at = JobState.RUNNING, utcnow()
    db.session.commit()
    try:
        channel = db.session.scalar(
            select(Channel).where(Channel.township_id == job.payload["township_id"])
            .order_by(Channel.id)
        )
        if channel is None:
            raise RenderFailed(_("该乡镇还没有频道，无法预览。"))
        pages = render_for_channel(job.payload["item"], channel, utcnow(), encode=False)
        job.result = {"pages": [
            {k: p[k] for k in ("key", "duration_s", "page_no", "page_count")}
            for p in pages
        ]}
        job.state = JobState.DONE
    except Exception as exc:  # noqa: BLE001 - reported to the editor
        log.exception("preview %s failed", job.id)
        job.state, job.error = JobState.FAILED, render_error(exc)
    if still_mine and not still_mine():
        db.session.rollback()
        return False
    job.finished_at = utcnow()
    db.session.commit()
    return True


def _hold_lock(data_dir: Path):  # noqa: ANN202
    """Only one clock per data directory: a second one would double every job."""
    handle = open(data_dir / "clock.lock", "w")  # noqa: SIM115 - held for the process life
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        message = "another clock process is already running for this data directory"
        raise SystemExit(message) from None
    return handle


def build_scheduler(app: Flask, content: ContentClock | None = None) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
        # The content lane's own thread: a long render never holds a thread the timers need.
        executors={"default": ThreadPoolExecutor(10), "content": ThreadPoolExecutor(1)},
    )
    content = content or ContentClock(app)
    scheduler.add_job(content.air_tick, "interval", seconds=1, id="air", next_run_time=utcnow())
    scheduler.add_job(content.work_tick, "interval", seconds=1, id="content",
                      executor="content", next_run_time=utcnow())
    for name in JOB_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(scheduler, app)
    return scheduler


class _SkipOverlapNotice(logging.Filter):
    """Drop APScheduler's "skipped: maximum number of running instances" warnings.

    The ticks fire every second by design and a tick that renders a new item runs longer; the
    next tick simply waits (``max_instances=1``, ``coalesce``). Logged, that is a line a second
    during every render, drowning the messages staff need.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


def quiet_overlap_notices() -> None:
    logging.getLogger("apscheduler.scheduler").addFilter(_SkipOverlapNotice())


def run_clock() -> None:
    from flask import current_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line a second is noise
    quiet_overlap_notices()
    app = current_app._get_current_object()  # noqa: SLF001 - the CLI built it
    lock = _hold_lock(Path(app.config["DATA_DIR"]))
    # The heartbeat runs from the start (setting up is progress) and stops when the
    # scheduler stops running jobs (stopped, or every worker thread stuck), so the
    # watchdog can tell a hung clock from a busy one.
    last_job = [time.monotonic()]
    beater = Beater(Path(app.config["STATUS_DIR"]), "clock",
                    alive=lambda: time.monotonic() - last_job[0] < HEARTBEAT_JOB_LATE_S).start()
    content = ContentClock(app)
    scheduler = build_scheduler(app, content)
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    scheduler.add_job(lambda: last_job.__setitem__(0, time.monotonic()), "interval",
                      seconds=1, id="heartbeat")
    listener = WakeListener(wake_path(app.config["DATA_DIR"]),
                            lambda: wake_lanes(scheduler, content)).start()
    log.info("clock started")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        listener.stop()
        beater.stop()
        lock.close()


def wake_lanes(scheduler: BaseScheduler, content: ContentClock) -> None:
    """Run both content lanes now: a lane mid-run runs once more, an idle one starts."""
    content.wake()
    now = utcnow()
    for job_id in ("air", "content"):
        with contextlib.suppress(JobLookupError):
            scheduler.modify_job(job_id, next_run_time=now)
