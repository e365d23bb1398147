"""The words of the content kinds, in the reader's language.

A kind's labels, help and messages are declared once, in Chinese, in its module of
``renderer.kinds``. They are looked up in the catalogue like any admin string; a word the
catalogue does not have yet (a kind added since the catalogue was last updated) falls back
to the English the declaration carries, so adding a kind needs no edit to the shared .po.

Field labels per kind: the detail, version and review pages say what the form says (a
policy's ``title`` is 政策名称 there too); keys a kind does not declare (state, note …) fall
back to the shared ``FIELD_LABELS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import has_request_context
from flask_babel import LazyString, get_locale, gettext

from publisher.admin import bp
from renderer.declare import KindDeclaration
from renderer.kinds import KINDS, reviewed_kinds


def translate(text: str, en: Mapping[str, str] | None = None, **values: Any) -> str:
    """``text`` from the catalogue, else from ``en`` when the reader reads English.

    ``values`` fill ``%(name)s`` placeholders (after translation, as ``gettext`` does)."""
    if not text:
        return ""
    translated = gettext(text)
    if translated == text and en and text in en and _reads_english():
        translated = en[text]
    return translated % values if values else translated


def word(text: str, en: Mapping[str, str] | None = None, **values: Any) -> LazyString:
    """:func:`translate`, when the string is shown (form classes are built at import)."""
    return LazyString(translate, text, en, **values)


def _reads_english() -> bool:
    locale = get_locale() if has_request_context() else None
    return locale is not None and locale.language == "en"


def kind_label(kind: str) -> str:
    """The one word for a kind (惠农政策), in the reader's language; unknown kinds as given."""
    declared = KINDS.get(kind)
    return translate(declared.label, declared.en) if declared else kind


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
