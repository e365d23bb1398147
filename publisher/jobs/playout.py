"""The playout process: one supervised feed thread per channel this node holds the lease of.

Each feed reads only its plan file and the cached units; the as-run log goes to the
database. A feed that fails is restarted within seconds and resumes at the right point
of the timeline (its play state and stream position are persisted by the feed, on the
storage the nodes share). Several playout processes (nodes) share the channels through
leases (publisher.leases): each airs its fair share, takes over the channels of a node that
died, and stops a channel at once when its lease is lost.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from playlists.feed import SystemClock
from playlists.playout import AiredPage, run_channel
from playlists.priority import ahead_of_ordinary_work
from playlists.timeline import next_slot
from playlists.udp import UdpRelay, UdpSettings
from publisher import clock
from publisher.extensions import db
from publisher.jobs.housekeeping import sweep_at_start
from publisher.leases import (
    RENEW_EVERY_S,
    Held,
    LeaseBook,
    above_share,
    channel_lease,
    fair_share,
    holds,
)
from publisher.models import AsRunEntry, Channel, utcnow
from publisher.services.org.places import channel_muxrate_bps
from publisher.supervision.heartbeat import Beater

log = logging.getLogger(__name__)
RESTART_DELAY_S = 1.0  # a crashed feed is back well inside the 5 s the issue allows
# How often the process renews its leases, looks for channels enabled (or plans written)
# since, for channels to take over, and for changed UDP settings: a new address, rate or
# pause takes effect within this plus about a second.
CHANNEL_POLL_S = RENEW_EVERY_S
# The heartbeat stops (and the watchdog acts) when the loop has not turned for this long
# (its leases were lost long before: a turn never waits for a feed to stop).
LOOP_LATE_S = 15.0
FENCE_POLL_S = 0.2  # a feed whose lease cannot be confirmed waits, looking this often
ROLE = "playout"


@dataclass(frozen=True)
class Fencing:
    """What a feed shows to write: its node, the lease and the generation it claimed."""

    node: str
    lease: str
    generation: int
    may_write: Callable[[], bool]


def record_as_run(app: Flask, channel_id: int, page: AiredPage,
                  fencing: Fencing | None = None) -> bool:
    """Append one aired page to the as-run log; False (nothing written) when ``fencing``
    says the channel is no longer this node's: the node that took it over logs its air."""
    with app.app_context():
        try:
            if fencing and not holds(db.session, fencing.lease, fencing.node,
                                     fencing.generation, utcnow()):
                log.warning("%s lost: as-run entry of %s not written", fencing.lease,
                            page.started_at.isoformat())
                return False
            db.session.add(AsRunEntry(
                channel_id=channel_id,
                aired_at=page.started_at,
                duration_ms=round(page.duration_s * 1000),
                item_ref=page.item_id,
                version=page.version,
                category=page.category,
                title=page.title,
                page_no=page.page_no,
                page_count=page.page_count,
                page_key=page.page_key,
                interrupt=page.interrupt,
            ))
            db.session.commit()  # on PostgreSQL this also ends the lease row's share lock
            return True
        finally:
            db.session.remove()


def supervise(app: Flask, channel_id: int, slug: str, relay: UdpRelay | None,
              stop: threading.Event, fencing: Fencing | None = None) -> None:
    """Run one channel's feed until ``stop``; restart it whenever it fails.

    The UDP relay outlives a failed feed: the head-end hears a short gap, not a restart.
    With ``fencing`` the feed writes only while the lease is sure; while it is not (the
    database did not answer the last renewals) the feed waits, and goes on if it comes back.
    """
    config = app.config
    plan_path = Path(config["PLAN_DIR"]) / f"{slug}.json"
    fence = fencing.may_write if fencing else None
    while not stop.is_set():
        if fence and not fence():
            stop.wait(FENCE_POLL_S)
            continue
        try:
            run_channel(
                plan_path,
                Path(config["HLS_DIR"]),
                relay,
                Path(config["CACHE_DIR"]),
                next_slot,
                lambda page: record_as_run(app, channel_id, page, fencing),
                stop,
                SystemClock(clock=clock.current_of(app)),  # the app's clock, steady for playout
                status_dir=Path(config["STATUS_DIR"]),
                fence=fence,
            )
        except Exception:  # noqa: BLE001 - a feed must never stay down
            log.exception("feed %s failed; restarting in %.0f s", slug, RESTART_DELAY_S)
            stop.wait(RESTART_DELAY_S)


def udp_settings(channel: Channel) -> UdpSettings:
    """What a channel's settings say its UDP output should do (off: no address or paused)."""
    if not channel.udp_url or channel.udp_paused:
        return UdpSettings()
    try:
        rate = channel_muxrate_bps(channel.profile, channel.udp_muxrate_kbps)
    except ValueError:  # a profile this version does not know: no UDP, the feed goes on
        log.error("channel %s: no UDP output for profile %r", channel.slug, channel.profile)
        return UdpSettings()
    return UdpSettings(channel.udp_url, rate, channel.name, channel.sdt_provider)


def _airable(app: Flask, slugs: list[str]) -> list[tuple[int, str, UdpSettings]]:
    """Enabled channels with a plan (of ``slugs`` if given): what the nodes share."""
    plan_dir = Path(app.config["PLAN_DIR"])
    channels = db.session.scalars(select(Channel).where(Channel.enabled)).all()
    return [(c.id, c.slug, udp_settings(c)) for c in channels
            if (not slugs or c.slug in slugs) and (plan_dir / f"{c.slug}.json").exists()]


def follow_udp_settings(relays: dict[str, UdpRelay],
                        found: list[tuple[int, str, UdpSettings]]) -> None:
    """Hand each running channel's relay its current settings (a disabled channel's: off)."""
    wanted = {slug: settings for _, slug, settings in found}
    for slug, relay in relays.items():
        relay.configure(wanted.get(slug, UdpSettings()))


@dataclass
class Feed:
    """A channel this node airs: its supervised thread, its own stop, its UDP relay."""

    thread: threading.Thread
    stop: threading.Event
    relay: UdpRelay

    def end(self, then: Callable[[], None] | None = None, *, wait: bool = False) -> None:
        """Stop the feed; once its thread has ended, stop its relay and call ``then``.
        Without ``wait`` that happens in the background: a feed still starting (encoding
        its slate under load) must not hold up the lease turn, whose renewals keep the
        node's other channels."""

        def finish() -> None:
            self.thread.join(timeout=30)
            self.relay.stop()
            if then:
                then()

        self.stop.set()
        if wait:
            finish()
        else:
            threading.Thread(target=finish, name="feed-end", daemon=True).start()


class Node:
    """This playout process among the nodes: its leases and the feeds they allow."""

    def __init__(self, app: Flask, slugs: list[str]) -> None:
        self.app = app
        self.slugs = slugs
        self.book = LeaseBook(db.session, app.config["NODE_ID"], ROLE)
        self.feeds: dict[str, Feed] = {}

    def turn(self) -> None:
        """Renew, count the live nodes, hand back what is above the share, claim up to it."""
        began = time.monotonic()
        with self.app.app_context():
            try:
                self._turn()
            except SQLAlchemyError:  # the feeds go on while their leases are sure
                db.session.rollback()
                log.exception("playout: lease turn failed")
            finally:
                db.session.remove()
        took = time.monotonic() - began
        if took > CHANNEL_POLL_S:  # the leases are at risk: say so before they are lost
            log.warning("playout: a lease turn took %.1f s", took)

    def _turn(self) -> None:
        for name in self.book.renew(utcnow()):
            self._end(name.removeprefix("channel:"), "its lease was taken over")
        live = self.book.heartbeat(utcnow())
        found = _airable(self.app, self.slugs)
        follow_udp_settings({slug: feed.relay for slug, feed in self.feeds.items()}, found)
        wanted = {slug for _, slug, _ in found}
        for slug in [s for s in self.feeds if s not in wanted]:
            self._end(slug, "disabled or no plan")
        share = fair_share(len(found), live)
        for name in above_share(self.book.held, share):
            self._end(name.removeprefix("channel:"), "handed to another node")
        claimed = set(self.book.claim([channel_lease(slug) for _, slug, _ in found],
                                      share - len(self.book.held), utcnow()))
        for channel_id, slug, udp in found:
            if channel_lease(slug) in claimed:
                self._start(channel_id, slug, udp)

    def _start(self, channel_id: int, slug: str, udp: UdpSettings) -> None:
        name = channel_lease(slug)
        fencing = Fencing(self.book.node, name, self.book.token(name) or 0,
                          self.book.fence(name))
        stop = threading.Event()
        relay = UdpRelay(udp).start()
        thread = threading.Thread(target=supervise, name=f"feed-{slug}", daemon=True,
                                  args=(self.app, channel_id, slug, relay, stop, fencing))
        thread.start()
        self.feeds[slug] = Feed(thread, stop, relay)
        log.info("feed %s started on node %s (lease generation %d)%s", slug, self.book.node,
                 fencing.generation, f" (UDP {udp.url})" if udp.url else "")

    def _end(self, slug: str, why: str, *, wait: bool = False) -> None:
        """Stop airing ``slug``: its fence closes at once (the feed writes nothing more even
        before its thread has ended), and the lease, if still this node's, is given back
        once the feed has stopped, for another node to take at its next turn."""
        held = self.book.drop(channel_lease(slug))
        feed = self.feeds.pop(slug, None)
        if feed:
            feed.end((lambda: self._give_back(held)) if held else None, wait=wait)
            log.info("feed %s stopped on node %s: %s", slug, self.book.node, why)

    def _give_back(self, held: Held) -> None:
        with self.app.app_context():
            try:
                self.book.give_back(held)
            except SQLAlchemyError:  # it expires by itself
                log.exception("playout: %s not given back", held.name)
            finally:
                db.session.remove()

    def leave(self) -> None:
        """Stop every feed and give the leases back so other nodes take them at once."""
        for slug in list(self.feeds):
            self._end(slug, "shutting down", wait=True)
        with self.app.app_context():
            try:
                self.book.leave()
            except SQLAlchemyError:  # they expire by themselves
                log.exception("playout: leases not released")
            finally:
                db.session.remove()


def run_playout(slugs: list[str], stop: threading.Event | None = None) -> None:
    """Air this node's share of the enabled channels (of ``slugs`` if given) until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = current_app._get_current_object()  # noqa: SLF001 - the CLI built it
    sweep_at_start(app)  # temporaries a crash or power cut left behind
    log.info("playout scheduling priority: %s", ahead_of_ordinary_work())
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    looped = [time.monotonic()]  # the channel loop's last turn: the heartbeat's evidence
    beater = Beater(Path(app.config["STATUS_DIR"]), "playout",
                    alive=lambda: time.monotonic() - looped[0] < LOOP_LATE_S).start()
    try:
        node = Node(app, slugs)
    except ValueError as exc:  # a node id the lease table cannot hold: say which setting
        raise SystemExit(f"VILLAGECAST_NODE_ID: {exc}") from None
    log.info("playout node %s started", node.book.node)
    try:
        while not stop.is_set():
            looped[0] = began = time.monotonic()
            node.turn()
            # Paced from the start of each turn: a slow turn (a busy machine, a slow
            # database) must not also push the next renewal back.
            stop.wait(max(0.0, CHANNEL_POLL_S - (time.monotonic() - began)))
    finally:
        beater.stop()
        node.leave()
