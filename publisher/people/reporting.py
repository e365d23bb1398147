"""Whereabouts reports from the web pages and the API: input checks, then the service.

The check-in page, the staff correction form and ``POST /api/v1/whereabouts`` all clean
their input here and record through ``publisher.services.whereabouts.record_whereabouts``,
the same door the SMS check-in uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import WHEREABOUTS_STATUSES, Cadre, User, Village, Whereabouts, row_id
from publisher.services.errors import ServiceError
from publisher.services.geo import clean_fix
from publisher.services.org import FieldError

VILLAGE_STATUS = "在村走访"  # the one status that names a village
PLAN_AHEAD_DAYS = 7  # staff may enter a known trip or leave up to a week ahead


def _time(raw: Mapping[str, Any], field: str) -> time | None:
    value = str(raw.get(field) or "").strip()
    if not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise FieldError(field, _("时间格式应为 08:30。")) from None


def clean_report(raw: Mapping[str, Any], township_id: int) -> dict[str, Any]:
    """Status, village or place, time window and activity, checked against the township."""
    status = str(raw.get("status") or "").strip()
    if status not in WHEREABOUTS_STATUSES:
        raise FieldError("status", _("请选择去向：%(s)s。", s="、".join(WHEREABOUTS_STATUSES)))
    village_id: int | None = None
    raw_village = raw.get("village_id")
    if raw_village not in (None, "", 0, "0"):
        ident = row_id(raw_village)
        village = db.session.get(Village, ident) if ident is not None else None
        if village is None or village.township_id != township_id:
            raise FieldError("village_id", _("所选的村（社区）不属于本乡镇。"))
        village_id = village.id
    place = str(raw.get("place") or "").strip()
    if len(place) > 80:
        raise FieldError("place", _("地点不能超过 80 个字。"))
    if status == VILLAGE_STATUS and village_id is None and not place:
        raise FieldError("village_id", _("在村走访请选择所在的村（社区）。"))
    activity = str(raw.get("activity") or "").strip()
    if len(activity) > 200:
        raise FieldError("activity", _("工作内容不能超过 200 个字。"))
    start, end = _time(raw, "start_time"), _time(raw, "end_time")
    if start and end and end <= start:
        raise FieldError("end_time", _("结束时间必须晚于开始时间。"))
    return {"status": status, "village_id": village_id, "place": "" if village_id else place,
            "activity": activity, "start_time": start, "end_time": end,
            "location": clean_fix(raw)}


def check_day(day: date, today: date) -> None:
    """Reports are for today, the past, or up to a week ahead (planned trips and leave)."""
    if day > today + timedelta(days=PLAN_AHEAD_DAYS):
        raise ServiceError(_("只能填写今天以前或 %(n)d 天以内的去向。", n=PLAN_AHEAD_DAYS))


def submit_report(cadre: Cadre, day: date, fields: Mapping[str, Any], *, source: str,
                  reported_by: User) -> Whereabouts:
    """Record a cleaned report through the whereabouts service (which commits and audits)."""
    from publisher.services.whereabouts import record_whereabouts

    return record_whereabouts(
        cadre, day, fields["status"], village_id=fields["village_id"], place=fields["place"],
        activity=fields["activity"], source=source, reported_by=reported_by,
        start_time=fields["start_time"], end_time=fields["end_time"],
        location=fields.get("location"))


def covered_first(cadre: Cadre) -> list[tuple[Village, bool]]:
    """The township's villages, the cadre's own first: (village, covered by this cadre)."""
    mine = {v.id for v in cadre.villages}
    villages = db.session.scalars(select(Village).where(Village.township_id == cadre.township_id)
                                  .order_by(Village.name))
    ordered = sorted(villages, key=lambda v: (v.id not in mine, v.name))
    return [(v, v.id in mine) for v in ordered]

