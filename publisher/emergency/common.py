"""Small helpers shared by the emergency views."""

from __future__ import annotations

from typing import TypeVar

from flask import abort, request
from flask_login import current_user
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Township, Village
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


def township_id() -> int:
    """The township the user works on (county admins: ?township=, else the first)."""
    if current_user.township_id is not None:
        return current_user.township_id
    wanted = request.args.get("township", type=int)
    if wanted and db.session.get(Township, wanted):
        return wanted
    first = db.session.scalar(select(Township.id).order_by(Township.id))
    if first is None:
        abort(404)
    return first


def village_choices() -> list[tuple[int, str]]:
    villages = db.session.scalars(
        scoped(select(Village), current_user, Village.township_id).order_by(Village.name))
    return [(v.id, v.name) for v in villages]
