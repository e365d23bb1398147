"""Items from the API's JSON shape, validated once into their kind's dataclass.

:func:`parse_item` looks the kind up in :mod:`renderer.kinds`, cleans the data by its
declared (aired) fields (:func:`renderer.fields.clean_fields`), runs the kind's cross-field
``check`` and builds its item: by the kind's own ``build`` if it has one, else field by field (lists
become tuples, dates dates, tables tuples of row items; an empty value takes the item's
default). Errors are :class:`~renderer.declare.ItemError` naming the field in Chinese.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from typing import Any

from renderer.declare import DATE, DATETIME, LINES, PHONE, ROWS, Field, ItemError
from renderer.fields import clean_fields
from renderer.items import Item
from renderer.kinds import KINDS
from renderer.sanitise import clean_text

# What a single number on air may contain (digits, extension words, separators); the
# publisher checks the number itself (services.phones) before it is stored.
_PHONE = re.compile(r"^[0-9０-９+\-－ ()（）转/、,，]*$")


def _value(f: Field, value: Any) -> Any:
    """A cleaned (stored) value as the item holds it."""
    if f.type == LINES:
        return tuple(value or ())
    if f.type == DATE:
        return date.fromisoformat(value) if value else None
    if f.type == DATETIME:
        return datetime.fromisoformat(value) if value else None
    if f.type == ROWS:
        return tuple(_make(f.row_item, f.row, row) for row in value or ())
    if f.type == PHONE and value and not _PHONE.match(value):
        error = ItemError(f"“{f.label}”不是电话号码。")
        error.field = f.name
        raise error
    return value


def _extra(name: str, default: Any, value: Any) -> Any:
    """A key the item holds but the kind does not declare (a policy's ``id`` and ``version``,
    added by the API): checked by the type of its default."""
    if value is None or value == "":
        return default
    if isinstance(default, int) and not isinstance(default, bool):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ItemError(f"字段 {name} 必须是整数。")
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ItemError(f"字段 {name} 必须是文字。")
    return clean_text(value)


def _make(cls: Any, fields: tuple[Field, ...], data: dict[str, Any]) -> Any:
    """``cls`` from cleaned ``data``: declared fields converted, an empty one left to the
    dataclass's default (a notice's 通知公告, a cadre's 未报告)."""
    declared = {f.name: f for f in fields}
    values: dict[str, Any] = {}
    for attr in dataclasses.fields(cls):
        if attr.name == "type" or not attr.init:
            continue
        has_default = attr.default is not dataclasses.MISSING
        if attr.name in declared:
            value = _value(declared[attr.name], data.get(attr.name))
        elif has_default:
            value = _extra(attr.name, attr.default, data.get(attr.name))
        else:
            raise ItemError(f"字段 {attr.name} 不能为空。")
        if has_default and (value is None or value in ("", ()) and attr.default):
            continue  # an empty value airs as the item's default (an upload's "" too)
        values[attr.name] = value
    return cls(**values)


def known_types() -> tuple[str, ...]:
    """The item types parse_item accepts, in their declared order."""
    return tuple(KINDS)


def parse_item(data: Any) -> Item:
    """Validate an item dict (the API's JSON shape) and return its typed form."""
    if not isinstance(data, dict):
        raise ItemError("内容必须是 JSON 对象。")
    kind = data.get("type")
    declared = KINDS.get(kind) if isinstance(kind, str) else None
    if declared is None:
        error = ItemError(
            f"字段 type 未知：{str(kind)[:40]}（应为 {'、'.join(known_types())} 之一）。"
        )
        error.field = "type"
        raise error
    cleaned = clean_fields(declared.aired_fields, data, strict=False)
    if declared.check is not None:
        declared.check(cleaned)
    if declared.build is not None:
        return declared.build(cleaned)
    return _make(declared.item, declared.aired_fields, cleaned)


def __getattr__(name: str) -> Any:
    if name == "ITEM_TYPES":  # the old constant: kinds may be registered after import
        return known_types()
    raise AttributeError(name)
