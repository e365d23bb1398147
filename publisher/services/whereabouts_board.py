"""Today's whereabouts board: every active cadre with their latest report, and who is missing.

The one place the board is built: the staff page, the dashboard and the API all call
:func:`load_board`. :func:`build_board` is the pure core (plain values in, frozen
dataclasses out, ``now`` given); :func:`load_board` reads the database and calls it.
Times on the board (the "更新于" stamp, each report's time) are in the township's zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from playlists.timezones import to_local, zone
from publisher.extensions import db
from publisher.models import Cadre, Township, Whereabouts

NOT_REPORTED = "未报告"  # the status the renderer shows (in red) for a missing report
DEFAULT_ZONE = zone(None)


@dataclass(frozen=True)
class CadreRef:
    id: int
    name: str
    post: str = ""


@dataclass(frozen=True)
class Report:
    cadre_id: int
    status: str
    reported_at: datetime  # aware
    village: str = ""
    place: str = ""
    start_time: time | None = None
    end_time: time | None = None
    activity: str = ""
    source: str = "web"
    reported_by: str = ""
    id: int = 0
    # The location the cadre attached to a web check-in (staff only; never on air).
    location_distance_m: float | None = None
    location_accuracy_m: float | None = None
    located: bool = False

    @property
    def where(self) -> str:
        return self.village or self.place

    @property
    def time_window(self) -> str:
        if self.start_time and self.end_time:
            return f"{self.start_time:%H:%M}-{self.end_time:%H:%M}"
        if self.start_time:
            return f"{self.start_time:%H:%M} 起"
        if self.end_time:
            return f"至 {self.end_time:%H:%M}"
        return ""


@dataclass(frozen=True)
class BoardRow:
    cadre: CadreRef
    report: Report | None
    # "reported"; "waiting" (no report yet, deadline not passed); "missing" (deadline passed)
    state: str


@dataclass(frozen=True)
class Board:
    day: date
    rows: tuple[BoardRow, ...]
    deadline_passed: bool
    deadline_hour: int
    zone: tzinfo = DEFAULT_ZONE  # the township's

    def count(self, state: str) -> int:
        return sum(1 for row in self.rows if row.state == state)

    @property
    def missing(self) -> list[BoardRow]:
        return [row for row in self.rows if row.state == "missing"]

    @property
    def by_status(self) -> dict[str, int]:
        """Reported status → number of cadres, in board order."""
        counts: dict[str, int] = {}
        for row in self.rows:
            if row.report is not None:
                counts[row.report.status] = counts.get(row.report.status, 0) + 1
        return counts

    @property
    def updated_at(self) -> datetime | None:
        """When the latest report on the board came in (the "更新于" stamp), township time."""
        latest = max((r.report.reported_at for r in self.rows if r.report), default=None)
        return latest.astimezone(self.zone) if latest else None


def deadline_passed(day: date, now_local: datetime, deadline_hour: int) -> bool:
    """Past days are always overdue; today only once the check-in deadline hour has come."""
    today = now_local.date()
    return day < today or (day == today and now_local.hour >= deadline_hour)


def build_board(day: date, cadres: Iterable[CadreRef], reports: Iterable[Report],
                now_local: datetime, deadline_hour: int) -> Board:
    """One row per cadre (in the given order) with their latest report of ``day``.

    ``now_local`` is now in the township's zone; the board keeps that zone for its times.
    """
    latest: dict[int, Report] = {}
    for report in sorted(reports, key=lambda r: (r.reported_at, r.id)):
        latest[report.cadre_id] = report  # the latest report of the day wins
    overdue = deadline_passed(day, now_local, deadline_hour)
    rows = []
    for cadre in cadres:
        report = latest.get(cadre.id)
        state = "reported" if report else ("missing" if overdue else "waiting")
        rows.append(BoardRow(cadre=cadre, report=report, state=state))
    return Board(day=day, rows=tuple(rows), deadline_passed=overdue,
                 deadline_hour=deadline_hour, zone=now_local.tzinfo or DEFAULT_ZONE)


def township_zone(township: Township) -> ZoneInfo:
    """The township's time zone; China time when it is unset or unknown."""
    return zone(township.timezone)


def local_now(township: Township, now: datetime) -> datetime:
    """``now`` (aware) in the township's time zone."""
    return to_local(now, township_zone(township))


def _report(w: Whereabouts) -> Report:
    return Report(cadre_id=w.cadre_id, status=w.status, reported_at=w.reported_at,
                  village=w.village.name if w.village else "", place=w.place,
                  start_time=w.start_time, end_time=w.end_time, activity=w.activity,
                  source=w.source, reported_by=w.reported_by.display_name if w.reported_by else "",
                  id=w.id, location_distance_m=w.location_distance_m,
                  location_accuracy_m=w.location_accuracy_m,
                  located=w.location_lat is not None)


def load_board(township: Township, day: date, now: datetime) -> Board:
    """The board of ``township`` for ``day`` from the database (active cadres only)."""
    cadres = list(db.session.scalars(
        select(Cadre).where(Cadre.township_id == township.id, Cadre.active)
        .order_by(Cadre.sort_order, Cadre.id)))
    reports = db.session.scalars(select(Whereabouts).where(
        Whereabouts.day == day, Whereabouts.cadre_id.in_([c.id for c in cadres])))
    return build_board(day, [CadreRef(c.id, c.name, c.post) for c in cadres],
                       [_report(w) for w in reports], local_now(township, now),
                       township.checkin_deadline_hour)


def latest_report(cadre: Cadre, day: date) -> Whereabouts | None:
    """The report of ``cadre`` for ``day`` that is on air (the latest)."""
    return db.session.scalar(
        select(Whereabouts).where(Whereabouts.cadre_id == cadre.id, Whereabouts.day == day)
        .order_by(Whereabouts.reported_at.desc(), Whereabouts.id.desc()).limit(1))


def board_json(board: Board) -> dict[str, Any]:
    """The board in the renderer's item shape, each row with the staff-only extras."""
    rows = []
    for row in board.rows:
        r = row.report
        rows.append({
            "cadre_id": row.cadre.id,
            "name": row.cadre.name,
            "post": row.cadre.post,
            "status": r.status if r else NOT_REPORTED,
            "village": r.where if r else "",
            "time_window": r.time_window if r else "",
            "activity": r.activity if r else "",
            "state": row.state,
            "source": r.source if r else None,
            "reported_at": r.reported_at.astimezone(board.zone).isoformat() if r else None,
            "reported_by": r.reported_by if r else None,
        })
    updated = board.updated_at
    return {"type": "whereabouts", "date": board.day.isoformat(),
            "updated_at": updated.isoformat() if updated else None,
            "deadline_hour": board.deadline_hour, "deadline_passed": board.deadline_passed,
            "rows": rows}
