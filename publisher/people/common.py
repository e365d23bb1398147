"""What the people and organisation pages share: role checks, township scoping, forms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any, TypeVar

from flask import abort, flash, redirect, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Role, Township, row_id
from publisher.services.errors import NotAllowed, ServiceError
from publisher.services.org import FieldError

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M")

STAFF = (Role.EDITOR, Role.REVIEWER)  # admins pass every check too (User.can)


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Log in first; then 403 unless the user has one of ``roles`` (or is an admin)."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.can(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


admin_required = roles_required()  # no extra roles: administrators only


def county_admin_required(view: F) -> F:
    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_county_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def township_of(obj: Any) -> int | None:
    return obj.id if isinstance(obj, Township) else getattr(obj, "township_id", None)


def scoped_or_404(model: type[M], obj_id: int) -> M:
    """The object, or 404 when it does not exist or belongs to another township.

    404 rather than 403: staff of one township must not even learn what ids exist in another.
    """
    obj = db.session.get(model, obj_id)
    if obj is None:
        abort(404)
    if not current_user.is_county_admin and township_of(obj) != current_user.township_id:
        abort(404)
    return obj


def townships() -> list[Township]:
    return list(db.session.scalars(select(Township).order_by(Township.name)))


def selected_township() -> Township:
    """The township a page works on: the user's own, or the one a county admin picked."""
    wanted = request.values.get("township_id", type=row_id)
    if not current_user.is_county_admin:
        if current_user.township is None:
            abort(403)
        if wanted not in (None, current_user.township_id):
            abort(404)  # another township's page: as if it did not exist
        return current_user.township
    wanted = wanted or session.get("township_id")
    township = db.session.get(Township, wanted) if wanted else None
    township = township or db.session.scalar(select(Township).order_by(Township.name).limit(1))
    if township is None:
        abort(404)
    session["township_id"] = township.id
    return township


def parse_day(value: str | None, default: date) -> date:
    """A ``YYYY-MM-DD`` query parameter, or ``default`` when absent or malformed."""
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


class FormErrors(dict[str, str]):
    """Field name → message, filled from a FieldError; ``general`` holds the rest."""

    def take(self, exc: ServiceError) -> None:
        if isinstance(exc, NotAllowed):
            abort(403)
        if isinstance(exc, FieldError):
            self[exc.field] = str(exc)
        else:
            self["general"] = str(exc)


def done(message: str, target: str):  # noqa: ANN201
    """Flash a success message and redirect (POST → redirect → GET)."""
    flash(message, "success")
    return redirect(target, code=303)


def refused(exc: ServiceError, target: str):  # noqa: ANN201
    """Flash a refused action's message and redirect back."""
    if isinstance(exc, NotAllowed):
        abort(403)
    flash(str(exc), "error")
    return redirect(target, code=303)


def form_dict() -> dict[str, Any]:
    """The posted form as a dict; multi-valued fields (``*_ids``) stay lists."""
    data: dict[str, Any] = {}
    for key in request.form:
        data[key] = request.form.getlist(key) if key.endswith("_ids") else request.form[key]
    return data


def no_township_message() -> str:
    return _("请先在“组织机构”中创建乡镇。")
