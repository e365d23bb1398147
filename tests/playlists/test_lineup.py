"""The materialised lineup: what the guide lists is what playout airs, block by block."""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from playlists.feed import VirtualClock
from playlists.lineup import (
    EXTEND_STEP,
    LINEUP_HOURS,
    Entry,
    LineupError,
    extend,
    guide_entries,
    lineup_from_dict,
    lineup_path,
    lineup_to_dict,
    load_lineup,
    materialise,
    materialise_with_state,
    needs_rebuild,
    shortfall,
)
from playlists.plan import CategoryRule, ChannelPlan, PlannedItem, PlannedPage, save_plan
from playlists.playout import AiredPage, run_channel
from playlists.playstate import PlayState
from playlists.timeline import next_slot, simulate
from playlists.xmltv import programmes_from_slots

T0 = datetime(2026, 11, 23, 2, 0, 0, 320000, tzinfo=UTC)  # on the 0.64 s grid
READY = datetime(2026, 1, 1, tzinfo=UTC)
WEIGHTS = {"policy": 3, "service": 2, "produce": 2, "notice": 2, "roster": 1, "whereabouts": 1}


def library(unit: str = "unit.ts") -> ChannelPlan:
    """Items of every category, of one to four pages of 5.12-15.36 s each."""
    items = []
    for cat in WEIGHTS:
        for n in range(1 if cat in ("roster", "whereabouts") else 5):
            pages = 1 + (n * 3) % 4 if cat != "whereabouts" else 3
            duration = 5.12 * (1 + (n + len(cat)) % 3)
            items.append(PlannedItem(
                f"{cat}:{n}", 1, cat, f"{cat} {n}",
                tuple(PlannedPage(f"{cat}-{n}-{p}", "", unit, duration, p, pages)
                      for p in range(1, pages + 1)),
                READY))  # fmt: skip
    ident = PlannedItem("ident:demo", 1, "ident", "频道", (PlannedPage("id", "", unit, 2.56),),
                        READY)  # fmt: skip
    categories = {c: CategoryRule(weight=w) for c, w in WEIGHTS.items()}
    return ChannelPlan("demo", "幸福乡村频道", "Asia/Shanghai", "720p", T0, tuple(items),
                       categories, ident, max_gap_s=1800.0)  # fmt: skip


def test_the_lineup_is_the_page_on_air_then_the_timeline_from_its_end():
    plan = library()
    first, state = next_slot(plan, T0, PlayState())
    lineup = materialise(plan, first, state, hours=1)
    slots, _ = simulate(plan, first.end, first.end + timedelta(hours=1), state)
    assert [(e.start, e.item_id, e.page_key) for e in lineup.entries] == [
        (s.start, s.item_id, s.page.key) for s in (first, *slots)
    ]
    assert lineup.entries[0].title == "policy 0"
    assert all(a.end == b.start for a, b in zip(lineup.entries, lineup.entries[1:], strict=False))


def test_lineup_round_trips_and_refuses_what_it_cannot_read(tmp_path: Path):
    plan = library()
    first, state = next_slot(plan, T0, PlayState())
    lineup = materialise(plan, first, state, hours=0.2)
    assert lineup_from_dict(json.loads(json.dumps(lineup_to_dict(lineup)))) == lineup
    with pytest.raises(LineupError):
        lineup_from_dict({"format": 1, "entries": [["x"]]})
    with pytest.raises(LineupError):
        load_lineup(tmp_path / "missing.json")


def test_a_departure_or_a_new_plan_asks_for_a_rebuild_and_a_short_lineup_for_more():
    plan = library()
    first, state = next_slot(plan, T0, PlayState())
    lineup = materialise(plan, first, state)
    assert lineup.end - T0 >= timedelta(hours=LINEUP_HOURS)  # a day: the guide's depth
    second, _ = next_slot(plan, first.end, state)
    assert not needs_rebuild(lineup, second, plan)
    assert needs_rebuild(None, second, plan)
    assert needs_rebuild(lineup, replace(second, item_id="notice:4"), plan)
    assert needs_rebuild(lineup, second, replace(plan, generated_at=T0 + timedelta(seconds=1)))
    assert shortfall(lineup, second.start) == timedelta(0)
    late = lineup.entries[-1].start
    assert shortfall(lineup, late) == EXTEND_STEP  # a step at a time
    assert shortfall(lineup, lineup.end - timedelta(hours=22)) == timedelta(hours=2)


def test_a_lineup_extended_step_by_step_is_the_one_made_at_once():
    plan = library()
    first, state = next_slot(plan, T0, PlayState())
    whole = materialise(plan, first, state, hours=3)
    part, tail = materialise_with_state(plan, first, state, 1)
    for _ in range(4):
        part, tail = extend(part, plan, tail, timedelta(minutes=30))
    assert part.end >= whole.end
    assert part.entries[:len(whole.entries)] == whole.entries


def lineup_page(entry: Entry) -> PlannedPage:
    return PlannedPage(entry.page_key, "", "", entry.duration_s, entry.page_no, entry.page_count)


def test_guide_lists_what_aired_then_the_lineup():
    plan = library()
    first, state = next_slot(plan, T0, PlayState())
    lineup = materialise(plan, first, state, hours=0.5)
    now = lineup.entries[10].start + timedelta(seconds=1)
    aired = [replace(e, title="aired") for e in lineup.entries[:11]]
    listed = guide_entries(aired, lineup, now)
    assert [e.title for e in listed[:11]] == ["aired"] * 11
    assert listed[11:] == list(lineup.entries[11:])


def test_next_airing_finds_page_one_of_that_version():
    plan = library()
    first, state = next_slot(plan, T0, PlayState())
    lineup = materialise(plan, first, state, hours=0.5)
    found = lineup.next_airing("produce:2", 1, T0)
    assert found is not None and found.page_no == 1 and found.item_id == "produce:2"
    assert lineup.next_airing("produce:2", 2, T0) is None


# --- the real playout, an hour of virtual time ------------------------------------------------


class HourClock(VirtualClock):
    """Virtual time that stops the channel after ``end`` and keeps the first lineup written."""

    def __init__(self, start: datetime, end: datetime, stop: threading.Event, status: Path):
        super().__init__(start)
        self.end, self.stop, self.path = end, stop, lineup_path(status, "demo")
        self.first: bytes | None = None

    def sleep_until(self, when: datetime, stop: threading.Event) -> bool:
        if self.first is None and self.path.exists():
            self.first = self.path.read_bytes()
        if when >= self.end:
            self.stop.set()
        return super().sleep_until(when, stop)


def _entry(page: AiredPage) -> Entry:
    return Entry(page.started_at, page.duration_s, page.item_id, page.version, page.category,
                 page.title, page.page_key, page.page_no, page.page_count,
                 page.interrupt)  # fmt: skip


@pytest.mark.ffmpeg
def test_an_hour_of_real_playout_airs_the_lineup_and_keeps_the_weights(tmp_path: Path):
    from renderer import encode

    enc = encode.encoding_for_plan("720p")
    png = tmp_path / "page.png"
    Image.new("RGB", (enc.width, enc.height), (20, 90, 60)).save(png)
    unit = encode.ensure_unit(png, "lineup-page", tmp_path / "cache", enc)
    plan = library(str(unit))
    save_plan(plan, tmp_path / "demo.json")
    aired: list[AiredPage] = []
    stop = threading.Event()
    clock = HourClock(T0, T0 + timedelta(hours=1), stop, tmp_path / "status")
    run_channel(tmp_path / "demo.json", tmp_path / "hls", None, tmp_path / "cache", next_slot,
                aired.append, stop, clock, status_dir=tmp_path / "status")  # fmt: skip

    assert clock.first is not None
    lineup = lineup_from_dict(json.loads(clock.first))
    as_run = [_entry(a) for a in aired if a.started_at >= lineup.built_at]
    assert as_run[-1].end - as_run[0].start > timedelta(minutes=55)
    # Page by page: every page aired is the lineup's page at that time, and nothing else.
    planned = lineup.between(as_run[0].start, as_run[-1].end)
    assert [(e.start, e.item_id, e.page_key, e.duration_s) for e in as_run] == [
        (e.start, e.item_id, e.page_key, e.duration_s) for e in planned
    ]
    # Block by block, the guide built from the lineup is the guide built from the as-run.
    assert programmes_from_slots(as_run, plan, block_minutes=30) == programmes_from_slots(
        planned, plan, block_minutes=30
    )
    # The hour's airtime per category is within 3 points of the weights.
    airtime: Counter[str] = Counter()
    for e in aired:
        airtime[e.category] += e.duration_s
    total = sum(airtime.values())
    for cat, weight in WEIGHTS.items():
        share = 100 * airtime[cat] / total
        assert share == pytest.approx(100 * weight / sum(WEIGHTS.values()), abs=3), cat
    # Every item aired within the hour (the rotation reaches each one).
    assert {e.item_id for e in aired} >= {i.id for i in plan.items}
