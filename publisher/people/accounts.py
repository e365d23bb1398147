"""Staff accounts: create, edit role, reset password, API token, deactivate.

A temporary password or API token is shown once, on the page that made it, and never
stored in the clear (the session does not carry it either). A temporary password only
lets its holder choose a new one (``publisher.auth``), so the administrator who saw it
cannot go on using the account.
"""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Role, User
from publisher.people import org_bp as bp
from publisher.people.common import (
    FormErrors,
    admin_required,
    done,
    refused,
    scoped_or_404,
    townships,
)
from publisher.services import org as service
from publisher.services.errors import ServiceError

ROLE_LABELS = {"admin": "管理员", "editor": "编辑（宣传委员）", "reviewer": "审核人（分管领导）",
               "cadre": "乡干部"}


@bp.route("/users")
@admin_required
def user_list():  # noqa: ANN201
    query = select(User).order_by(User.township_id, User.role, User.username)
    if not current_user.is_county_admin:
        query = query.where(User.township_id == current_user.township_id)
    return render_template("people/org/users.html", users=list(db.session.scalars(query)),
                           roles=ROLE_LABELS)


def _township_choice() -> int | None:
    if not current_user.is_county_admin:
        return current_user.township_id
    return request.form.get("township_id", type=int)


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def user_edit(user_id: int | None = None):  # noqa: ANN201
    user = scoped_or_404(User, user_id) if user_id else None
    errors, status = FormErrors(), 200
    values = ({"display_name": user.display_name, "role": user.role} if user
              else {"role": Role.EDITOR, "township_id": current_user.township_id})
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            fields = service.clean_user(values, new=user is None)
            if user is None:
                saved = service.create_user(current_user, _township_choice(), fields)
            else:
                saved = service.update_user(current_user, user, fields)
            return done(_("已保存账号“%(u)s”。", u=saved.username), "/org/users")
        except ServiceError as exc:
            db.session.rollback()
            errors.take(exc)
            status = 400
    return render_template("people/org/user_form.html", user=user, values=values, errors=errors,
                           roles=ROLE_LABELS, townships=townships()), status


def _secret(user: User, make, label: str):  # noqa: ANN001, ANN202
    try:
        secret = make(current_user, user)
    except ServiceError as exc:
        db.session.rollback()
        return refused(exc, "/org/users")
    # Rendered straight from the POST, so the secret never sits in a session or a URL.
    response = render_template("people/org/secret.html", user=user, secret=secret, label=label)
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@admin_required
def user_password(user_id: int):  # noqa: ANN201
    return _secret(scoped_or_404(User, user_id), service.reset_password, _("临时密码"))


@bp.route("/users/<int:user_id>/token", methods=["POST"])
@admin_required
def user_token(user_id: int):  # noqa: ANN201
    return _secret(scoped_or_404(User, user_id), service.issue_token, _("API 令牌"))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_required
def user_active(user_id: int):  # noqa: ANN201
    user = scoped_or_404(User, user_id)
    active = request.form.get("active") == "1"
    try:
        service.set_user_active(current_user, user, active)
    except ServiceError as exc:
        db.session.rollback()
        return refused(exc, "/org/users")
    if active:
        return done(_("已启用账号“%(u)s”。", u=user.username), "/org/users")
    return done(_("已停用账号“%(u)s”，该账号不能再登录或使用 API。", u=user.username), "/org/users")
