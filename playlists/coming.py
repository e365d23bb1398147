"""Items approved a moment ago and still rendering: what playout may hold a page for.

A newly approved item should air at the next page boundary (issue 10), but rendering, encoding
and the plan take a second or three, and playout picks each page a few seconds before it airs.
So the clock writes, beside each plan, the items approved in the last ``COMING_WINDOW`` that
are not rendered yet; when a page ends while one of them is on its way, playout keeps the page
on screen a little longer (at most ``HOLD_UNITS`` units) rather than start another page that
would make the new item wait a whole page more. Nothing is cut: the page on screen just stays.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from playlists.plan import ChannelPlan
from renderer.atomic import write_atomic

# An approval older than this is not waited for: its render is slow or failed.
COMING_WINDOW = timedelta(seconds=20)
# The longest a page is held: the item is meant to air within 5 s of the page's end, so
# holding longer cannot meet that and only delays everything else (8 x 0.64 s = 5.12 s).
HOLD_UNITS = 8


@dataclass(frozen=True)
class Coming:
    """An approved version that is not in the plan yet."""

    item_id: str
    version: int
    approved_at: datetime


def coming_path(plan_path: Path) -> Path:
    """``PLAN_DIR/coming/<slug>.json``: beside the plans, but not among them (every
    ``*.json`` in the plan folder is read as a plan)."""
    return plan_path.parent / "coming" / plan_path.name


def coming_to_json(coming: list[Coming]) -> bytes:
    rows = sorted([c.item_id, c.version, c.approved_at.isoformat()] for c in coming)
    return json.dumps({"coming": rows}).encode()


def save_coming(path: Path, coming: list[Coming]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, coming_to_json(coming))


def load_coming(path: Path) -> list[Coming]:
    """What the clock last wrote; nothing if the file is missing or unreadable."""
    try:
        rows = json.loads(path.read_bytes())["coming"]
        found = [Coming(str(i), int(v), datetime.fromisoformat(at)) for i, v, at in rows]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [c for c in found if c.approved_at.tzinfo is not None]


def awaited(coming: list[Coming], plan: ChannelPlan, now: datetime) -> list[Coming]:
    """The approvals worth holding a page for at ``now``: recent, and not in the plan yet."""
    planned: Mapping[str, int] = {i.id: i.version for i in plan.items}
    return [
        c
        for c in coming
        if planned.get(c.item_id, 0) < c.version and now - c.approved_at <= COMING_WINDOW
    ]
