"""Slides made from live data rather than from reviewed items (the duty roster, today's
whereabouts board, the month's residents' requests) and the channel ident. Their item JSON
is built here and by the workflows that own them, as pure data.

A derived kind is declared like any other (``renderer.kinds``, ``source=DERIVED``); the
publisher finds how to build its slide in :data:`BUILDERS`, where each kind's own workflow
registers a function with :func:`slide_builder`::

    @slide_builder("requests")
    def requests_slide(township, day, now): ...

so the clock's plan (:func:`slides`) needs no edit when a kind is added. Each builder
returns a :class:`Slide` or ``None`` (nothing to air today).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from publisher.models import Township
from publisher.services import roster_review
from publisher.services.whereabouts_board import board_json, load_board
from renderer.declare import DERIVED
from renderer.kinds import kinds_from

log = logging.getLogger(__name__)

# What the air shows of each board row; who reported it and how stays in the admin.
AIRED_COLUMNS = ("name", "post", "status", "village", "time_window", "activity")


@dataclass(frozen=True)
class Slide:
    """One derived slide of a township: the item to render and the version that changes
    whenever what it shows does (the plan airs the new one as soon as it is rendered)."""

    kind: str  # the declaration's name: the plan's category and the render cache's key
    item: dict[str, Any]
    version: int
    title: str  # the plan's and the guide's title


# (township, the channel's local day, now) → the slide, or None when there is nothing to air.
Builder = Callable[[Township, date, datetime], Slide | None]
BUILDERS: dict[str, Builder] = {}


def slide_builder(kind: str) -> Callable[[Builder], Builder]:
    """Register the function that builds the slide of the derived kind ``kind``."""

    def register(build: Builder) -> Builder:
        BUILDERS[kind] = build
        return build

    return register


def slides(township: Township, day: date, now: datetime) -> list[Slide]:
    """Every derived kind's slide for ``township`` today, in the declarations' order.

    A derived kind whose workflow registered no builder is logged and left out rather than
    stopping every other slide of the plan."""
    out = []
    for declared in kinds_from(DERIVED):
        build = BUILDERS.get(declared.name)
        if build is None:
            log.error("derived kind %s has no slide builder registered", declared.name)
            continue
        slide = build(township, day, now)
        if slide is not None:
            out.append(slide)
    return out


def roster_item(township: Township) -> dict[str, Any] | None:
    """The roster the channel airs: the approved release where cadre changes are reviewed
    (None before the first approval), the cadre table as it is where they are not."""
    if township.roster_review:
        return roster_review.on_air(township)
    return roster_review.roster_from_cadres(township)


@slide_builder("roster")
def roster_slide(township: Township, day: date, now: datetime) -> Slide | None:
    roster = roster_item(township)
    if not roster or not roster["rows"]:
        return None
    return Slide("roster", roster, fingerprint(roster), roster["title"])


def whereabouts_item(township: Township, day: date, now: datetime) -> tuple[dict[str, Any], int]:
    """Today's board for the air (latest report per cadre) and a version that grows with each
    report. The same board staff see, minus the staff-only columns."""
    board = load_board(township, day, now)
    staff = board_json(board)
    item = {**staff, "rows": [{key: row[key] for key in AIRED_COLUMNS} for row in staff["rows"]]}
    for key in ("deadline_hour", "deadline_passed"):
        item.pop(key)
    version = max((row.report.id for row in board.rows if row.report), default=0)
    return item, version


@slide_builder("whereabouts")
def whereabouts_slide(township: Township, day: date, now: datetime) -> Slide | None:
    board, version = whereabouts_item(township, day, now)
    if not board["rows"]:
        return None
    return Slide("whereabouts", board, version, "今日干部去向")


def ident_item() -> dict[str, Any]:
    return {"type": "ident"}


def fingerprint(data: dict[str, Any]) -> int:
    """A small positive version number that changes whenever ``data`` does; 31 bits, so it
    fits the as-run log's integer column on PostgreSQL as well as SQLite."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode())
    return int(digest.hexdigest()[:8], 16) & 0x7FFFFFFF
