"""Showing what changed between two versions (or in an audit event), field by field.

Chinese has no spaces, so text is compared character by character.
"""

from __future__ import annotations

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


def segments(old: str, new: str) -> tuple[Segment, ...]:
    """Character-level inline diff of ``old`` → ``new``."""
    out: list[Segment] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
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


def field_diffs(
    old: dict[str, Any] | None, new: dict[str, Any] | None, *, only_changed: bool = False
) -> list[FieldDiff]:
    """One entry per field present on either side, in the order the fields first appear."""
    before, after = flatten(old), flatten(new)
    keys = list(dict.fromkeys([*before, *after]))
    diffs = []
    for key in keys:
        a, b = as_text(before.get(key)), as_text(after.get(key))
        if only_changed and a == b:
            continue
        diffs.append(FieldDiff(key, a, b, segments(a, b)))
    return diffs
