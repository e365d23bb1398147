"""The materialised playout: the next hours of pages, computed once, read by air and guide alike.

Playout computes the lineup from the timeline and its own play state (the page on air, then
:func:`playlists.timeline.simulate` from where that page ends) and stores it beside its
heartbeat. Each page it airs is checked against the lineup; when they part (a new plan, a fresh
item, an alert, a unit that failed) the lineup is computed again from that page, so the file
always says what playout is about to air. The web process builds the guide and the items'
"expected on air" times from this file and the as-run log, and never simulates the timeline
itself: a second simulation from a guessed state is how a guide comes to list what never airs.

Pure apart from :func:`save_lineup`/:func:`load_lineup`; times are UTC-aware datetimes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from playlists.plan import ChannelPlan
from playlists.playstate import PlayState
from playlists.timeline import Slot, simulate
from renderer.atomic import write_atomic

LINEUP_FORMAT = 1
# How far ahead the lineup reaches: a day, the usual depth of an EPG. Measured with
# bench/lineup_bench.py: 24 h of 10-41 s pages is ~2,800 pages, 45-100 ms of CPU (32-80 items)
# and a 0.33 MB file; of 5-15 s pages ~8,700 pages, ~0.35 s and ~1 MB. So after a departure
# (a plan change, an approval, an alert) playout materialises FIRST_HOURS at once (what the
# channel page and the items' expected times need soonest) and extends the lineup by at most
# EXTEND_STEP per segment until it reaches LINEUP_HOURS; from then on, whenever less than
# LINEUP_HOURS - EXTEND_WITHIN is left, by the hour or so that aired.
LINEUP_HOURS = 24.0
FIRST_HOURS = 6.0
EXTEND_STEP = timedelta(hours=6)
EXTEND_WITHIN = timedelta(hours=1)


class LineupError(ValueError):
    """A lineup file that cannot be read or does not have the expected shape."""


@dataclass(frozen=True)
class Entry:
    """One page as scheduled (or, built from the as-run log, as aired)."""

    start: datetime
    duration_s: float
    item_id: str
    version: int
    category: str
    title: str
    page_key: str
    page_no: int
    page_count: int
    interrupt: bool = False

    @property
    def end(self) -> datetime:
        return self.start + timedelta(microseconds=round(self.duration_s * 1_000_000))

    def same_airing(self, other: Entry) -> bool:
        """The same page of the same version at the same time for the same length."""
        return (self.start, self.item_id, self.version, self.page_key, self.duration_s) == (
            other.start,
            other.item_id,
            other.version,
            other.page_key,
            other.duration_s,
        )


@dataclass(frozen=True)
class Lineup:
    channel: str
    built_at: datetime  # the start of its first page
    plan_generated_at: datetime
    entries: tuple[Entry, ...]

    @property
    def end(self) -> datetime:
        return self.entries[-1].end if self.entries else self.built_at

    def at(self, start: datetime) -> Entry | None:
        """The entry starting exactly at ``start``, if any."""
        lo, hi = 0, len(self.entries)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.entries[mid].start < start:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(self.entries) and self.entries[lo].start == start:
            return self.entries[lo]
        return None

    def between(self, start: datetime, end: datetime) -> list[Entry]:
        """Entries that start in [start, end)."""
        return [e for e in self.entries if start <= e.start < end]

    def next_airing(self, item_id: str, version: int, after: datetime) -> Entry | None:
        """The first page 1 of ``item_id`` at ``version`` starting at or after ``after``."""
        return next(
            (
                e
                for e in self.entries
                if e.item_id == item_id
                and e.version == version
                and e.page_no == 1
                and e.start >= after
            ),
            None,
        )


def entry_of(slot: Slot, title: str = "") -> Entry:
    return Entry(
        slot.start,
        slot.duration_s,
        slot.item_id,
        slot.version,
        slot.category,
        title,
        slot.page.key,
        slot.page.page_no,
        slot.page.page_count,
        slot.interrupt,
    )


def _titles(plan: ChannelPlan) -> dict[str, str]:
    titles = {i.id: i.title for i in plan.items}
    if plan.filler:
        titles.setdefault(plan.filler.id, plan.filler.title)
    return titles


def materialise(
    plan: ChannelPlan,
    on_air: Slot,
    state: PlayState,
    hours: float = LINEUP_HOURS,
) -> Lineup:
    """The page ``on_air`` and everything the timeline airs after it for ``hours``, from
    ``state`` (the play state after choosing ``on_air``)."""
    return materialise_with_state(plan, on_air, state, hours)[0]


def materialise_with_state(
    plan: ChannelPlan, on_air: Slot, state: PlayState, hours: float
) -> tuple[Lineup, PlayState]:
    """:func:`materialise`, and the play state at the lineup's end (to :func:`extend` it)."""
    slots, after = simulate(plan, on_air.end, on_air.end + timedelta(hours=hours), state)
    titles = _titles(plan)
    entries = tuple(entry_of(s, titles.get(s.item_id, "")) for s in (on_air, *slots))
    return Lineup(plan.slug, on_air.start, plan.generated_at, entries), after


def extend(
    lineup: Lineup, plan: ChannelPlan, state: PlayState, by: timedelta
) -> tuple[Lineup, PlayState]:
    """``lineup`` followed by what the timeline airs for ``by`` after its end, from ``state``
    (the play state at that end, as :func:`materialise_with_state` or this returned it): the
    same pages a materialisation of the whole span from the first page gives."""
    slots, after = simulate(plan, lineup.end, lineup.end + by, state)
    titles = _titles(plan)
    added = tuple(entry_of(s, titles.get(s.item_id, "")) for s in slots)
    return Lineup(lineup.channel, lineup.built_at, lineup.plan_generated_at,
                  lineup.entries + added), after


def needs_rebuild(lineup: Lineup | None, aired: Slot, plan: ChannelPlan) -> bool:
    """Whether the page just chosen for air departs from ``lineup`` (or there is none)."""
    if lineup is None or lineup.plan_generated_at != plan.generated_at:
        return True
    expected = lineup.at(aired.start)
    return expected is None or not expected.same_airing(entry_of(aired))


def shortfall(lineup: Lineup, now: datetime) -> timedelta:
    """How much to :func:`extend` ``lineup`` by at ``now`` (zero while it reaches far
    enough; at most EXTEND_STEP at a time, so no extension costs more than a plan change)."""
    ahead = lineup.end - now
    if ahead >= timedelta(hours=LINEUP_HOURS) - EXTEND_WITHIN:
        return timedelta(0)
    return min(EXTEND_STEP, timedelta(hours=LINEUP_HOURS) - ahead)


# --- storage ----------------------------------------------------------------------------------


def _entry_row(e: Entry) -> list[Any]:
    return [
        e.start.isoformat(),
        e.duration_s,
        e.item_id,
        e.version,
        e.category,
        e.title,
        e.page_key,
        e.page_no,
        e.page_count,
        e.interrupt,
    ]


def lineup_to_dict(lineup: Lineup) -> dict[str, Any]:
    return {
        "format": LINEUP_FORMAT,
        "channel": lineup.channel,
        "built_at": lineup.built_at.isoformat(),
        "plan_generated_at": lineup.plan_generated_at.isoformat(),
        "entries": [_entry_row(e) for e in lineup.entries],
    }


def _aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise LineupError(f"naive datetime in lineup: {text}")
    return moment


def lineup_from_dict(raw: dict[str, Any]) -> Lineup:
    try:
        if raw.get("format") != LINEUP_FORMAT:
            raise LineupError(f"unsupported lineup format {raw.get('format')!r}")
        entries = tuple(
            Entry(
                _aware(s), float(d), str(i), int(v), str(c), str(t), str(k), int(n), int(m), bool(x)
            )  # fmt: skip
            for s, d, i, v, c, t, k, n, m, x in raw["entries"]
        )
        return Lineup(
            str(raw["channel"]),
            _aware(raw["built_at"]),
            _aware(raw["plan_generated_at"]),
            entries,
        )
    except LineupError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise LineupError(f"malformed lineup: {exc!r}") from exc


def save_lineup(lineup: Lineup, path: Path) -> None:
    write_atomic(path, json.dumps(lineup_to_dict(lineup), ensure_ascii=False).encode("utf-8"))


def load_lineup(path: Path) -> Lineup:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise LineupError(f"cannot read lineup {path}: {exc}") from exc
    return lineup_from_dict(raw)


def lineup_path(status_dir: Path, slug: str) -> Path:
    return status_dir / f"{slug}.lineup.json"


def guide_entries(aired: Iterable[Entry], lineup: Lineup | None, now: datetime) -> list[Entry]:
    """What the guide shows: the as-run log up to ``now``, the lineup from there on."""
    past = sorted((e for e in aired if e.start < now), key=lambda e: e.start)
    cut = past[-1].end if past else now
    ahead: Sequence[Entry] = [e for e in lineup.entries if e.start >= cut] if lineup else []
    return [*past, *ahead]
