"""Database reads for the admin pages, always scoped to what the actor may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from playlists.timezones import local_day_bounds
from publisher.extensions import db
from publisher.models import ContentItem, ContentVersion, User, VersionState
from publisher.services.scope import scoped
from renderer.kinds import KINDS

LIST_STATES = ("draft", "pending", "approved", "rejected", "withdrawn")
PAGE_SIZE = 30


def category_field(kind: str) -> str:
    """The data field the list's category filter uses: the kind's declared one ("" = none)."""
    declared = KINDS.get(kind)
    return declared.category_field if declared else ""


def items_with_latest(actor: User, kind: str | None = None) -> Select:
    """Rows of (item, its latest version) the actor may see."""
    inner = aliased(ContentVersion)
    latest_no = (
        select(func.max(inner.number))
        .where(inner.item_id == ContentItem.id)
        .correlate(ContentItem)
        .scalar_subquery()
    )
    query = select(ContentItem, ContentVersion).join(
        ContentVersion,
        and_(ContentVersion.item_id == ContentItem.id, ContentVersion.number == latest_no),
    )
    if kind:
        query = query.where(ContentItem.kind == kind)
    return scoped(query, actor, ContentItem.township_id)


def on_air_clause(live, now: datetime):  # noqa: ANN001, ANN201
    """SQL for: not withdrawn, has a live version, and ``now`` is inside its window."""
    return and_(
        ContentItem.withdrawn_at.is_(None),
        ContentItem.live_version_id.is_not(None),
        or_(live.valid_from.is_(None), live.valid_from <= now),
        or_(live.valid_until.is_(None), live.valid_until > now),
    )


def content_counts(actor: User, now: datetime, kinds: tuple[str, ...]) -> dict[str, int]:
    """Counts for the dashboard: on air, pending, drafts, rejected."""
    base = items_with_latest(actor).where(
        ContentItem.kind.in_(kinds), ContentItem.withdrawn_at.is_(None)
    )
    counts = {"on_air": 0, "pending": 0, "draft": 0, "rejected": 0}
    states = base.with_only_columns(ContentVersion.state, func.count()).group_by(
        ContentVersion.state
    )
    for state, n in db.session.execute(states):
        if state in counts:
            counts[state] = n
    live = aliased(ContentVersion)
    on_air = scoped(
        select(func.count())
        .select_from(ContentItem)
        .join(live, live.id == ContentItem.live_version_id)
        .where(ContentItem.kind.in_(kinds), on_air_clause(live, now)),
        actor,
        ContentItem.township_id,
    )
    counts["on_air"] = db.session.scalar(on_air) or 0
    return counts


@dataclass(frozen=True)
class ListFilters:
    q: str = ""
    state: str = ""
    on_air: str = ""  # "", "yes" or "no"
    category: str = ""
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1

    @property
    def active(self) -> bool:
        return any((self.q, self.state, self.on_air, self.category, self.date_from,
                    self.date_to))


def date_arg(value: str | None) -> date | None:
    """A ``YYYY-MM-DD`` query argument, or None when missing, malformed or absurd."""
    try:
        day = date.fromisoformat((value or "").strip()[:10]) if value else None
    except ValueError:
        return None
    # Far-off years would overflow the time-zone arithmetic and mean a typo anyway.
    return day if day is not None and 1900 <= day.year <= 2200 else None


def parse_filters(args: Any) -> ListFilters:
    """Read list filters from query arguments; anything malformed is simply ignored."""
    state = args.get("state", "")
    on_air = args.get("on_air", "")
    page = args.get("page", "1")
    return ListFilters(
        q=(args.get("q") or "").strip()[:100],
        state=state if state in LIST_STATES else "",
        on_air=on_air if on_air in ("yes", "no") else "",
        category=(args.get("category") or "").strip()[:40],
        date_from=date_arg(args.get("from")),
        date_to=date_arg(args.get("to")),
        page=min(int(page), 10_000) if page.isdecimal() and int(page) > 0 else 1,
    )


def _text_of(data: dict[str, Any]) -> str:
    parts: list[str] = []
    for value in data.values():
        if isinstance(value, list | tuple):
            parts.extend(str(v) for v in value)
        elif value is not None:
            parts.append(str(value))
    return "\n".join(parts)


def list_items(actor: User, kind: str, filters: ListFilters, now: datetime, tz) -> tuple[list, int]:  # noqa: ANN001
    """The page of (item, latest) rows matching ``filters`` and the total match count."""
    live = aliased(ContentVersion)
    query = items_with_latest(actor, kind).outerjoin(live, live.id == ContentItem.live_version_id)
    if filters.state == "withdrawn":
        query = query.where(ContentItem.withdrawn_at.is_not(None))
    elif filters.state:
        query = query.where(ContentItem.withdrawn_at.is_(None),
                            ContentVersion.state == VersionState(filters.state))
    if filters.on_air == "yes":
        query = query.where(on_air_clause(live, now))
    elif filters.on_air == "no":
        query = query.where(~on_air_clause(live, now))
    if filters.category and category_field(kind):
        field = ContentVersion.data[category_field(kind)].as_string()
        query = query.where(field == filters.category)
    if filters.date_from:
        query = query.where(ContentVersion.created_at >= local_day_bounds(filters.date_from, tz)[0])
    if filters.date_to:
        query = query.where(ContentVersion.created_at < local_day_bounds(filters.date_to, tz)[1])
    query = query.order_by(ContentVersion.created_at.desc(), ContentItem.id.desc())
    rows = list(db.session.execute(query))
    if filters.q:
        # Searched here rather than in SQL: the JSON column stores Chinese \u-escaped.
        needle = filters.q.casefold()
        rows = [r for r in rows if needle in f"{r[1].title}\n{_text_of(r[1].data)}".casefold()]
    start = (filters.page - 1) * PAGE_SIZE
    return rows[start : start + PAGE_SIZE], len(rows)


def category_options(actor: User, kind: str) -> list[str]:
    """The category values in use for ``kind`` (for the filter's drop-down)."""
    field = category_field(kind)
    if not field:
        return []
    column = ContentVersion.data[field].as_string()
    query = items_with_latest(actor, kind).with_only_columns(column).distinct()
    return sorted(v for v in db.session.scalars(query) if v)
