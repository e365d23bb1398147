"""Reading the ledger: a township's requests by filter, the overdue ones, and the month's
statistics — counts only, never a name, a number or a request's text (they air)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select

from publisher.extensions import db
from publisher.models import Township
from publisher.models.requests import RequestStatus, ResidentRequest
from publisher.requests import rules

S = RequestStatus


def query(township_id: int, *, status: str = "", category: str = "", overdue: bool = False,
          cadre_id: int | None = None, now: datetime) -> Select:
    """The township's requests, newest first, narrowed by the list's filters."""
    stmt = select(ResidentRequest).where(ResidentRequest.township_id == township_id)
    if status:
        stmt = stmt.where(ResidentRequest.status == status)
    if category:
        stmt = stmt.where(ResidentRequest.category == category)
    if overdue:
        stmt = stmt.where(ResidentRequest.status.in_(rules.OPEN),
                          ResidentRequest.deadline < now)
    if cadre_id is not None:
        stmt = stmt.where(ResidentRequest.cadre_id == cadre_id)
    return stmt.order_by(ResidentRequest.received_at.desc(), ResidentRequest.id.desc())


def overdue(township_id: int, now: datetime, *, limit: int = 50) -> list[ResidentRequest]:
    """Open requests past their deadline, the most overdue first."""
    return list(db.session.scalars(
        select(ResidentRequest).where(ResidentRequest.township_id == township_id,
                                      ResidentRequest.status.in_(rules.OPEN),
                                      ResidentRequest.deadline < now)
        .order_by(ResidentRequest.deadline, ResidentRequest.id).limit(limit)))


@dataclass(frozen=True)
class CategoryCount:
    category: str
    received: int
    resolved: int


@dataclass(frozen=True)
class MonthStatistics:
    """A township's month in numbers, fit for air."""

    month: str  # YYYY-MM
    received: int  # registered in the month
    resolved: int  # settled (办结) in the month, whenever received
    on_time: int  # of ``resolved``, settled by their deadline
    on_time_rate: float | None  # on_time / resolved; None when nothing was settled
    open: int  # still 受理 or 办理中 at ``now``
    overdue: int  # of ``open``, past their deadline at ``now``
    by_category: tuple[CategoryCount, ...]

    def as_dict(self) -> dict:
        return asdict(self)


def month_statistics(township: Township | int, month: rules.Month | str,
                     now: datetime) -> MonthStatistics:
    """Counts for ``month`` (a Month or ``YYYY-MM``) in the township's zone, as known at
    ``now`` (a month still running counts what happened so far)."""
    if isinstance(township, int):
        township = db.session.get(Township, township)
    if isinstance(month, str):
        month = rules.Month.parse(month)
    start, after = month.bounds(township.timezone)
    # Only the columns counted: no personal data is ever read (nor decrypted) here.
    rows = db.session.execute(
        select(ResidentRequest.category, ResidentRequest.status, ResidentRequest.received_at,
               ResidentRequest.deadline, ResidentRequest.closed_at)
        .where(ResidentRequest.township_id == township.id,
               ResidentRequest.received_at < after, ResidentRequest.received_at <= now,
               # the month's own, and what is still open: not the ledger's whole history (the
               # clock asks for these counts whenever it checks a channel's plan)
               or_(ResidentRequest.received_at >= start, ResidentRequest.closed_at >= start,
                   ResidentRequest.status.in_(rules.OPEN)))).all()
    received: dict[str, int] = {}
    resolved: dict[str, int] = {}
    on_time = open_now = overdue_now = 0
    for category, status, received_at, deadline, closed_at in rows:
        if received_at >= start:
            received[category] = received.get(category, 0) + 1
        if closed_at is not None and start <= closed_at < after and closed_at <= now:
            resolved[category] = resolved.get(category, 0) + 1
            on_time += rules.on_time(deadline, closed_at)
        if status in rules.OPEN:
            open_now += 1
            overdue_now += rules.is_overdue(status, deadline, now)
    order = list(rules.DEADLINE_DAYS)
    categories = sorted(set(received) | set(resolved),
                        key=lambda c: (order.index(c) if c in order else len(order), c))
    total = sum(resolved.values())
    return MonthStatistics(
        month=str(month), received=sum(received.values()), resolved=total, on_time=on_time,
        on_time_rate=round(on_time / total, 4) if total else None, open=open_now,
        overdue=overdue_now,
        by_category=tuple(CategoryCount(c, received.get(c, 0), resolved.get(c, 0))
                          for c in categories))
