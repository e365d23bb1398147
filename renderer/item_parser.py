"""Items from the API's JSON shape, validated once into the types of :mod:`renderer.items`.

:func:`parse_item` turns the API's JSON shape into one of the ``*Item`` classes or
raises :class:`~renderer.items.ItemError` whose message names the field in Chinese. The
reviewed kinds are first checked and cleaned by their declaration (:mod:`renderer.fields`).
Optional fields may be missing, ``None`` or empty; they become ``""`` / ``()``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from renderer.fields import FIELDS, clean_item
from renderer.items import (
    AlertItem,
    IdentItem,
    Item,
    ItemError,
    NoticeItem,
    PolicyItem,
    ProduceItem,
    RosterItem,
    RosterRow,
    ServiceItem,
    VideoItem,
    WhereaboutsItem,
    WhereaboutsRow,
)
from renderer.sanitise import clean_text

TITLE_MAX = 60  # characters; longer titles do not fit a TV page in large type
_PHONE = re.compile(r"^[0-9０-９+\-－ ()（）转/、,，]*$")


def _text(data: dict[str, Any], field: str, *, required: bool = False, limit: int = 0) -> str:
    value = data.get(field)
    if value is None:
        value = ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ItemError(f"字段 {field} 必须是文字。")
    value = clean_text(value, multiline=True)  # what airs is what the reviewer saw
    if required and not value:
        raise ItemError(f"字段 {field} 不能为空。")
    if limit and len(value) > limit:
        raise ItemError(f"字段 {field} 不能超过 {limit} 个字。")
    return value


def _phone(data: dict[str, Any], field: str) -> str:
    value = _text(data, field)
    if not _PHONE.match(value):
        raise ItemError(f"字段 {field} 不是电话号码。")
    return value


def _date(data: dict[str, Any], field: str) -> date | None:
    value = _text(data, field)
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise ItemError(f"字段 {field} 的日期格式应为 2026-12-31。") from None


def _datetime(data: dict[str, Any], field: str) -> datetime | None:
    value = _text(data, field)
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ItemError(f"字段 {field} 的时间格式应为 2026-12-31T08:00。") from None


def _list(data: dict[str, Any], field: str) -> list[Any]:
    value = data.get(field)
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise ItemError(f"字段 {field} 必须是列表。")
    return list(value)


def _strings(data: dict[str, Any], field: str) -> tuple[str, ...]:
    out = []
    for i, entry in enumerate(_list(data, field)):
        out.append(_text({f"{field}[{i}]": entry}, f"{field}[{i}]"))
    return tuple(s for s in out if s)


def _rows(data: dict[str, Any], field: str) -> list[dict[str, Any]]:
    rows = _list(data, field)
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ItemError(f"字段 {field}[{i}] 必须是一组字段。")
    return rows


def _row_text(row: dict[str, Any], where: str, field: str, **kw: Any) -> str:
    try:
        return _text(row, field, **kw)
    except ItemError as exc:
        raise ItemError(str(exc).replace(field, f"{where}.{field}")) from None


def _policy(d: dict[str, Any]) -> PolicyItem:
    version = d.get("version") or 0
    if not isinstance(version, int) or isinstance(version, bool):
        raise ItemError("字段 version 必须是整数。")
    return PolicyItem(
        title=_text(d, "title", required=True, limit=TITLE_MAX),
        category=_text(d, "category", limit=20),
        eligibility=_text(d, "eligibility"),
        amount=_text(d, "amount", limit=40),
        how_to_apply=_text(d, "how_to_apply"),
        deadline=_date(d, "deadline"),
        source_document=_text(d, "source_document"),
        contact=_text(d, "contact", limit=40),
        body=_text(d, "body"),
        id=_text(d, "id"),
        version=version,
    )


def _service(d: dict[str, Any]) -> ServiceItem:
    return ServiceItem(
        title=_text(d, "title", required=True, limit=TITLE_MAX),
        steps=_strings(d, "steps"),
        documents=_strings(d, "documents"),
        location=_text(d, "location", limit=40),
        office_hours=_text(d, "office_hours", limit=40),
        time_limit=_text(d, "time_limit", limit=40),
        fee=_text(d, "fee", limit=40),
        contact=_text(d, "contact", limit=40),
    )


def _produce(d: dict[str, Any]) -> ProduceItem:
    price = _text(d, "price", limit=12)
    return ProduceItem(
        product=_text(d, "product", required=True, limit=20),
        village=_text(d, "village", limit=20),
        seller=_text(d, "seller", limit=20),
        price=price,
        unit=_text(d, "unit", limit=6),
        quantity=_text(d, "quantity", limit=20),
        photo=_text(d, "photo"),
        phone=_phone(d, "phone"),
        available_until=_date(d, "available_until"),
        description=_text(d, "description"),
    )


def _notice(d: dict[str, Any]) -> NoticeItem:
    category = _text(d, "category") or "通知公告"
    if category not in ("通知公告", "村务公开"):
        raise ItemError("字段 category 只能是 通知公告 或 村务公开。")
    return NoticeItem(
        title=_text(d, "title", required=True, limit=TITLE_MAX),
        body=_text(d, "body"),
        category=category,
        issued_by=_text(d, "issued_by", limit=40),
        date=_date(d, "date"),
    )


def _roster(d: dict[str, Any]) -> RosterItem:
    rows = []
    for i, r in enumerate(_rows(d, "rows")):
        w = f"rows[{i}]"
        rows.append(
            RosterRow(
                name=_row_text(r, w, "name", required=True, limit=12),
                post=_row_text(r, w, "post", limit=30),
                villages=_row_text(r, w, "villages"),
                responsibilities=_row_text(r, w, "responsibilities"),
                phone=_row_text(r, w, "phone", limit=30),
            )
        )
    return RosterItem(rows=tuple(rows), title=_text(d, "title", limit=20) or "干部分工")


def _whereabouts(d: dict[str, Any]) -> WhereaboutsItem:
    rows = []
    for i, r in enumerate(_rows(d, "rows")):
        w = f"rows[{i}]"
        rows.append(
            WhereaboutsRow(
                name=_row_text(r, w, "name", required=True, limit=12),
                post=_row_text(r, w, "post", limit=30),
                status=_row_text(r, w, "status", limit=10) or "未报告",
                village=_row_text(r, w, "village", limit=30),
                time_window=_row_text(r, w, "time_window", limit=30),
                activity=_row_text(r, w, "activity"),
            )
        )
    return WhereaboutsItem(
        rows=tuple(rows), date=_date(d, "date"), updated_at=_datetime(d, "updated_at")
    )


def _alert(d: dict[str, Any]) -> AlertItem:
    return AlertItem(
        title=_text(d, "title", required=True, limit=TITLE_MAX),
        body=_text(d, "body"),
        severity=_text(d, "severity", limit=10),
        issued_by=_text(d, "issued_by", limit=40),
        expires=_text(d, "expires", limit=40),
    )


def _video(d: dict[str, Any]) -> VideoItem:
    """A clip's fields were cleaned by their declaration (renderer.fields); the trim points
    must leave something to air."""
    trim_in, trim_out = d.get("trim_in") or 0.0, d.get("trim_out")
    if trim_out is not None and trim_out < trim_in + 1:
        error = ItemError("“结束位置”必须比“开始位置”晚至少 1 秒。")
        error.field = "trim_out"
        raise error
    return VideoItem(
        title=d["title"], video=d.get("video") or "", category=d.get("category") or "",
        trim_in=float(trim_in), trim_out=trim_out, caption=d.get("caption") or "",
        caption_style=d.get("caption_style") or "",
    )  # fmt: skip


_PARSERS = {
    "policy": _policy,
    "service": _service,
    "produce": _produce,
    "notice": _notice,
    "roster": _roster,
    "whereabouts": _whereabouts,
    "alert": _alert,
    "video": _video,
    "ident": lambda d: IdentItem(),
}
ITEM_TYPES = tuple(_PARSERS)


def parse_item(data: Any) -> Item:
    """Validate an item dict (the API's JSON shape) and return its typed form."""
    if not isinstance(data, dict):
        raise ItemError("内容必须是 JSON 对象。")
    kind = data.get("type")
    parser = _PARSERS.get(kind) if isinstance(kind, str) else None
    if parser is None:
        raise ItemError(f"字段 type 未知：{str(kind)[:40]}（应为 {'、'.join(ITEM_TYPES)} 之一）。")
    if kind in FIELDS:
        data = {**clean_item(kind, data, strict=False), "type": kind}
    return parser(data)
