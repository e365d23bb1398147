"""Per-kind knowledge for the admin, derived from the declarations (``renderer.kinds``):
labels, forms, list lines, and turning a form into the item's ``data`` and back."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from publisher.admin.forms import form_class
from publisher.words import translate, word
from renderer import declare
from renderer.declare import KindDeclaration
from renderer.kinds import KINDS as DECLARED
from renderer.kinds import reviewed_kinds

# Field types: how a form value becomes a data value.
TEXT, LINES, DATE = declare.TEXT, declare.LINES, declare.DATE
# A leading "1." / "1、" / "（1）" / "第1步" typed by habit: the channel numbers steps itself.
_NUMBERING = re.compile(
    r"^\s*(?:第\s*[0-9０-９一二三四五六七八九十]+\s*步[.、．:：]?"
    r"|[0-9０-９]+\s*[.、．)）](?![0-9])"
    r"|[一二三四五六七八九十]+\s*[、．]"
    r"|[（(]\s*[0-9０-９一二三四五六七八九十]+\s*[)）])\s*"
)


@dataclass(frozen=True)
class KindSpec:
    """A reviewed kind as the admin sees it (all of it read from ``declaration``)."""

    declaration: KindDeclaration

    @property
    def kind(self) -> str:
        return self.declaration.name

    @property
    def label(self) -> Any:  # lazy string
        return word(self.declaration.label, self.declaration.en)

    @property
    def form(self) -> type:
        return form_class(self.kind)

    @property
    def fields(self) -> tuple[tuple[str, str], ...]:
        """(name, type) of the typed fields in form order (uploads are the form's own)."""
        return tuple((f.name, f.type) for f in self.declaration.fields
                     if not f.upload and f.type != declare.ROWS)  # fmt: skip

    @property
    def category_label(self) -> Any:
        return word(self.declaration.category_heading, self.declaration.en)

    @property
    def wide(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.declaration.fields if f.wide)

    def field_names(self) -> list[str]:
        return [name for name, _ in self.fields]


# Short fields pair up in two columns; ``wide`` ones and long texts take a whole row.
KINDS: dict[str, KindSpec] = {d.name: KindSpec(d) for d in reviewed_kinds()}
# Multi-line fields: a textarea over the whole row.
LONG_FIELDS = tuple(dict.fromkeys(
    f.name for d in DECLARED.values() for f in d.fields if f.type in (declare.LONG, LINES)))

# Labels of data fields, for history diffs and the audit log, where the kind is not known:
# the shared words for names several kinds use, then each declared field's own label.
_SHARED = {"title": "标题", "category": "类别", "body": "正文", "date": "发布日期"}
FIELD_LABELS: dict[str, Any] = {
    name: word(label) for name, label in _SHARED.items()
}
for _d in DECLARED.values():
    for _f in _d.fields:
        FIELD_LABELS.setdefault(_f.name, word(_f.label, _d.en))
FIELD_LABELS.update({
    "valid_from": _l("上线时间"), "valid_until": _l("下线时间"),
    "priority": _l("播出优先级"), "timezone": _l("时区"),
    "state": _l("状态"), "data": _l("内容"), "note": _l("审核意见"), "reason": _l("退回原因"),
    "self_approval": _l("允许审核自己提交的内容"), "checkin_deadline_hour": _l("去向报告截止时间"),
    "duty_phone": _l("值班电话"), "roster_review": _l("干部分工变更需审核后播出"),
    # emergency calls and alerts (audit log)
    "severity": _l("级别"), "expires": _l("失效时间"), "is_exercise": _l("演练"),
    "phones": _l("电话号码"), "members": _l("家庭成员（人数）"),
    "medical_notes": _l("已登记健康/用药情况"),
    "call_steps": _l("呼救步骤"), "repeat_count": _l("无人接警时重复轮数"),
    "final_phone": _l("最后一步电话"), "final_instructions": _l("最后一步的提示"),
})
# Channel schedules (audit log): one entry per content category, by the kind's one word.
FIELD_LABELS.update({d.name: word(d.label, d.en) for d in DECLARED.values()})


def strip_numbering(line: str) -> str:
    """``"1、带身份证"`` → ``"带身份证"``; a line that is only a number stays as is."""
    stripped = _NUMBERING.sub("", line, count=1).strip()
    return stripped or line.strip()


def form_to_data(spec: KindSpec, form: Any) -> dict[str, Any]:
    """The item ``data`` (renderer shape, without ``type``) from a validated form."""
    data: dict[str, Any] = {}
    for name, ftype in spec.fields:
        value = form[name].data
        if ftype == DATE:
            data[name] = value.isoformat() if isinstance(value, date) else ""
        elif ftype == LINES:
            lines = (value or "").replace("\r\n", "\n").split("\n")
            data[name] = [strip_numbering(s) for s in lines if s.strip()]
        else:
            data[name] = (value or "").strip()
    for f in spec.declaration.fields:
        if f.type == declare.PHOTO:
            data[f.name] = None  # set by the view from the upload, kept or removed
    return data


def data_to_form(spec: KindSpec, data: dict[str, Any]) -> dict[str, Any]:
    """Initial form values for editing stored ``data``."""
    values: dict[str, Any] = {}
    for name, ftype in spec.fields:
        value = data.get(name)
        if ftype == DATE:
            try:
                values[name] = date.fromisoformat(str(value)[:10]) if value else None
            except ValueError:
                values[name] = None
        elif ftype == LINES:
            values[name] = "\n".join(str(v) for v in value or [])
        else:
            values[name] = "" if value is None else str(value)
    return values


def summary(kind: str, data: Mapping[str, Any]) -> str:
    """One line under the title in lists: the facts a villager would ask about first
    (the declaration's ``summary``)."""
    declared = DECLARED.get(kind)
    if declared is None:
        return ""
    if callable(declared.summary):
        parts: list[Any] = list(declared.summary(data))
    else:
        parts = [_summary_part(declared, entry, data) for entry in declared.summary]
    return " · ".join(str(p) for p in parts if p)


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _summary_part(declared: KindDeclaration, entry: str, data: Mapping[str, Any]) -> str:
    names = _PLACEHOLDER.findall(entry)
    if not names:
        return str(data.get(entry) or "")
    if not data.get(names[0]):
        return ""
    return translate(entry, declared.en, **{n: data.get(n) or "" for n in names})


def text_for_glyph_check(data: dict[str, Any]) -> str:
    """All the text of an item that will be drawn on screen."""
    parts = []
    for key, value in data.items():
        if key in ("photo", "recording", "video", "type"):
            continue
        if isinstance(value, list):
            parts.extend(str(v) for v in value)
        elif value:
            parts.append(str(value))
    return "".join(parts)
