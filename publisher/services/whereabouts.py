"""Recording a cadre's daily whereabouts, from the web check-in page, SMS, staff or the API.

Each report adds a row (the latest report of the day wins on air, earlier ones stay as
history). Committing is all it takes for the channel: the clock rebuilds the whereabouts
board when a new row appears.
"""

from __future__ import annotations

from datetime import date, datetime, time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import WHEREABOUTS_STATUSES, Cadre, User, Village, Whereabouts, utcnow
from publisher.services import audit
from publisher.services.errors import ServiceError
from publisher.services.geo import Fix, distance_m
from publisher.services.whereabouts_board import local_now

# Messages are also made in the clock process (SMS check-ins), outside any request: the
# app's locale selector then falls back to the default locale, Chinese.
SOURCES = ("web", "sms", "staff", "api")
SOURCE_LABELS = {"web": _l("网页"), "sms": _l("短信"), "staff": _l("代报"), "api": _l("接口")}
MAX_PLACE, MAX_ACTIVITY = 80, 200


def township_today(cadre: Cadre, now: datetime | None = None) -> date:
    """Today in the cadre's township's time zone (a report at 07:30 Beijing time is
    still "today" although it is yesterday in UTC)."""
    return local_now(cadre.township, now or utcnow()).date()


def record_whereabouts(
    cadre: Cadre,
    day: date,
    status: str,
    *,
    village_id: int | None = None,
    place: str = "",
    activity: str = "",
    source: str = "web",
    reported_by: User | None = None,
    start_time: time | None = None,
    end_time: time | None = None,
    now: datetime | None = None,
    location: Fix | None = None,
) -> Whereabouts:
    """Validate and store one report, audited in the same transaction, and commit.

    Raises ServiceError (Chinese message) for an unknown status or source, a village of
    another township, a visit without a village or place, a bad time window, or text
    that does not fit the board.
    """
    place, activity = (place or "").strip(), (activity or "").strip()
    if status not in WHEREABOUTS_STATUSES:
        raise ServiceError(_("未知的去向状态：%(status)s", status=status))
    if source not in SOURCES:
        raise ServiceError(_("未知的上报方式：%(source)s", source=source))
    if not cadre.active:
        raise ServiceError(_("该干部已停用，不能登记去向。"))
    village = None
    if village_id is not None:
        village = db.session.get(Village, village_id)
        if village is None or village.township_id != cadre.township_id:
            raise ServiceError(_("所选村不属于本乡镇。"))
    if status == WHEREABOUTS_STATUSES[0] and village is None and not place:
        raise ServiceError(_("在村走访须写明哪个村。"))
    if len(place) > MAX_PLACE or len(activity) > MAX_ACTIVITY:
        raise ServiceError(_("地点最多 %(p)d 字，工作内容最多 %(a)d 字。", p=MAX_PLACE,
                             a=MAX_ACTIVITY))
    if start_time and end_time and end_time <= start_time:
        raise ServiceError(_("结束时间必须晚于开始时间。"))
    row = Whereabouts(cadre_id=cadre.id, day=day, status=status, village_id=village_id,
                      place=place, activity=activity, start_time=start_time,
                      end_time=end_time, source=source,
                      reported_by_id=reported_by.id if reported_by else None,
                      reported_at=now or utcnow())
    if location is not None:  # attached by the cadre at this check-in, never tracked
        row.location_lat, row.location_lon = location.lat, location.lon
        row.location_accuracy_m = location.accuracy_m
        if village is not None and village.lat is not None and village.lon is not None:
            row.location_distance_m = round(distance_m(location.lat, location.lon,
                                                       village.lat, village.lon))
    db.session.add(row)
    db.session.flush()
    where = village.name if village else place
    audit.record(
        "whereabouts",
        actor=reported_by,
        township_id=cadre.township_id,
        target_type="whereabouts",
        target_id=row.id,
        summary=f"{cadre.name} {day.isoformat()} {status} {where} {activity}".strip(),
        after={"status": status, "village_id": village_id, "place": place,
               "activity": activity, "source": source, "day": day.isoformat()},
    )
    db.session.commit()
    return row


def cadre_by_phone(number: str) -> Cadre | None:
    """The active cadre registered with this mobile number (normalised comparison)."""
    from publisher.sms.numbers import normalize_number

    wanted = normalize_number(number)
    if not wanted:
        return None
    exact = db.session.scalar(select(Cadre).where(Cadre.active.is_(True), Cadre.phone == wanted)
                              .order_by(Cadre.id))
    if exact is not None:
        return exact
    candidates = db.session.scalars(select(Cadre).where(Cadre.active.is_(True),
                                                        Cadre.phone != "")).all()
    for cadre in candidates:
        if normalize_number(cadre.phone) == wanted:
            return cadre
    return None
