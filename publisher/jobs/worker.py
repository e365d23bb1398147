"""Content workers: the clock's rendering on as many processes (and machines) as needed.

With ``VILLAGECAST_CONTENT_WORKERS=1`` the clock leaves previews, pre-renders and the render
queue of approved content to ``villagecast worker`` processes (the clock keeps alerts, plans
and derived slides: those must not wait behind anything). A worker takes one piece of work
at a time through a lease (``job:<id>``, ``render:<version id>``; publisher.leases), renews it
every 1.5 s while it works and records the result only if the lease is still its own. A
worker that dies mid-render stops renewing; once its lease has expired (6 s) another worker
takes the work and does it again, so nothing stays "running" for ever.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Iterator

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from publisher.extensions import db
from publisher.jobs.clock import run_preview
from publisher.jobs.pipeline import render_queued
from publisher.jobs.prerender import PRERENDER, run_prerender
from publisher.jobs.render_queue import queued_fairly
from publisher.leases import RENEW_EVERY_S, LeaseBook, holds
from publisher.models import ContentVersion, Job, JobState, RenderState, utcnow

log = logging.getLogger(__name__)
ROLE = "worker"
IDLE_POLL_S = 1.0  # an idle worker looks for work this often
CANDIDATES = 20  # work items offered to one claim (the first free one is taken)
_UNFINISHED = (JobState.QUEUED, JobState.RUNNING)  # running: perhaps on a worker that died


def pending_work() -> list[str]:
    """Lease names of the work waiting, most urgent first: previews (an editor is waiting),
    approved content, then pre-renders of submitted content."""
    def jobs(kind: str) -> list[str]:
        ids = db.session.scalars(select(Job.id).where(Job.kind == kind, Job.state.in_(_UNFINISHED))
                                 .order_by(Job.id).limit(CANDIDATES))
        return [f"job:{i}" for i in ids]

    # Approved content in the render queue's fair order: townships in turn (render_queue).
    renders = queued_fairly(CANDIDATES, content_only=True)
    return [*jobs("preview"), *(f"render:{i}" for i in renders), *jobs(PRERENDER)]


class Worker:
    """One worker process: its leases and the work it does under them."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.book = LeaseBook(db.session, app.config["NODE_ID"], ROLE)

    def work_once(self) -> str | None:
        """Claim one piece of work and do it; its lease name, or None when there was none."""
        with self.app.app_context():
            try:
                self.book.heartbeat(utcnow())
                claimed = self.book.claim(pending_work(), 1, utcnow())
                if not claimed:
                    return None
                name = claimed[0]
                with self._renewing():
                    done = self._do(name)
                log.info("%s %s on %s", name, "done" if done else "taken over",
                         self.book.node)
                self.book.finish(name)
                return name
            except SQLAlchemyError:
                db.session.rollback()
                log.exception("worker: a turn failed")
                return None
            finally:
                db.session.remove()

    def _still_mine(self, name: str) -> bool:
        generation = self.book.token(name)
        return (self.book.may_write(name, generation) and generation is not None
                and holds(db.session, name, self.book.node, generation, utcnow()))

    def _do(self, name: str) -> bool:
        kind, _, number = name.partition(":")
        still_mine = lambda: self._still_mine(name)  # noqa: E731 - read beside its use
        if kind == "render":
            version = db.session.get(ContentVersion, int(number))
            if version is None or version.render_state != RenderState.QUEUED:
                return True  # put on air from its pre-render meanwhile
            return render_queued(version, utcnow(), still_mine)
        job = db.session.get(Job, int(number))
        if job is None or job.state not in _UNFINISHED:
            return True
        if job.kind == "preview":
            return run_preview(job, still_mine)
        return run_prerender(job, None, still_mine)

    @contextlib.contextmanager
    def _renewing(self) -> Iterator[None]:
        """Renew the leases in a thread of its own while the work runs (a render takes
        minutes; the lease lasts seconds)."""
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(RENEW_EVERY_S):
                with self.app.app_context():
                    try:
                        self.book.renew(utcnow())
                    except SQLAlchemyError:  # the next try may pass; the lease lasts 6 s
                        log.exception("worker: renewing failed")
                    finally:
                        db.session.remove()

        thread = threading.Thread(target=renew, name="lease-renewal", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def leave(self) -> None:
        with self.app.app_context():
            try:
                self.book.leave()
            except SQLAlchemyError:
                log.exception("worker: leaving failed")
            finally:
                db.session.remove()


def run_worker(stop: threading.Event | None = None) -> None:
    """Do content work until stopped (SIGTERM: after the piece under way)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = current_app._get_current_object()  # noqa: SLF001 - the CLI built it
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    try:
        worker = Worker(app)
    except ValueError as exc:  # a node id the lease table cannot hold: say which setting
        raise SystemExit(f"VILLAGECAST_NODE_ID: {exc}") from None
    log.info("content worker %s started", worker.book.node)
    try:
        while not stop.is_set():
            if worker.work_once() is None:
                stop.wait(IDLE_POLL_S)
    finally:
        worker.leave()
