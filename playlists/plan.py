"""The channel plan: everything playout needs to know, with no database in sight.

The clock process writes one ``plan.json`` per channel whenever content changes; the
playout process re-reads it at page boundaries. The file is the only hand-off between
the two, so it is written to a temporary name and renamed into place.

All instants are timezone-aware UTC datetimes in memory and ISO-8601 strings on disk.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any

from renderer import atomic

PLAN_FORMAT = 1


class PlanError(ValueError):
    """A plan file that cannot be read or does not have the expected shape."""


@dataclass(frozen=True)
class PlannedPage:
    """One rendered slide, ready to air."""

    key: str  # content hash of the rendered page; also names its encoded unit
    png: str  # path of the rendered PNG
    unit: str  # path of the encoded unit (see renderer.encode)
    duration_s: float  # on-air time, a multiple of renderer.timing.UNIT_SECONDS
    page_no: int = 1
    page_count: int = 1
    # The page's narration track (renderer.audio), aired in place of the bed from the
    # page's second unit; empty: the bed only. duration_s already makes room for it.
    audio: str = ""
    # A video clip (renderer.video): the folder of its units, aired once each in order
    # instead of ``unit`` repeated (``unit`` names the first, ``audio`` the clip's own
    # sound, which replaces the bed). duration_s is its units x 0.64 s.
    clip: str = ""


@dataclass(frozen=True)
class Daypart:
    """A weekly time window. ``weekdays`` are 0 = Monday … 6 = Sunday, in channel time."""

    weekdays: tuple[int, ...]
    start: time
    end: time  # exclusive; an end before the start wraps past midnight
    label: str = ""


@dataclass(frozen=True)
class PlannedItem:
    """One content item (all its pages), as approved for air."""

    id: str  # stable across versions, e.g. "policy:12"
    version: int
    category: str  # policy | service | produce | notice | roster | whereabouts | alert | ident
    title: str
    pages: tuple[PlannedPage, ...]
    ready_at: datetime  # when this version became ready to air (fresh items jump the queue)
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    priority: int = 0  # higher airs first inside its category
    interrupt: bool = False  # public emergency alert: takes over the channel while valid


@dataclass(frozen=True)
class CategoryRule:
    """Share of airtime and the dayparts a category airs in (empty = all day)."""

    weight: float = 1.0
    dayparts: tuple[Daypart, ...] = ()
    label: str = ""


@dataclass(frozen=True)
class ChannelPlan:
    slug: str
    name: str
    timezone: str
    profile: str  # renderer output profile name, e.g. "1080p"
    generated_at: datetime
    items: tuple[PlannedItem, ...] = ()
    categories: dict[str, CategoryRule] = field(default_factory=dict)
    filler: PlannedItem | None = None  # channel ident: airs when nothing else may
    max_gap_s: float | None = None  # longest an eligible item may go unaired (None: no limit)
    format: int = PLAN_FORMAT


# --- serialisation --------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise PlanError("plan datetimes must be timezone-aware")
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def plan_to_dict(plan: ChannelPlan) -> dict[str, Any]:
    return _encode(asdict(plan))


def _dt(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise PlanError(f"naive datetime in plan: {value}")
    return parsed


def _daypart(raw: dict[str, Any]) -> Daypart:
    return Daypart(
        weekdays=tuple(int(d) for d in raw["weekdays"]),
        start=time.fromisoformat(raw["start"]),
        end=time.fromisoformat(raw["end"]),
        label=raw.get("label", ""),
    )


def _item(raw: dict[str, Any]) -> PlannedItem:
    return PlannedItem(
        id=raw["id"],
        version=int(raw["version"]),
        category=raw["category"],
        title=raw["title"],
        pages=tuple(PlannedPage(**p) for p in raw["pages"]),
        ready_at=_dt(raw["ready_at"]),
        valid_from=_dt(raw.get("valid_from")),
        valid_until=_dt(raw.get("valid_until")),
        priority=int(raw.get("priority", 0)),
        interrupt=bool(raw.get("interrupt", False)),
    )


def plan_from_dict(raw: dict[str, Any]) -> ChannelPlan:
    try:
        if raw.get("format") != PLAN_FORMAT:
            raise PlanError(f"unsupported plan format {raw.get('format')!r}")
        return ChannelPlan(
            slug=raw["slug"],
            name=raw["name"],
            timezone=raw["timezone"],
            profile=raw["profile"],
            generated_at=_dt(raw["generated_at"]),
            items=tuple(_item(i) for i in raw.get("items", [])),
            categories={
                name: CategoryRule(
                    weight=float(rule.get("weight", 1.0)),
                    dayparts=tuple(_daypart(d) for d in rule.get("dayparts", [])),
                    label=rule.get("label", ""),
                )
                for name, rule in raw.get("categories", {}).items()
            },
            filler=_item(raw["filler"]) if raw.get("filler") else None,
            max_gap_s=float(raw["max_gap_s"]) if raw.get("max_gap_s") else None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, PlanError):
            raise
        raise PlanError(f"malformed plan: {exc!r}") from exc


def save_plan(plan: ChannelPlan, path: Path) -> None:
    text = json.dumps(plan_to_dict(plan), ensure_ascii=False, indent=1)
    atomic.write_atomic(path, text.encode("utf-8"))


def load_plan(path: Path) -> ChannelPlan:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise PlanError(f"cannot read plan {path}: {exc}") from exc
    return plan_from_dict(raw)
