"""Field labels per content kind: the detail, version and review pages say what the form says.

A policy's ``title`` is 政策名称 on its form and must not turn into a generic 标题 on the
pages that show it; the labels are read from the form classes so the two cannot drift.
Keys a form does not have (state, note …) fall back to the shared ``FIELD_LABELS``.
"""

from __future__ import annotations

from typing import Any

from wtforms.fields.core import UnboundField

from publisher.admin import bp
from publisher.admin.kinds import FIELD_LABELS, KINDS


def form_labels(form: type) -> dict[str, Any]:
    """Field name → label (a lazy string) of a form class, from its declared fields."""
    labels: dict[str, Any] = {}
    for name in dir(form):
        field = getattr(form, name, None)
        if not isinstance(field, UnboundField):
            continue
        label = field.kwargs.get("label", field.args[0] if field.args else None)
        if label is not None:
            labels[name] = label
    return labels


KIND_FIELD_LABELS: dict[str, dict[str, Any]] = {
    kind: {**FIELD_LABELS, **form_labels(spec.form)} for kind, spec in KINDS.items()
}


def kind_field_label(kind: str | None, key: str) -> str:
    """The label of ``key`` as the form of ``kind`` shows it (shared labels otherwise)."""
    return str(KIND_FIELD_LABELS.get(kind or "", FIELD_LABELS).get(key, key))


@bp.app_context_processor
def label_globals() -> dict[str, Any]:
    return {"kind_field_label": kind_field_label}
