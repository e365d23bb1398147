"""Showing what changed between two versions (or in an audit event), field by field.

Chinese has no spaces, so text is compared character by character.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

Segment = tuple[str, str]  # (op, text): op is "same", "del" or "add"


@dataclass(frozen=True)
class FieldDiff:
    key: str
    old: str
    new: str
    segments: tuple[Segment, ...]

    @property
    def changed(self) -> bool:
        return self.old != self.new


def as_text(value: Any) -> str:
    """A stored value as the text staff would read (lists one entry per line)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "\n".join(f"{i}. {as_text(v)}" for i, v in enumerate(value, 1))
    if isinstance(value, dict):
        return "\n".join(f"{k}: {as_text(v)}" for k, v in value.items())
    return str(value)


# A short value whose change touches a number (an amount, a date, a phone number) is shown
# whole: "每亩 1<del>05.6</del><ins>10.5</ins> 元" is harder to read than old and new side by
# side. So is a short value mostly rewritten. Other changes, short or long,
# show the characters that changed (a title's 通知 → 公告).
WHOLE_VALUE = 24


def _whole(old: str, new: str, matcher: SequenceMatcher) -> bool:
    if old == new or max(len(old), len(new)) > WHOLE_VALUE:
        return False
    if matcher.ratio() < 0.7:  # more rewritten than kept (张家村 → 李家沟村)
        return True
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op != "equal" and any(c.isdigit() for c in old[max(a1 - 1, 0):a2 + 1]
                                 + new[max(b1 - 1, 0):b2 + 1]):
            return True
    return False


def segments(old: str, new: str) -> tuple[Segment, ...]:
    """Inline diff of ``old`` → ``new``: by character, or whole values (see ``_whole``)."""
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    if _whole(old, new, matcher):
        return tuple(seg for seg in (("del", old), ("add", new)) if seg[1])
    out: list[Segment] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(("same", old[a1:a2]))
            continue
        if a2 > a1:
            out.append(("del", old[a1:a2]))
        if b2 > b1:
            out.append(("add", new[b1:b2]))
    return tuple(out)


def flatten(record: dict[str, Any] | None, prefix: str = "") -> dict[str, Any]:
    """``{"data": {"title": …}}`` → ``{"title": …}``: nested item data shown as fields."""
    flat: dict[str, Any] = {}
    for key, value in (record or {}).items():
        if key == "type":
            continue
        if isinstance(value, dict) and key == "data":
            flat.update(flatten(value, prefix))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


# Files whose names mean nothing to a reader: a diff says whether there is one and whether
# it was replaced, not which random name it has.
RECORDING = "recording"


def recording_texts(old: Any, new: Any) -> tuple[str, str]:
    """How a recorded announcement's change reads: 录音已更换, 已添加录音, 已删除录音."""
    if old == new:
        return ("有录音", "有录音") if old else ("", "")
    if old and new:
        return "原录音", "录音已更换"
    return ("有录音", "已删除录音") if old else ("", "已添加录音")


def field_diffs(
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    *,
    only_changed: bool = False,
    show: Callable[[str, Any], str] | None = None,
) -> list[FieldDiff]:
    """One entry per field present on either side, in the order the fields first appear.

    ``show(key, value)`` may render a value for people (a state code as its label …).
    """
    before, after = flatten(old), flatten(new)
    keys = list(dict.fromkeys([*before, *after]))
    show = show or (lambda _key, value: as_text(value))
    diffs = []
    for key in keys:
        if key == RECORDING:
            a, b = recording_texts(before.get(key), after.get(key))
        else:
            a, b = show(key, before.get(key)), show(key, after.get(key))
        if only_changed and a == b:
            continue
        diffs.append(FieldDiff(key, a, b, segments(a, b)))
    return diffs
