"""The one check every door runs on a content kind's data, by the kind's declaration.

The admin forms, the JSON API, the spreadsheet import and the CLI all store an item through
:func:`clean_item`, and the renderer's parser runs it too; so a value is accepted or refused
alike wherever it is typed, and what is stored is exactly what airs. The fields themselves
are declared once in :mod:`renderer.kinds` (types and limits in :mod:`renderer.declare`).
Pure: no Flask, no database; messages are Chinese and name the field by its label.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from renderer.declare import (  # noqa: F401  (re-exported: the names other modules import)
    CHOICE,
    CLIP_SECONDS_MAX,
    CONTACT,
    DATE,
    DATETIME,
    LINES,
    LIST_TEXT,
    LONG,
    LONG_TEXT,
    PHONE,
    PHOTO,
    PRICE,
    PRICE_MAX,
    PRICE_TEXT,
    RECORDING,
    ROWS,
    SECONDS,
    TEXT,
    UPLOADS,
    VIDEO,
    YEARS,
    Field,
    ItemError,
)
from renderer.kinds import KINDS, stored_kinds
from renderer.kinds.notice import CATEGORIES as NOTICE_CATEGORIES  # noqa: F401
from renderer.kinds.video import CAPTION_STYLES  # noqa: F401
from renderer.sanitise import clean_text  # the one cleaning of every value

# The fields of each stored kind (reviewed content and alerts), derived from the declarations.
FIELDS: dict[str, tuple[Field, ...]] = {d.name: d.fields for d in stored_kinds()}


def field(kind: str, name: str) -> Field:
    """The declaration of one field (KeyError if the kind has no such field)."""
    return KINDS[kind].field(name)


def _fail(f: Field, message: str) -> ItemError:
    error = ItemError(f"“{f.label}”{message}")
    error.field = f.name  # the door shows the message next to this field
    return error


def _as_text(f: Field, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _fail(f, "必须是文字。")
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(f, "不是有效的内容。")
    return str(value)


def _clean_price(f: Field, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _fail(f, "请填写数字，例如 4.5。")
    if isinstance(value, int | float) and not isinstance(value, str):
        if not math.isfinite(value) or not 0 <= value <= PRICE_MAX:
            raise _fail(f, f"应在 0 到 {PRICE_MAX:.0f} 元之间。")
        value = f"{value:.2f}".rstrip("0").rstrip(".")
    text = clean_text(value)
    if not PRICE_TEXT.match(text):
        raise _fail(f, "请填写数字，例如 4.5（不能为负数，最多 7 位整数和 2 位小数）。")
    return text


def _clean_date(f: Field, value: Any) -> str:
    text = clean_text(_as_text(f, value))
    if not text:
        return ""
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        raise _fail(f, "的日期格式应为 2026-12-31。") from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise _fail(f, f"的年份应在 {YEARS[0]} 到 {YEARS[1]} 之间，请检查。")
    return day.isoformat()


def _clean_lines(f: Field, value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise _fail(f, "应为多行文字（每行一项）。")
    lines = []
    for i, entry in enumerate(value):
        try:
            lines.append(clean_text(_as_text(f, entry)))
        except ItemError as exc:
            exc.field = f"{f.name}[{i}]"
            raise
    lines = [line for line in lines if line]
    if f.limit and sum(len(line) for line in lines) > f.limit:
        raise _fail(f, f"合计不能超过 {f.limit} 个字。")
    return lines


def _clean_datetime(f: Field, value: Any) -> str:
    text = clean_text(_as_text(f, value))
    if not text:
        return ""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _fail(f, "的时间格式应为 2026-12-31T08:00。") from None
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise _fail(f, f"的年份应在 {YEARS[0]} 到 {YEARS[1]} 之间，请检查。")
    return moment.isoformat()


def _clean_rows(f: Field, value: Any) -> list[dict[str, Any]]:
    """A table: each row a set of fields, each checked by its own declaration."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise _fail(f, "应为一组行。")
    rows = []
    for i, row in enumerate(value):
        where = f"{f.name}[{i}]"
        if not isinstance(row, dict):
            error = _fail(f, f"第 {i + 1} 行必须是一组字段。")
            error.field = where
            raise error
        try:
            rows.append({c.name: clean_value(c, row.get(c.name)) for c in f.row})
        except ItemError as exc:
            exc.args = (f"“{f.label}”第 {i + 1} 行：{exc}",)
            exc.field = f"{where}.{exc.field}"
            raise
    return rows


_CLOCK = re.compile(r"^(?:(\d{1,2}):)?(\d{1,4}(?:\.\d{1,2})?)$")


def _clean_seconds(f: Field, value: Any) -> float | None:
    """A point in a clip as seconds (two decimals), from 12.5, "12.5" or "1:05.5"."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _fail(f, "请填写秒数，例如 12.5 或 1:05。")
    if isinstance(value, str):
        match = _CLOCK.match(clean_text(value).replace("：", ":"))
        if not match:
            raise _fail(f, "请填写秒数，例如 12.5 或 1:05。")
        minutes, seconds = match.groups()
        value = int(minutes or 0) * 60 + float(seconds)
    if not math.isfinite(value) or not 0 <= value <= CLIP_SECONDS_MAX:
        raise _fail(f, f"应在 0 到 {CLIP_SECONDS_MAX} 秒之间。")
    return round(float(value), 2)


def clean_value(f: Field, value: Any) -> Any:
    """One field's value as it is stored and aired, or an ItemError in Chinese."""
    if f.type == PRICE:
        out: Any = _clean_price(f, value)
    elif f.type == DATE:
        out = _clean_date(f, value)
    elif f.type == LINES:
        out = _clean_lines(f, value)
    elif f.type == SECONDS:
        out = _clean_seconds(f, value)
    elif f.type == DATETIME:
        out = _clean_datetime(f, value)
    elif f.type == ROWS:
        out = _clean_rows(f, value)
    elif f.type in UPLOADS:
        # Whether the path is an upload is the publisher's to check (it knows where).
        out = clean_text(_as_text(f, value)) or None
    else:
        out = clean_text(_as_text(f, value), multiline=f.type == LONG)
        if f.limit and len(out) > f.limit:
            raise _fail(f, f"不能超过 {f.limit} 个字（现有 {len(out)} 个字）。")
        if f.choices and out and out not in f.choices:
            raise _fail(f, f"只能是 {' 或 '.join(f.choices)}。")
    if f.required and not out:
        raise _fail(f, "不能为空。")
    return out


def clean_item(kind: str, data: dict[str, Any], *, strict: bool = True) -> dict[str, Any]:
    """``data`` of a content kind with every declared field checked and cleaned.

    ``strict``: a key the kind does not declare is refused (a stray value would be stored
    unchecked); otherwise such keys are passed through untouched (the renderer reading
    extras such as ``id``). Raises ItemError whose message names the field.
    """
    return clean_fields(KINDS[kind].fields, data, strict=strict)


def clean_fields(
    fields: tuple[Field, ...], data: dict[str, Any], *, strict: bool = True
) -> dict[str, Any]:
    """``data`` checked and cleaned by ``fields`` (see :func:`clean_item`)."""
    if not isinstance(data, dict):
        raise ItemError("内容必须是一组字段。")
    names = {f.name for f in fields}
    extra = {k: v for k, v in data.items() if k not in names and k != "type"}
    if strict and extra:
        raise ItemError(f"不认识的字段：{'、'.join(str(k)[:40] for k in list(extra)[:5])}。")
    cleaned = {f.name: clean_value(f, data.get(f.name)) for f in fields}
    return cleaned if strict else {**extra, **cleaned}
