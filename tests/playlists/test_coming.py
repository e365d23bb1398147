"""Holding the page on screen for an item approved a moment ago (issue 10)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from playlists.coming import (
    COMING_WINDOW,
    HOLD_UNITS,
    Coming,
    awaited,
    coming_path,
    load_coming,
    save_coming,
)
from playlists.feed import VirtualClock, unit_index_at
from playlists.hls import segment_of_unit, segment_start
from playlists.plan import ChannelPlan, PlannedItem, PlannedPage, save_plan
from playlists.playout import BUILD_LEAD, AiredPage, run_channel
from playlists.timeline import next_slot

T0 = datetime(2026, 11, 23, 2, 0, 0, 320000, tzinfo=UTC)
READY = datetime(2026, 1, 1, tzinfo=UTC)


def item(item_id: str, unit: str = "u.ts", seconds: float = 10.24, version: int = 1,
         ready_at: datetime = READY) -> PlannedItem:  # fmt: skip
    page = PlannedPage(f"{item_id}-v{version}", "", unit, seconds)
    return PlannedItem(item_id, version, "policy", item_id, (page,), ready_at)


def plan_of(*items: PlannedItem, generated_at: datetime = T0) -> ChannelPlan:
    return ChannelPlan("demo", "频道", "Asia/Shanghai", "720p", generated_at, tuple(items),
                       filler=item("ident:demo", items[0].pages[0].unit))  # fmt: skip


def test_only_recent_approvals_not_yet_in_the_plan_are_awaited():
    plan = plan_of(item("policy:1"), item("policy:2", version=2))
    coming = [
        Coming("policy:3", 1, T0 - timedelta(seconds=3)),  # rendering: wait
        Coming("policy:2", 2, T0 - timedelta(seconds=3)),  # in the plan already
        Coming("policy:1", 2, T0 - COMING_WINDOW - timedelta(seconds=1)),  # too long ago
    ]
    assert [c.item_id for c in awaited(coming, plan, T0)] == ["policy:3"]


def test_coming_round_trips_and_a_bad_file_means_nothing(tmp_path: Path):
    path = coming_path(tmp_path / "demo.json")
    assert path == tmp_path / "coming" / "demo.json"  # not read as a plan
    save_coming(path, [Coming("policy:3", 1, T0)])
    assert load_coming(path) == [Coming("policy:3", 1, T0)]
    path.write_text("{not json")
    assert load_coming(path) == []
    assert load_coming(tmp_path / "missing.json") == []


class ActionClock(VirtualClock):
    """Virtual time that runs actions once their time has come and stops at ``end``."""

    def __init__(self, end: datetime, stop: threading.Event, actions: dict) -> None:
        super().__init__(T0)
        self.end, self.stop, self.actions = end, stop, dict(actions)

    def sleep_until(self, when: datetime, stop: threading.Event) -> bool:
        for at in sorted(a for a in self.actions if a <= self.current):
            self.actions.pop(at)()
        if when >= self.end:
            self.stop.set()
        return super().sleep_until(when, stop)


@pytest.fixture(scope="module")
def unit(tmp_path_factory: pytest.TempPathFactory) -> str:
    from renderer import encode

    root = tmp_path_factory.mktemp("coming")
    enc = encode.encoding_for_plan("720p")
    png = root / "page.png"
    Image.new("RGB", (enc.width, enc.height), (90, 20, 60)).save(png)
    return str(encode.ensure_unit(png, "coming-page", root / "cache", enc))


def play(tmp: Path, plan: ChannelPlan, seconds: float, actions: dict) -> list[AiredPage]:
    save_plan(plan, tmp / "demo.json")
    aired: list[AiredPage] = []
    stop = threading.Event()
    clock = ActionClock(T0 + timedelta(seconds=seconds), stop, actions)
    run_channel(tmp / "demo.json", tmp / "hls", None, Path(unit_dir(plan)), next_slot,
                aired.append, stop, clock, status_dir=tmp / "status")  # fmt: skip
    return aired


def unit_dir(plan: ChannelPlan) -> Path:
    return Path(plan.items[0].pages[0].unit).parents[2]


def boundary_and_decision(pages: int) -> tuple[datetime, datetime]:
    """The end of the ``pages``-th 10.24 s page from the start, not on a segment boundary, and
    when playout decides what follows it (when the segment holding it is built)."""
    first = segment_start(segment_of_unit(unit_index_at(T0)))
    while True:
        end = first + timedelta(seconds=10.24 * pages)
        segment = segment_of_unit(unit_index_at(end))
        if segment_start(segment) != end:
            return end, segment_start(segment) - BUILD_LEAD
        pages += 1


@pytest.mark.ffmpeg
def test_a_page_is_held_for_an_approval_still_rendering_then_the_item_airs(
    tmp_path: Path, unit: str
):
    plan = plan_of(item("policy:1", unit), item("policy:2", unit))
    end, decided = boundary_and_decision(2)
    approved = decided - timedelta(seconds=6)  # the clock has written it before the decision
    rendered = decided + timedelta(seconds=1)  # but the item lands in the plan after it
    fresh = item("policy:new", unit, ready_at=rendered)
    coming = coming_path(tmp_path / "demo.json")
    actions = {
        approved: lambda: save_coming(coming, [Coming("policy:new", 1, approved)]),
        rendered: lambda: save_plan(
            replace(plan, items=(*plan.items, fresh), generated_at=rendered),
            tmp_path / "demo.json",
        ),
    }
    aired = play(tmp_path, plan, 60, actions)
    first_new = next(i for i, a in enumerate(aired) if a.item_id == "policy:new")
    held = aired[first_new - 1]
    assert "held" in held.note
    assert held.started_at + timedelta(seconds=10.24) == end
    assert 10.24 < held.duration_s <= 10.24 + HOLD_UNITS * 0.64
    # Straight after the held page, nothing in between, within 5 s of the page's planned end.
    assert aired[first_new].started_at == held.started_at + timedelta(seconds=held.duration_s)
    assert aired[first_new].started_at - end <= timedelta(seconds=5)
    assert all("held" not in a.note for a in aired[first_new:])
    assert all("held" not in a.note for a in aired[: first_new - 1])


@pytest.mark.ffmpeg
def test_a_hold_ends_after_its_limit_when_the_item_does_not_come(tmp_path: Path, unit: str):
    plan = plan_of(item("policy:1", unit), item("policy:2", unit))
    approved = T0 + timedelta(seconds=8)
    coming = coming_path(tmp_path / "demo.json")
    actions = {approved: lambda: save_coming(coming, [Coming("policy:new", 1, approved)])}
    aired = play(tmp_path, plan, 60, actions)
    held = [a for a in aired if "held" in a.note]
    assert held and all(a.duration_s <= 10.24 + HOLD_UNITS * 0.64 + 1e-6 for a in held)
    # Past the window nothing is held any more, and the schedule goes on.
    late = [a for a in aired if a.started_at > approved + COMING_WINDOW + timedelta(seconds=11)]
    assert late and all("held" not in a.note for a in late)
