"""Slides made from live data rather than from reviewed items: the duty roster, today's
whereabouts board and the channel ident. Their item JSON is built here, as pure data."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Cadre, Township
from publisher.services.whereabouts_board import board_json, load_board

# What the air shows of each board row; who reported it and how stays in the admin.
AIRED_COLUMNS = ("name", "post", "status", "village", "time_window", "activity")


def roster_item(township: Township) -> dict[str, Any]:
    cadres = db.session.scalars(
        select(Cadre)
        .where(Cadre.township_id == township.id, Cadre.active)
        .order_by(Cadre.sort_order, Cadre.id)
    )
    rows = [{
        "name": c.name,
        "post": c.post,
        "villages": "、".join(v.name for v in c.villages),
        "responsibilities": c.responsibilities,
        "phone": c.office_phone or c.phone,
    } for c in cadres]
    return {"type": "roster", "title": f"{township.name}干部分工", "rows": rows}


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
