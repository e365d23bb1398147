"""The words of the content kinds on the admin's pages (translation: ``publisher.words``).

Field labels per kind: the detail, version and review pages say what the form says (a
policy's ``title`` is 政策名称 there too); keys a kind does not declare (state, note …) fall
back to the shared ``FIELD_LABELS``.
"""

from __future__ import annotations

from typing import Any

from publisher.admin import bp
from publisher.words import kind_label, translate, word
from renderer.declare import KindDeclaration
from renderer.kinds import KINDS, reviewed_kinds

__all__ = ["field_label", "kind_field_label", "kind_label", "translate", "word"]


def field_label(declared: KindDeclaration, name: str) -> str:
    return translate(declared.field(name).label, declared.en)


def kind_field_label(kind: str | None, key: str) -> str:
    """The label of ``key`` as the kind declares it (shared labels otherwise)."""
    from publisher.admin.kinds import FIELD_LABELS

    declared = KINDS.get(kind or "")
    if declared is not None and key in declared.field_names():
        return field_label(declared, key)
    return str(FIELD_LABELS.get(key, key))


@bp.app_context_processor
def label_globals() -> dict[str, Any]:
    return {
        "kind_field_label": kind_field_label,
        "kind_word": kind_label,
        "translate_declared": translate,
        "content_kinds": reviewed_kinds(),
    }
