"""The data disk: its alarm, the sweep of orphaned temporary files, and pruning by policy.

A channel that runs for months keeps writing: a new page and unit for every edit and every
whereabouts report, HLS directories of channels since removed, handled SMS files. The
policy below keeps the data directory within a budget (``DISK_BUDGET``) and the admin warns
well before the disk is full (``DISK_ALARM_PERCENT``, ``DISK_ALARM_FREE``).

The decisions are pure functions over plain data (what is stored, what is in use, ``now``);
the edge reads the disk, lists files (:mod:`publisher.services.storage_scan`) and removes
what was decided. What a plan
or a content version names is never pruned, nor the slate, the unit templates or the audio
beds; a unit pruned from under an item restored later is rendered again by the clock
(``publisher.jobs.pipeline.UnitRepair``). HLS segments of a channel on air belong to the HLS
writer: only the directory of a channel removed or disabled for long is pruned.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from publisher.services import storage_scan as scan
from publisher.services.storage_scan import Stored
from renderer.atomic import is_temporary, write_atomic

log = logging.getLogger(__name__)

# A temporary file this old is an orphan: the longest write (a music bed encode, ffmpeg
# timeout 600 s) takes a sixth of it, and a crash leaves its temporaries behind for good.
TEMP_SAFE_AGE = timedelta(hours=1)
STATUS_NAME = "storage.json"  # the last survey, in STATUS_DIR, for the dashboard


@dataclass(frozen=True)
class Retention:
    """How long an unused file stays: ``keep`` always, ``grace`` even when over budget."""

    keep: timedelta
    grace: timedelta


RETENTION: dict[scan.Kind, Retention] = {
    # A page or unit no plan or version names: kept a week (an item restored, yesterday's
    # board again), at least a day under budget pressure (a render not yet saved, a preview
    # staff are still looking at).
    "page": Retention(keep=timedelta(days=7), grace=timedelta(days=1)),
    "unit": Retention(keep=timedelta(days=7), grace=timedelta(days=1)),
    "manifest": Retention(keep=timedelta(days=7), grace=timedelta(days=1)),
    # A page's narration track, like its unit; the speech it was mixed from is needed only
    # to mix it again (and is synthesised again in well under a second if it has gone).
    "audio": Retention(keep=timedelta(days=7), grace=timedelta(days=1)),
    "speech": Retention(keep=timedelta(days=7), grace=timedelta(days=1)),
    # HLS of a channel removed or disabled: no player is still on it after a day.
    "hls": Retention(keep=timedelta(days=1), grace=timedelta(days=1)),
    # Handled SMS files: a month for looking into a complaint, a day when space is short
    # (the SMS log in the database keeps every message anyway).
    "sms": Retention(keep=timedelta(days=30), grace=timedelta(days=1)),
}


# --- pure: the alarm -----------------------------------------------------------------


@dataclass(frozen=True)
class DiskPolicy:
    alarm_percent: float  # alarm when the disk is at least this full
    alarm_free: int  # ... or has fewer free bytes than this
    budget: int  # bytes the data directory may hold; pruning keeps it below

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DiskPolicy:
        return cls(float(config["DISK_ALARM_PERCENT"]), int(config["DISK_ALARM_FREE"]),
                   int(config["DISK_BUDGET"]))


@dataclass(frozen=True)
class DiskUsage:
    total: int
    used: int
    free: int

    @property
    def percent_used(self) -> float:
        return 100.0 * self.used / self.total if self.total else 100.0


@dataclass(frozen=True)
class DiskState:
    """The data disk as the dashboard shows it."""

    usage: DiskUsage
    policy: DiskPolicy
    data_bytes: int | None  # the data directory, as last surveyed by the clock
    surveyed_at: datetime | None
    reasons: tuple[str, ...]  # "percent", "free", "budget": why the alarm is on

    @property
    def alarm(self) -> bool:
        return bool(self.reasons)


def disk_state(usage: DiskUsage, policy: DiskPolicy, data_bytes: int | None = None,
               surveyed_at: datetime | None = None) -> DiskState:
    """Whether the disk is full enough, or the data directory big enough, to warn."""
    reasons = []
    if usage.percent_used >= policy.alarm_percent:
        reasons.append("percent")
    if usage.free < policy.alarm_free:
        reasons.append("free")
    if data_bytes is not None and data_bytes > policy.budget:
        reasons.append("budget")
    return DiskState(usage, policy, data_bytes, surveyed_at, tuple(reasons))


# --- pure: what to prune -------------------------------------------------------------


@dataclass(frozen=True)
class InUse:
    keys: frozenset[str]  # page (and narration track) keys a plan or content version names
    channels: frozenset[str]  # slugs of enabled channels


def retention(entry: Stored, in_use: InUse) -> Retention | None:
    """How long ``entry`` may stay unused, or ``None`` if it must never be pruned."""
    if entry.kind in ("page", "unit", "audio"):
        if entry.name in in_use.keys or entry.name.startswith("slate-"):
            return None
    elif entry.kind == "manifest":
        if any(key in in_use.keys for key in entry.refs):
            return None
    elif entry.kind == "hls" and entry.name in in_use.channels:
        return None
    return RETENTION[entry.kind]


def choose_prunes(entries: Iterable[Stored], in_use: InUse, now: datetime, data_bytes: int,
                  budget: int) -> list[Stored]:
    """What to remove: everything unused past its ``keep``; then, while the data directory
    is over ``budget``, the oldest unused things past their ``grace``."""
    expired, pressed = [], []
    for entry in entries:
        rule = retention(entry, in_use)
        if rule is None:
            continue
        age = now - entry.mtime
        if age >= rule.keep:
            expired.append(entry)
        elif age >= rule.grace:
            pressed.append(entry)
    excess = data_bytes - sum(e.size for e in expired) - budget
    chosen = list(expired)
    for entry in sorted(pressed, key=lambda e: e.mtime):
        if excess <= 0:
            break
        chosen.append(entry)
        excess -= entry.size
    return chosen


def is_stale_temporary(name: str, mtime: datetime, now: datetime, *,
                       temp_dir: bool = False) -> bool:
    """Whether a file is an orphaned temporary: named as one (or in a temporary folder) and
    older than ``TEMP_SAFE_AGE``, so no writer can still be busy with it."""
    return (temp_dir or is_temporary(name)) and now - mtime >= TEMP_SAFE_AGE


# --- the edge: files and the disk ----------------------------------------------------


def sweep_temporaries(config: Mapping[str, Any], now: datetime) -> list[Path]:
    """Remove orphaned temporary files anywhere in the data directory; returns them.

    Run at the start of the clock and playout processes (and with each pruning): a crash or
    power cut mid-write leaves a temporary file that nothing else would ever remove.
    """
    spool_tmp = scan.spool_dir(config) / scan.SMS_TEMP_DIR
    removed = []
    for root in scan.data_roots(config):
        for path, st in scan.files(root):
            if is_stale_temporary(path.name, scan.mtime_of(st), now,
                                  temp_dir=path.parent == spool_tmp):
                try:
                    path.unlink()
                except FileNotFoundError:
                    continue
                removed.append(path)
    if removed:
        log.info("swept %d orphaned temporary files", len(removed))
    return removed


def plan_keys(plan_dir: Path) -> set[str]:
    """Page keys named by the channel plans on disk, the filler's included, whether the
    channel is enabled or not (a feed may still be airing it).

    A plan that cannot be read raises: without it nothing can tell what is on air.
    """
    from playlists.plan import load_plan

    keys: set[str] = set()
    for path in sorted(plan_dir.glob("*.json")):
        plan = load_plan(path)
        for item in (*plan.items, *((plan.filler,) if plan.filler else ())):
            keys.update(page.key for page in item.pages)
            keys.update(track_key(page.audio) for page in item.pages if page.audio)
    return keys


def track_key(path: str) -> str:
    """The cache key of a page's narration track, from its path in a plan or version."""
    return Path(path).name.split(".", 1)[0]


def current_in_use(config: Mapping[str, Any], now: datetime) -> InUse:
    """What must stay: pages of the plans on disk and of every rendered version that is
    not superseded (unless its item was withdrawn more than a week ago), and the HLS
    folders of enabled channels. Needs an app context."""
    from sqlalchemy import or_, select

    from publisher.extensions import db
    from publisher.models import Channel, ContentItem, ContentVersion, RenderState, VersionState

    keys = plan_keys(Path(config["PLAN_DIR"]))
    withdrawn_long_ago = now - RETENTION["page"].keep
    rows = db.session.scalars(
        select(ContentVersion.pages)
        .join(ContentItem, ContentVersion.item_id == ContentItem.id)
        .where(ContentVersion.render_state == RenderState.READY,
               ContentVersion.state != VersionState.SUPERSEDED,
               or_(ContentItem.withdrawn_at.is_(None),
                   ContentItem.withdrawn_at > withdrawn_long_ago))
    )
    for pages in rows:
        for channel_pages in (pages or {}).values():
            keys.update(str(page["key"]) for page in channel_pages)
            keys.update(track_key(page["audio"]) for page in channel_pages if page.get("audio"))
    channels = db.session.scalars(select(Channel.slug).where(Channel.enabled))
    return InUse(frozenset(keys), frozenset(channels))


@dataclass(frozen=True)
class PruneReport:
    data_bytes: int  # after pruning
    removed: int
    freed: int
    swept: int


def prune(config: Mapping[str, Any], in_use: InUse, now: datetime) -> PruneReport:
    """Sweep temporaries, survey, remove what the policy chooses, record the outcome."""
    swept = sweep_temporaries(config, now)
    entries, total = scan.survey(config)
    policy = DiskPolicy.from_config(config)
    chosen = choose_prunes(entries, in_use, now, total, policy.budget)
    removed = [e for e in chosen if scan.remove(e)]
    freed = sum(e.size for e in removed)
    report = PruneReport(total - freed, len(removed), freed, len(swept))
    if removed:
        log.info("pruned %d files/folders, %d bytes; data directory now %d bytes (budget %d)",
                 report.removed, report.freed, report.data_bytes, policy.budget)
    status = Path(config["STATUS_DIR"]) / STATUS_NAME
    write_atomic(status, json.dumps({
        "surveyed_at": now.isoformat(), "data_bytes": report.data_bytes,
        "removed": report.removed, "freed": report.freed, "swept": report.swept,
    }).encode())
    return report


def read_disk(path: Path) -> DiskUsage:
    """The usage of the file system that holds ``path``."""
    total, used, free = shutil.disk_usage(path)
    return DiskUsage(total, used, free)


def current_disk_state(config: Mapping[str, Any], usage: DiskUsage | None = None) -> DiskState:
    """The data disk now, with the data directory's size from the clock's last survey."""
    usage = usage or read_disk(Path(config["DATA_DIR"]))
    data_bytes = surveyed_at = None
    try:
        raw = json.loads((Path(config["STATUS_DIR"]) / STATUS_NAME).read_text("utf-8"))
        data_bytes = int(raw["data_bytes"])
        surveyed_at = datetime.fromisoformat(raw["surveyed_at"])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no survey yet: the disk alone decides
    return disk_state(usage, DiskPolicy.from_config(config), data_bytes, surveyed_at)


def disk_for_dashboard(config: Mapping[str, Any], *, admin: bool) -> DiskState | None:
    """The disk card: administrators always see it, other staff only when it alarms."""
    try:
        state = current_disk_state(config)
    except OSError:  # the dashboard must load even when the disk cannot be read
        log.exception("disk usage unavailable")
        return None
    return state if admin or state.alarm else None
