"""Slides made from live data rather than from reviewed items: the duty roster, today's
whereabouts board and the channel ident. Their item JSON is built here, as pure data."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from publisher.models import Township
from publisher.services import roster_review
from publisher.services.whereabouts_board import board_json, load_board

# What the air shows of each board row; who reported it and how stays in the admin.
AIRED_COLUMNS = ("name", "post", "status", "village", "time_window", "activity")


def roster_item(township: Township) -> dict[str, Any] | None:
    """The roster the channel airs: the approved release where cadre changes are reviewed
    (None before the first approval), the cadre table as it is where they are not."""
    if township.roster_review:
        return roster_review.on_air(township)
    return roster_review.roster_from_cadres(township)


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


def ident_item() -> dict[str, Any]:
    return {"type": "ident"}


def fingerprint(data: dict[str, Any]) -> int:
    """A small positive version number that changes whenever ``data`` does; 31 bits, so it
    fits the as-run log's integer column on PostgreSQL as well as SQLite."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode())
    return int(digest.hexdigest()[:8], 16) & 0x7FFFFFFF
