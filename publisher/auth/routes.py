from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from publisher.auth.forms import LoginForm
from publisher.extensions import db, login_manager
from publisher.models import User, utcnow
from publisher.services import audit

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdecimal() else None


@login_manager.request_loader
def load_user_from_token(req) -> User | None:  # noqa: ANN001
    """``Authorization: Bearer <token>`` for the JSON API (tokens are stored hashed)."""
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not req.path.startswith("/api/"):
        return None
    digest = hashlib.sha256(header[7:].strip().encode()).hexdigest()
    user = db.session.scalar(select(User).where(User.api_token_hash == digest))
    return user if user is not None and user.active else None


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths: never redirect to another host after login.
    if not target or urlsplit(target).netloc or not target.startswith("/"):
        return "/"
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():  # noqa: ANN201
    if current_user.is_authenticated:
        return redirect("/")
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
        if user is None or not user.active or not user.check_password(form.password.data):
            flash(_("用户名或密码错误。"), "error")
            return render_template("auth/login.html", form=form), 200
        login_user(user, remember=form.remember.data)
        user.last_login_at = utcnow()
        audit.record("login", actor=user, township_id=user.township_id, target_type="user",
                     target_id=user.id, summary=user.username)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():  # noqa: ANN201
    logout_user()
    flash(_("您已退出登录。"), "info")
    return redirect("/login")
