"""The intake form, generated from the ledger's declaration (renderer.kinds.requests): its
fields, labels, help, limits and choices are read from there, never repeated here. What is
typed is checked by ``intake.clean_intake`` (the declaration's ``clean_item``), the same
check the API, the SMS intake and the import use; a form additionally insists on the fields
the declaration marks ``required_message`` (a person at a desk can ask the resident)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale, gettext
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Township, Village
from publisher.services.errors import FieldError
from renderer.declare import CHOICE, DATE, LONG, PHONE
from renderer.kinds import declaration

KIND = "requests"


@dataclass(frozen=True)
class InputSpec:
    """What the template needs to draw one input."""

    name: str
    label: str
    widget: str  # select | textarea | date | tel | text
    limit: int
    asked: bool
    choices: tuple[str, ...]
    suggestions: tuple[str, ...]
    help: str
    placeholder: str


def word(text: str) -> str:
    """A declared Chinese text in the page's language: the catalogue's translation, else
    the declaration's own English (``en``) on an English page, else as declared."""
    if not text:
        return text
    translated = gettext(text)
    if translated != text or str(get_locale()) != "en":
        return translated
    return declaration(KIND).en.get(text, text)


def _widget(field_type: str) -> str:
    return {CHOICE: "select", LONG: "textarea", DATE: "date", PHONE: "tel"}.get(field_type, "text")


def inputs(township: Township, *, skip: tuple[str, ...] = ()) -> list[InputSpec]:
    """The form's inputs in the declaration's order; ``suggestions="villages"`` becomes the
    township's village names."""
    villages: tuple[str, ...] | None = None
    specs = []
    for field in declaration(KIND).fields:
        if field.name in skip:
            continue
        suggestions = field.suggestions
        if suggestions == "villages":
            if villages is None:
                villages = tuple(db.session.scalars(select(Village.name).where(
                    Village.township_id == township.id).order_by(Village.name)))
            suggestions = villages
        specs.append(InputSpec(field.name, word(field.label), _widget(field.type), field.limit,
                               field.asked, tuple(field.choices), tuple(suggestions or ()),
                               word(field.help), word(field.placeholder)))
    return specs


def submitted(form: Mapping[str, Any]) -> dict[str, str]:
    """The declared fields of a posted form (anything else is ignored: the CSRF token …)."""
    return {f.name: form.get(f.name, "") for f in declaration(KIND).fields}


def insist(data: Mapping[str, Any], *, skip: tuple[str, ...] = ()) -> None:
    """FieldError for the first field the form insists on that was left empty."""
    for field in declaration(KIND).fields:
        if field.name in skip or not field.required_message:
            continue
        if not str(data.get(field.name) or "").strip():
            raise FieldError(field.name, field.required_message)
