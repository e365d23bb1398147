"""Small helpers shared by the emergency views."""

from __future__ import annotations

from typing import TypeVar

from flask import abort, current_app, flash, request
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Township, Village, row_id
from publisher.services.errors import FieldError, ServiceError
from publisher.services.scope import scoped

M = TypeVar("M")


def scoped_get(model: type[M], ident: int) -> M:
    """A row of the user's township, else 404 (not 403: do not confirm it exists)."""
    row = db.session.get(model, ident)
    if row is None:
        abort(404)
    if not current_user.is_county_admin and row.township_id != current_user.township_id:
        abort(404)
    return row


def _current_township_id() -> int | None:
    if not current_user.is_authenticated:
        return None
    if current_user.township_id is not None:
        return current_user.township_id
    wanted = request.args.get("township", type=row_id)
    if wanted and db.session.get(Township, wanted):
        return wanted
    return db.session.scalar(select(Township.id).order_by(Township.id))


def township_id() -> int:
    """The township the user works on (county admins: ?township=, else the first)."""
    found = _current_township_id()
    if found is None:
        abort(404)
    return found


def township_zone() -> str:
    """The time zone of the township the user works on: pages show times in it and times
    typed into forms mean it (the channel default when there is no township)."""
    found = _current_township_id()
    township = db.session.get(Township, found) if found is not None else None
    return (township.timezone if township else "") or current_app.config["CHANNEL_TIMEZONE"]


def village_choices() -> list[tuple[int, str]]:
    villages = db.session.scalars(
        scoped(select(Village), current_user, Village.township_id).order_by(Village.name))
    return [(v.id, v.name) for v in villages]


def show_error(form: FlaskForm, exc: ServiceError) -> None:
    """A refused save: next to the field it names if the form has it, else as a banner."""
    field = form._fields.get(exc.field) if isinstance(exc, FieldError) else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
    else:
        flash(str(exc), "error")
