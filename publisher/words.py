"""The words of the content kinds, in the reader's language (any layer of the publisher).

A kind's labels, help and messages are declared once, in Chinese, in its module of
``renderer.kinds``. They are looked up in the catalogue like any other string; a word the
catalogue does not have yet (a kind added since the catalogue was last updated) falls back
to the English the declaration carries, so adding a kind needs no edit to the shared .po.
Outside a request (jobs, CLI) text is in the default language, Chinese.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import has_request_context
from flask_babel import LazyString, get_locale, gettext

from renderer.kinds import KINDS


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


def kind_word(kind: str) -> LazyString:
    """:func:`kind_label`, lazily (for tables built at import)."""
    return LazyString(kind_label, kind)
