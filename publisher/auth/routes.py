from __future__ import annotations

import hashlib
import hmac
import logging
import math
from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from publisher.auth import throttle
from publisher.auth.forms import LoginForm, PasswordChangeForm
from publisher.extensions import db, login_manager
from publisher.models import User, utcnow
from publisher.services import audit
from publisher.services.errors import FieldError
from publisher.services.passwords import check_password

bp = Blueprint("auth", __name__)
log = logging.getLogger("publisher.auth")
PASSWORD_PAGE = "/account/password"
# What a page may still do while its account must first choose its own password.
_OPEN_WHILE_FORCED = {"auth.change_password", "auth.logout", "auth.login", "static"}
_dummy_hash: list[str] = []


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session's and the remember-me cookie's ``<id>.<session key>``: a cookie made
    before the account's key changed (logout, password change or reset, deactivation)
    finds nobody."""
    user_id, _dot, key = session_id.partition(".")
    if not user_id.isdecimal() or not key:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not hmac.compare_digest(user.session_key.encode(), key.encode()):
        return None
    return user


@login_manager.request_loader
def load_user_from_token(req) -> User | None:  # noqa: ANN001
    """``Authorization: Bearer <token>`` for the JSON API (tokens are stored hashed)."""
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not req.path.startswith("/api/"):
        return None
    digest = hashlib.sha256(header[7:].strip().encode()).hexdigest()
    user = db.session.scalar(select(User).where(User.api_token_hash == digest))
    return user if user is not None and user.active else None


@bp.before_app_request
def _own_password_first():  # noqa: ANN202
    """An account whose password someone else chose can only choose its own (or log out)."""
    if not request.cookies and "Authorization" not in request.headers:
        return None  # anonymous (a player fetching segments): no user to load
    if (not current_user.is_authenticated or not current_user.must_change_password
            or request.endpoint in _OPEN_WHILE_FORCED
            or (request.endpoint or "").endswith(".static")):
        return None
    if request.path.startswith("/api/"):
        message = _("请先登录网页修改临时密码，再使用接口。")
        return jsonify({"error": {"code": "password_change_required", "message": message}}), 403
    return redirect(PASSWORD_PAGE)


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths: never redirect to another host after login.
    if not target or urlsplit(target).netloc or not target.startswith("/"):
        return "/"
    return target


def _password_matches(user: User | None, password: str) -> bool:
    """Check the password; an unknown account costs the same hashing time, so the answer's
    timing does not tell which usernames exist."""
    if user is None:
        if not _dummy_hash:
            _dummy_hash.append(generate_password_hash("not-a-password"))
        check_password_hash(_dummy_hash[0], password)
        return False
    return user.check_password(password)


def _minutes(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds() / 60))


def _locked_page(form: LoginForm, wait: timedelta):  # noqa: ANN202
    flash(_("登录失败次数过多，已暂时锁定。请 %(m)d 分钟后再试；忘记密码请联系管理员重置。",
            m=_minutes(wait)), "error")
    headers = {"Retry-After": str(math.ceil(wait.total_seconds()))}
    return render_template("auth/login.html", form=form, demo=_demo_accounts()), 429, headers


def _refusal(action: str, user: User | None, note: str, *, audited: bool = True) -> None:
    """Log (and audit) a refused login: the account if it exists (an unknown name is not
    written down: it may be a password typed into the wrong field), never the password."""
    named = user.username if user is not None else "?"
    if audited:
        audit.record(action, actor=None, township_id=user.township_id if user else None,
                     target_type="user", target_id=user.id if user else "",
                     summary=f"{named} {note}")
    log.warning("%s: account %s from %s (%s)", action, named, request.remote_addr or "", note)


def _demo_accounts() -> list[str]:
    """Active accounts that still have the seeded, publicly known demo password."""
    return list(db.session.scalars(select(User.username).where(
        User.demo_password.is_(True), User.active.is_(True)).order_by(User.username)))


@bp.route("/login", methods=["GET", "POST"])
def login():  # noqa: ANN201
    if current_user.is_authenticated:
        return redirect("/")
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        addr, now = request.remote_addr or "", utcnow()
        user = db.session.scalar(select(User).where(User.username == username))
        wait = throttle.lockout(username, addr, now)
        if wait is not None:
            # The lock was audited when it began; each try while it lasts goes to the app
            # log only, so hammering cannot flood the append-only audit table.
            _refusal("login_locked", user, f"锁定中，剩余 {_minutes(wait)} 分钟", audited=False)
            return _locked_page(form, wait)
        if not _password_matches(user, form.password.data) or not user.active:
            throttle.record_failure(username, addr, now)
            _refusal("login_failed", user,
                     "账号已停用" if user is not None and not user.active else "密码错误")
            wait = throttle.lockout(username, addr, now)
            if wait is not None:
                _refusal("login_locked", user, f"锁定 {_minutes(wait)} 分钟")
            db.session.commit()
            if wait is not None:
                return _locked_page(form, wait)
            flash(_("用户名或密码错误。"), "error")
            return render_template("auth/login.html", form=form, demo=_demo_accounts()), 200
        throttle.forget(username, addr)
        login_user(user, remember=form.remember.data)
        user.last_login_at = now
        audit.record("login", actor=user, township_id=user.township_id, target_type="user",
                     target_id=user.id, summary=user.username)
        db.session.commit()
        if user.must_change_password:
            return redirect(PASSWORD_PAGE)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, demo=_demo_accounts())


@bp.route("/logout", methods=["POST"])
@login_required
def logout():  # noqa: ANN201
    # A new session key: this session and any copy of its cookies (remember-me included)
    # stop working here and on every other device of the account.
    user = current_user._get_current_object()
    user.revoke_sessions()
    audit.record("logout", actor=user, township_id=user.township_id, target_type="user",
                 target_id=user.id, summary=user.username)
    db.session.commit()
    logout_user()
    flash(_("您已退出登录。"), "info")
    return redirect("/login")


@bp.route(PASSWORD_PAGE, methods=["GET", "POST"])
@login_required
def change_password():  # noqa: ANN201
    """The account's own password: the current one first, then a new one by the policy."""
    user = current_user._get_current_object()
    form = PasswordChangeForm()
    status = 200
    if form.validate_on_submit():
        addr, now = request.remote_addr or "", utcnow()
        wait = throttle.lockout(user.username, addr, now)
        try:
            if wait is not None:
                raise FieldError("current_password", _(
                    "密码错误次数过多，请 %(m)d 分钟后再试。", m=_minutes(wait)))
            if not user.check_password(form.current_password.data):
                # Counted as a failed login: a borrowed session cannot guess the password.
                throttle.record_failure(user.username, addr, now)
                _refusal("login_failed", user, "修改密码时当前密码错误")
                db.session.commit()
                raise FieldError("current_password", _("当前密码不正确。"))
            if form.new_password.data == form.current_password.data:
                raise FieldError("new_password", _("新密码不能与当前密码相同。"))
            check_password(form.new_password.data, user.username, field="new_password")
        except FieldError as exc:
            getattr(form, exc.field).errors.append(str(exc))
            status = 400
        else:
            remember = current_app.config.get("REMEMBER_COOKIE_NAME",
                                              "remember_token") in request.cookies
            user.set_password(form.new_password.data)  # ends every other session
            audit.record("change_password", actor=user, township_id=user.township_id,
                         target_type="user", target_id=user.id, summary=user.username)
            db.session.commit()
            login_user(user, remember=remember)  # this browser carries the new key
            flash(_("密码已修改。该账号在其他设备上的登录已全部退出。"), "info")
            return redirect("/")
    elif request.method == "POST":
        status = 400
    return render_template("auth/password.html", form=form, forced=user.must_change_password,
                           ), status
