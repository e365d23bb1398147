"""Slides made from live data rather than from reviewed items: the duty roster, today's
whereabouts board and the channel ident. Their item JSON is built here, as pure data."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Cadre, Township, Whereabouts

NOT_REPORTED = "未报告"


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


def whereabouts_item(township: Township, day: date) -> tuple[dict[str, Any], int]:
    """Today's board (latest report per cadre) and a version that grows with each report."""
    cadres = list(db.session.scalars(
        select(Cadre)
        .where(Cadre.township_id == township.id, Cadre.active)
        .order_by(Cadre.sort_order, Cadre.id)
    ))
    reports = db.session.scalars(
        select(Whereabouts)
        .where(Whereabouts.day == day, Whereabouts.cadre_id.in_([c.id for c in cadres]))
        .order_by(Whereabouts.reported_at, Whereabouts.id)
    ).all()
    latest: dict[int, Whereabouts] = {r.cadre_id: r for r in reports}
    zone = ZoneInfo(township.timezone)
    rows = []
    for cadre in cadres:
        report = latest.get(cadre.id)
        if report is None:
            rows.append({"name": cadre.name, "post": cadre.post, "status": NOT_REPORTED,
                         "village": "", "time_window": "", "activity": ""})
            continue
        window = ""
        if report.start_time and report.end_time:
            window = f"{report.start_time:%H:%M}-{report.end_time:%H:%M}"
        rows.append({
            "name": cadre.name,
            "post": cadre.post,
            "status": report.status,
            "village": report.village.name if report.village else report.place,
            "time_window": window,
            "activity": report.activity,
        })
    updated: datetime | None = max((r.reported_at for r in reports), default=None)
    item = {
        "type": "whereabouts",
        "date": day.isoformat(),
        "updated_at": updated.astimezone(zone).isoformat() if updated else None,
        "rows": rows,
    }
    version = max((r.id for r in reports), default=0)
    return item, version


def ident_item() -> dict[str, Any]:
    return {"type": "ident"}


def fingerprint(data: dict[str, Any]) -> int:
    """A small positive version number that changes whenever ``data`` does."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode())
    return int(digest.hexdigest()[:12], 16)
