"""Who may open which admin page, and township scoping of everything a URL names.

Everyone but a county administrator sees only their own township: an item of another
township answers 404, exactly like an item that does not exist, so ids leak nothing.
Cadres have no business in the admin and are sent to their check-in page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, redirect, request
from flask_login import current_user
from sqlalchemy import select

from playlists.timezones import zone
from publisher.extensions import db
from publisher.models import ContentItem, Role, Township, row_id
from publisher.services.scope import scoped
from renderer.kinds import reviewed_kinds

# The kinds this admin edits: the reviewed ones declared in renderer.kinds (public alerts
# belong to the emergency pages, the boards are made from records).
CONTENT_KINDS = tuple(d.name for d in reviewed_kinds())
CHECKIN_URL = "/checkin"


def staff_only(*roles: Role) -> Callable:
    """Require a logged-in staff member, optionally with one of ``roles`` (admins pass)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if current_user.role == Role.CADRE:
                if request.method == "GET":
                    return redirect(CHECKIN_URL)
                abort(403)
            if roles and not current_user.can(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def may_see(township_id: int | None) -> bool:
    return current_user.is_county_admin or (
        township_id is not None and township_id == current_user.township_id
    )


def check_kind(kind: str) -> str:
    if kind not in CONTENT_KINDS:
        abort(404)
    return kind


def load_item(kind: str, item_id: int) -> ContentItem:
    """The item ``item_id`` of ``kind`` if this user may see it, else 404."""
    check_kind(kind)
    item = db.session.get(ContentItem, item_id)
    if item is None or item.kind != kind or not may_see(item.township_id):
        abort(404)
    return item


def visible_townships() -> list[Township]:
    query = scoped(select(Township).order_by(Township.id), current_user, Township.id)
    return list(db.session.scalars(query))


def township_for_new(requested: str | None) -> Township | None:
    """The township new content goes to: the user's own, or the one a county admin picked."""
    if not current_user.is_county_admin:
        return current_user.township
    if requested and requested.isdecimal() and row_id(requested) is not None:
        return db.session.get(Township, int(requested))
    return None


def user_zone():  # noqa: ANN201
    """The time zone to show times in: the user's township's, else the channel default."""
    township = current_user.township if current_user.is_authenticated else None
    if township is not None:
        return zone(township.timezone)
    return zone(current_app.config.get("CHANNEL_TIMEZONE"))


def is_editor() -> bool:
    return current_user.can(Role.EDITOR)


def is_reviewer() -> bool:
    return current_user.can(Role.REVIEWER)
