"""Input cleaning shared by the organisation, cadre and import services.

The ``clean_*`` functions are pure: they take the raw strings of a form, an API body or a
spreadsheet row and return typed values, or raise :class:`FieldError` naming the field, so
every door reports a problem the same way and next to the right input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from publisher.extensions import db
from publisher.models import Township, User
from publisher.services import audit
from publisher.services.errors import FieldError

__all__ = ["FieldError", "flag", "integer", "record", "save_audited", "text"]


def text(raw: Mapping[str, Any], field: str, limit: int, required: bool = False) -> str:
    """A stripped string of at most ``limit`` characters."""
    value = raw.get(field)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise FieldError(field, _("此项必须填写。"))
    if len(value) > limit:
        raise FieldError(field, _("不能超过 %(n)d 个字。", n=limit))
    return value


def flag(raw: Mapping[str, Any], field: str, default: bool = False) -> bool:
    """A checkbox or yes/no cell: 1/true/on/yes/是 mean yes."""
    value = raw.get(field, default)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes", "y", "是")
    return bool(value)


def integer(raw: Mapping[str, Any], field: str, lo: int, hi: int, default: int) -> int:
    """A whole number in ``lo``..``hi``; empty gives ``default``."""
    value = raw.get(field)
    if value is None or str(value).strip() == "":
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        raise FieldError(field, _("请填写整数。")) from None
    if not lo <= number <= hi:
        raise FieldError(field, _("应在 %(lo)d 到 %(hi)d 之间。", lo=lo, hi=hi))
    return number


def save_audited(actor: User, obj: Any, fields: Mapping[str, Any], *, kind: str,
                 township_id: int | None, summary: str, commit: bool = True) -> None:
    """Set ``fields`` on ``obj`` (new when it has no id yet), audit what changed, commit."""
    creating = obj.id is None
    before = {} if creating else {k: getattr(obj, k) for k in fields}
    for key, value in fields.items():
        setattr(obj, key, value)
    db.session.add(obj)
    db.session.flush()
    old, new = audit.changed_fields(before, dict(fields))
    audit.record("create" if creating else "edit", actor=actor,
                 township_id=obj.id if isinstance(obj, Township) else township_id,
                 target_type=kind, target_id=obj.id, summary=summary,
                 before=None if creating else old, after=new)
    if commit:
        db.session.commit()


def record(action: str, actor: User, obj: Any, *, kind: str, summary: str,
           township_id: int | None) -> None:
    """Audit a one-off action on ``obj`` (no field values)."""
    audit.record(action, actor=actor, township_id=township_id, target_type=kind,
                 target_id=obj.id, summary=summary)
