"""Checking imported rows: every problem of every row, by row number and column, in Chinese.

Rows are cleaned by the same service functions the forms use (``clean_cadre`` and the
content validator), so an import accepts exactly what a person could type in by hand.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from publisher.extensions import db
from publisher.imports.reader import Row, Table
from publisher.imports.schema import ImportType
from publisher.models import Cadre, Township
from publisher.services import cadres as cadre_service
from publisher.services import phones
from publisher.services.content import validate as validate_content
from publisher.services.errors import FieldError, ServiceError
from renderer.fields import FIELDS

_SPLIT = re.compile(r"[、,，;；/\s]+")
_NO = {"否", "0", "n", "no", "false", "不在岗"}
_YES_NO = {"", "是", "1", "y", "yes", "true", "在岗", *_NO}
# The same limits as the form and the API: the kind's one declaration.
# 0: no length limit of its own (the price has its pattern).
PRODUCE_LIMITS = {f.name: f.limit for f in FIELDS["produce"]
                  if f.name not in ("photo", "phone", "available_until")}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # the header as in the template; "" for the row as a whole
    message: str


@dataclass(frozen=True)
class Planned:
    row: int
    action: str  # 新增 / 更新 / 新增（草稿）
    summary: str
    fields: dict[str, Any]
    target_id: int | None = None


@dataclass
class Preview:
    kind: ImportType
    planned: list[Planned] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.planned) and not self.errors


def collect(clean: Callable[[dict[str, Any]], Any], raw: Mapping[str, Any],
            placeholders: Mapping[str, str]) -> tuple[Any, list[tuple[str, str]]]:
    """Run ``clean`` and gather *every* field error, not just the first.

    Each time ``clean`` refuses a field, that field is recorded and replaced by a harmless
    placeholder, then ``clean`` runs again, until it passes or repeats itself.
    """
    values, errors, seen = dict(raw), [], set()
    while True:
        try:
            result = clean(values)
        except FieldError as exc:
            if exc.field in seen:
                return None, errors
            seen.add(exc.field)
            errors.append((exc.field, str(exc)))
            values[exc.field] = placeholders.get(exc.field, "")
            continue
        return (None if errors else result), errors


class _Context:
    """What rows are checked against: the township's villages and existing cadres."""

    def __init__(self, township: Township) -> None:
        self.township = township
        self.villages = {v.name: v for v in township.villages}
        self.cadres = list(db.session.scalars(select(Cadre).where(
            Cadre.township_id == township.id)))
        self.seen: dict[str, int] = {}  # identity within the file → first row number

    def village_ids(self, text: str) -> tuple[list[int], list[str]]:
        names = [n for n in _SPLIT.split(text.strip()) if n]
        unknown = [n for n in names if n not in self.villages]
        return [self.villages[n].id for n in names if n in self.villages], unknown

    def match(self, name: str, phone: str) -> Cadre | list[Cadre] | None:
        """The cadre a row means: by mobile number, else by name (namesakes → the list)."""
        if phone:
            for cadre in self.cadres:
                if cadre.phone == phone:
                    return cadre
        same = [c for c in self.cadres if c.name == name and (not phone or not c.phone)]
        return same[0] if len(same) == 1 else (same or None)


def _existing(cadre: Cadre) -> dict[str, Any]:
    return {"name": cadre.name, "post": cadre.post, "responsibilities": cadre.responsibilities,
            "phone": cadre.phone, "office_phone": cadre.office_phone,
            "sort_order": cadre.sort_order, "active": cadre.active,
            "village_ids": [v.id for v in cadre.villages], "user_id": cadre.user_id}


# Columns the duty roster replaces even when blank: a cadre's assignment is the file's.
ROSTER_REPLACES = ("villages", "responsibilities")


def _cadre_fields(row: Row, ctx: _Context, existing: Cadre | None,
                  report: Callable[[str, str], None], roster: bool) -> dict[str, Any] | None:
    """A blank cell keeps the cadre's current value (except the roster's assignments)."""
    raw: dict[str, Any] = _existing(existing) if existing is not None else {"user_id": None}
    for key, value in row.values.items():
        if value or existing is None or (roster and key in ROSTER_REPLACES):
            raw[key] = value
    if "villages" in raw:
        ids, unknown = ctx.village_ids(raw.pop("villages"))
        if unknown:
            report("villages", _("本乡镇没有这个村（社区）：%(n)s", n="、".join(unknown)))
        raw["village_ids"] = ids
    active = raw.get("active", True)
    if isinstance(active, str):
        if active.strip().lower() not in _YES_NO:
            report("active", _("只能填“是”或“否”。"))
        raw["active"] = active.strip().lower() not in _NO
    fields, problems = collect(cadre_service.clean_cadre, raw, {"name": "?"})
    for key, message in problems:
        report(key, message)
    if fields is not None:
        try:
            cadre_service.check_unique(ctx.township.id, fields, existing)
        except FieldError as exc:
            report(exc.field, str(exc))
            return None
    return fields


def _check_cadre_row(row: Row, ctx: _Context, preview: Preview, roster: bool) -> None:
    errors_before = len(preview.errors)

    def report(key: str, message: str) -> None:
        preview.errors.append(RowError(row.number, preview.kind.header_of(key), message))

    name = row.values.get("name", "").strip()
    phone = phones.normalise_mobile(row.values.get("phone", ""))
    identity = f"phone:{phone}" if phone else f"name:{name}"
    if identity in ctx.seen:
        report("phone" if phone else "name",
               _("与第 %(r)d 行是同一名干部，请合并为一行。", r=ctx.seen[identity]))
        return
    ctx.seen[identity] = row.number
    found = ctx.match(name, phone) if name else None
    if isinstance(found, list):
        report("phone", _("本乡镇有 %(n)d 名干部叫“%(name)s”，请填写手机号区分。",
                          n=len(found), name=name))
        return
    if isinstance(found, Cadre) and found.name != name:
        # Same number, another name: a typo in one of them, never a silent rename.
        report("phone", _("该手机号已登记给干部“%(name)s”。", name=found.name))
        return
    if roster and found is None and name:
        report("name", _("找不到干部“%(name)s”，请先导入或录入干部信息。", name=name))
        return
    fields = _cadre_fields(row, ctx, found, report, roster)
    if fields is not None and len(preview.errors) == errors_before:
        villages = "、".join(n for n in _SPLIT.split(row.values.get("villages", "")) if n)
        # Every value the row sets, so the user sees each column arrived where it belongs.
        summary = " · ".join(s for s in (fields["name"], fields["post"], fields.get("phone"),
                                         villages, fields.get("responsibilities")) if s)
        preview.planned.append(Planned(row.number, _("更新") if found else _("新增"), summary,
                                       fields, found.id if found else None))


def _iso_date(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip()
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text[:11].strip(), pattern).date().isoformat()
        except ValueError:
            continue
    raise ValueError(text)


def clean_produce(raw: Mapping[str, Any], villages: set[str], today: date) -> dict[str, Any]:
    """A produce listing's data from an import row (raises FieldError per column)."""
    data: dict[str, Any] = {}
    for key, limit in PRODUCE_LIMITS.items():
        value = str(raw.get(key) or "").strip()
        if limit and len(value) > limit:
            raise FieldError(key, _("不能超过 %(n)d 个字。", n=limit))
        data[key] = value
    if not data["product"]:
        raise FieldError("product", _("此项必须填写。"))
    if data["village"] and data["village"] not in villages:
        raise FieldError("village", _("本乡镇没有这个村（社区）：%(n)s", n=data["village"]))
    data["phone"] = phones.clean_phone(str(raw.get("phone") or ""), "phone")
    until = str(raw.get("available_until") or "").strip()
    if until:
        try:
            until = _iso_date(until)
        except ValueError:
            raise FieldError("available_until", _("日期格式应为 2026-12-31。")) from None
        if date.fromisoformat(until) < today:
            raise FieldError("available_until", _("截止日期已经过去。"))
    data["available_until"] = until
    return {k: v for k, v in data.items() if v}


def _check_produce_row(row: Row, ctx: _Context, preview: Preview, today: date) -> None:
    def report(key: str, message: str) -> None:
        preview.errors.append(RowError(row.number, preview.kind.header_of(key), message))

    data, problems = collect(lambda r: clean_produce(r, set(ctx.villages), today), row.values,
                             {"product": "?"})
    for key, message in problems:
        report(key, message)
    if data is None:
        return
    try:
        validate_content("produce", data)  # the renderer's own rules, as for a typed-in item
    except ServiceError as exc:
        report(getattr(exc, "field", ""), str(exc))
        return
    summary = " · ".join(s for s in (data["product"], data.get("village", ""),
                                     f"{data.get('price', '')}{data.get('unit', '')}") if s)
    preview.planned.append(Planned(row.number, _("新增（草稿）"), summary, data))


def check(kind: ImportType, table: Table, township: Township, today: date) -> Preview:
    """Check every row of ``table``; the preview lists what would happen and every error."""
    preview = Preview(kind)
    ctx = _Context(township)
    for row in table.rows:
        if kind.name == "produce":
            _check_produce_row(row, ctx, preview, today)
        else:
            _check_cadre_row(row, ctx, preview, roster=kind.name == "roster")
    order = {c.header: i for i, c in enumerate(kind.columns)}
    preview.errors.sort(key=lambda e: (e.row, order.get(e.column, -1)))  # as in the sheet
    return preview
