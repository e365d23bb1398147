"""Staff accounts: create, change role, reset password, API token, deactivate."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Role, User
from publisher.services.errors import ServiceError
from publisher.services.org.common import FieldError, record, save_audited, text
from publisher.services.org.places import admin_only, county_only, township_for
from publisher.services.passwords import check_password
from publisher.services.scope import ensure_township

ROLES = tuple(r.value for r in Role)
_USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{3,64}$")


def clean_user(raw: Mapping[str, Any], *, new: bool) -> dict[str, Any]:
    """Display name and role; for a new account also username and initial password."""
    fields: dict[str, Any] = {"display_name": text(raw, "display_name", 64, required=True)}
    role = text(raw, "role", 16) or Role.EDITOR
    if role not in ROLES:
        raise FieldError("role", _("未知的角色。"))
    fields["role"] = role
    if new:
        username = text(raw, "username", 64, required=True)
        if not _USERNAME.match(username):
            raise FieldError("username", _("用户名只能用字母、数字、“_”“.”“-”，3 到 64 位。"))
        password = str(raw.get("password") or "")
        check_password(password, username)
        fields.update(username=username, password=password)
    return fields


def create_user(actor: User, township_id: int | None, fields: dict[str, Any]) -> User:
    """A new account. Only the county administrator may create accounts without a township."""
    admin_only(actor)
    if township_id is None:
        county_only(actor)
        if fields["role"] != Role.ADMIN:
            raise FieldError("township_id", _("请选择乡镇（只有县级管理员可以不属于乡镇）。"))
    else:  # the actor's own township, or one that exists for the county administrator
        township_id = township_for(actor, township_id).id
    if db.session.scalar(select(User).where(User.username == fields["username"])):
        raise FieldError("username", _("用户名已被使用。"))
    user = User(username=fields["username"], township_id=township_id)
    # The administrator knows this password: the user replaces it at first login.
    user.set_password(fields["password"], must_change=True)
    save_audited(actor, user, {"display_name": fields["display_name"], "role": fields["role"]},
                 kind="user", township_id=township_id, summary=fields["username"])
    return user


def _check(actor: User, user: User) -> None:
    admin_only(actor)
    if user.township_id is None:
        county_only(actor)
    else:
        ensure_township(actor, user.township_id)


def update_user(actor: User, user: User, fields: dict[str, Any]) -> User:
    """Change display name and role (an administrator cannot change their own role)."""
    _check(actor, user)
    if user.id == actor.id and fields["role"] != user.role:
        raise FieldError("role", _("不能修改自己的角色。"))
    if user.township_id is None and fields["role"] != Role.ADMIN:
        raise FieldError("role", _("县级账号只能是管理员。"))
    save_audited(actor, user, {"display_name": fields["display_name"], "role": fields["role"]},
                 kind="user", township_id=user.township_id, summary=user.username)
    return user


def reset_password(actor: User, user: User) -> str:
    """Give ``user`` a one-time password and return it (shown to the administrator once).

    It ends the user's sessions and opens only the page where they choose their own
    password, so the administrator cannot go on using the account with it.
    """
    _check(actor, user)
    password = secrets.token_urlsafe(9)  # 12 characters: short enough to read out by phone
    user.set_password(password, must_change=True)
    record("reset_password", actor, user, kind="user", summary=user.username,
           township_id=user.township_id)
    db.session.commit()
    return password


def issue_token(actor: User, user: User) -> str:
    """A new API token for ``user`` (the previous one stops working). Shown once."""
    if actor.id != user.id:
        _check(actor, user)
    token = user.issue_api_token()
    record("issue_token", actor, user, kind="user", summary=user.username,
           township_id=user.township_id)
    db.session.commit()
    return token


def set_user_active(actor: User, user: User, active: bool) -> None:
    """Deactivate or reactivate an account; inactive accounts cannot log in or use the API."""
    _check(actor, user)
    if user.id == actor.id and not active:
        raise ServiceError(_("不能停用自己的账号。"))
    user.active = active
    if not active:  # its browsers and its API token stop working at once
        user.revoke_sessions()
        user.api_token_hash = ""
    record("activate" if active else "deactivate", actor, user, kind="user",
           summary=user.username, township_id=user.township_id)
    db.session.commit()
