"""An item that reaches the plan just after playout chose the next page (issue 10, part 3).

Playout chooses a page when the segment it starts in is built, seconds before it airs. An item
approved in those seconds (the last seconds of the page on screen) would wait a whole page
more; the page just chosen steps aside for it instead, and airs again whole right after.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from playlists.plan import save_plan
from playlists.playout import STEP_ASIDE_S
from tests.playlists.test_coming import boundary_and_decision, item, plan_of, play, unit  # noqa: F401

pytestmark = pytest.mark.ffmpeg


def _landing(tmp_path: Path, unit: str, when) -> tuple:  # noqa: ANN001, F811
    """Air three 10.24 s pages in turn; a new item lands in the plan at ``when(end,
    decided)``: ``end`` the end of the second page, ``decided`` when its successor is chosen."""
    plan = plan_of(item("policy:1", unit), item("policy:2", unit), item("policy:3", unit))
    end, decided = boundary_and_decision(2)
    landed = when(end, decided)
    fresh = item("policy:new", unit, ready_at=landed)
    newer = replace(plan, items=(*plan.items, fresh), generated_at=landed)
    aired = play(tmp_path, plan, 70, {landed: lambda: save_plan(newer, tmp_path / "demo.json")})
    return end, landed, aired


def test_the_page_chosen_before_the_approval_steps_aside_and_airs_again_whole(
    tmp_path: Path, unit: str  # noqa: F811
):
    end, landed, aired = _landing(tmp_path, unit, lambda end, decided: decided
                                  + timedelta(seconds=0.5))
    assert landed < end  # it landed while the page before the boundary was still on screen
    first_new = next(i for i, a in enumerate(aired) if a.item_id == "policy:new")
    before, stepped, new, again = aired[first_new - 2: first_new + 2]
    # The page on screen at the approval was not cut ...
    assert before.started_at + timedelta(seconds=before.duration_s) == end
    assert before.duration_s == 10.24 and not before.note
    # ... the one chosen before the item landed gave way within a few seconds ...
    assert stepped.started_at == end and "stepped aside" in stepped.note
    assert 0 < stepped.duration_s <= STEP_ASIDE_S
    # ... the new item followed straight on, within 5 s of the end of the page on screen ...
    assert new.started_at == end + timedelta(seconds=stepped.duration_s)
    assert new.started_at - end <= timedelta(seconds=5)
    # ... and the page that gave way aired again, whole, right after it.
    assert (again.item_id, again.page_key) == (stepped.item_id, stepped.page_key)
    assert again.duration_s == 10.24 and not again.note


def test_an_item_landing_after_the_page_began_waits_for_that_page_to_end(
    tmp_path: Path, unit: str  # noqa: F811
):
    end, landed, aired = _landing(tmp_path, unit, lambda end, decided: end
                                  + timedelta(seconds=2))
    first_new = next(i for i, a in enumerate(aired) if a.item_id == "policy:new")
    on_screen = aired[first_new - 1]
    assert on_screen.started_at == end and on_screen.duration_s == 10.24
    assert not on_screen.note
    assert not any("stepped aside" in a.note for a in aired)


def test_only_news_counts_as_fresh_not_a_redrawn_board():
    from datetime import UTC, datetime

    from playlists.playstate import PlayState
    from playlists.timeline import fresh_ids, next_slot

    start = datetime(2026, 11, 23, 2, 0, 0, 320000, tzinfo=UTC)
    later = start + timedelta(minutes=1)
    plan = plan_of(item("policy:1"))
    _, state = next_slot(plan, start, PlayState())
    board = replace(item("whereabouts:1", ready_at=later), category="whereabouts")
    newer = replace(plan, items=(*plan.items, item("policy:new", ready_at=later), board))
    assert fresh_ids(newer, state) == {"policy:new"}
    assert fresh_ids(newer, PlayState()) == set()  # nothing has aired: nothing is news yet
