"""The playout process: one supervised feed thread per enabled channel.

Each feed reads only its plan file and the cached units; the as-run log goes to the
database. A feed that fails is restarted within seconds and resumes at the right point
of the timeline (its play state and stream position are persisted by the feed).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select

from playlists.playout import AsRunEntry as AiredPage
from playlists.playout import run_channel
from playlists.timeline import next_slot
from playlists.udp import UdpRelay, UdpSettings
from publisher.extensions import db
from publisher.jobs.housekeeping import sweep_at_start
from publisher.models import AsRunEntry, Channel
from publisher.services.org.places import channel_muxrate_bps
from publisher.supervision.heartbeat import Beater

log = logging.getLogger(__name__)
RESTART_DELAY_S = 1.0  # a crashed feed is back well inside the 5 s the issue allows
# How often to look for channels enabled (or plans written) since, and for changed UDP
# settings: a new address, rate or pause takes effect within this plus about a second.
CHANNEL_POLL_S = 5.0


def record_as_run(app: Flask, channel_id: int, page: AiredPage) -> None:
    """Append one aired page to the as-run log."""
    with app.app_context():
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
        db.session.commit()
        db.session.remove()


def supervise(app: Flask, channel_id: int, slug: str, relay: UdpRelay | None,
              stop: threading.Event) -> None:
    """Run one channel's feed until ``stop``; restart it whenever it fails.

    The UDP relay outlives a failed feed: the head-end hears a short gap, not a restart.
    """
    config = app.config
    plan_path = Path(config["PLAN_DIR"]) / f"{slug}.json"
    while not stop.is_set():
        try:
            run_channel(
                plan_path,
                Path(config["HLS_DIR"]),
                relay,
                Path(config["CACHE_DIR"]),
                next_slot,
                lambda page: record_as_run(app, channel_id, page),
                stop,
                status_dir=Path(config["STATUS_DIR"]),
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


def _enabled(app: Flask) -> list[tuple[int, str, UdpSettings]]:
    with app.app_context():
        channels = db.session.scalars(select(Channel).where(Channel.enabled)).all()
        found = [(c.id, c.slug, udp_settings(c)) for c in channels]
        db.session.remove()
    return found


def _startable(app: Flask, found: list[tuple[int, str, UdpSettings]],
               running: dict[str, threading.Thread]) -> list[tuple[int, str, UdpSettings]]:
    plan_dir = Path(app.config["PLAN_DIR"])
    return [c for c in found if c[1] not in running and (plan_dir / f"{c[1]}.json").exists()]


def follow_udp_settings(relays: dict[str, UdpRelay],
                        found: list[tuple[int, str, UdpSettings]]) -> None:
    """Hand each running channel's relay its current settings (a disabled channel's: off)."""
    wanted = {slug: settings for _, slug, settings in found}
    for slug, relay in relays.items():
        relay.configure(wanted.get(slug, UdpSettings()))


def run_playout(slugs: list[str], stop: threading.Event | None = None) -> None:
    """Air every enabled channel (or just ``slugs``) until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = current_app._get_current_object()  # noqa: SLF001 - the CLI built it
    sweep_at_start(app)  # temporaries a crash or power cut left behind
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    running: dict[str, threading.Thread] = {}
    relays: dict[str, UdpRelay] = {}
    looped = [time.monotonic()]  # the channel loop's last turn: the heartbeat's evidence
    beater = Beater(Path(app.config["STATUS_DIR"]), "playout",
                    alive=lambda: time.monotonic() - looped[0] < 3 * CHANNEL_POLL_S).start()
    while not stop.is_set():
        looped[0] = time.monotonic()
        found = _enabled(app)
        follow_udp_settings(relays, found)
        for channel_id, slug, udp in _startable(app, found, running):
            if slugs and slug not in slugs:
                continue
            relays[slug] = UdpRelay(udp).start()
            thread = threading.Thread(target=supervise, name=f"feed-{slug}", daemon=True,
                                      args=(app, channel_id, slug, relays[slug], stop))
            thread.start()
            running[slug] = thread
            log.info("feed %s started%s", slug, f" (UDP {udp.url})" if udp.url else "")
        stop.wait(CHANNEL_POLL_S)
    beater.stop()
    for thread in running.values():
        thread.join(timeout=10)
    for relay in relays.values():
        relay.stop()
