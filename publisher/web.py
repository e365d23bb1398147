"""Wires extensions, blueprints, locale selection and error pages into the app."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import (
    Flask,
    current_app,
    flash,
    has_request_context,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import Gone
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from playlists import timezones
from publisher.config import UPLOAD_MAX_MB
from publisher.emergency.reserve import is_disk_full
from publisher.extensions import babel, csrf, db, init_sqlite, login_manager, migrate
from publisher.models import MAX_ROW_ID

MIGRATIONS = Path(__file__).parent / "migrations"
LOCALES = ("zh", "en")
# How soon a page refused for a full data disk asks to be tried again.
DISK_FULL_RETRY_S = 30


class RowIdConverter(IntegerConverter):
    """``<int:…>``: every integer in our URLs names a row. A number larger than any row id
    would overflow the database driver (500); it is passed on as 0, which no row has (ids
    start at 1), so the view answers its own "not found" (JSON under /api/)."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= MAX_ROW_ID else 0


def _select_locale() -> str | None:
    """``?lang=`` (remembered in the session), else the account's choice, else the default.

    Jobs and CLI commands translate inside an app context with no request: they get
    ``None``, which Flask-Babel turns into ``BABEL_DEFAULT_LOCALE`` (Chinese).
    """
    if not has_request_context():
        return None
    wanted = request.args.get("lang")
    if wanted in LOCALES:
        session["lang"] = wanted
    if session.get("lang") in LOCALES:
        return session["lang"]
    if current_user and getattr(current_user, "locale", "") in LOCALES:
        return current_user.locale
    return None


def localtime(value: datetime | None, zone: str | None = None,
              fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """Jinja filter: a stored UTC instant shown in the township's (or channel's) time zone."""
    if value is None:
        return ""
    tz = timezones.zone(zone or current_app.config["CHANNEL_TIMEZONE"])
    return timezones.to_local(value, tz).strftime(fmt)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = RowIdConverter  # before any blueprint adds its rules
    if app.config.get("PROXY_HOPS"):  # the client's address and scheme, as the proxy saw them
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    db.init_app(app)
    init_sqlite(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.init_app(app)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["localtime"] = localtime
    from publisher.admin.timeutil import COMMON_ZONES, zone_label

    app.jinja_env.filters["zonename"] = zone_label
    app.jinja_env.globals["common_zones"] = COMMON_ZONES
    login_manager.login_view = "auth.login"
    # Lazy: translated when flashed, in the language of the request that was refused.
    login_manager.login_message = _l("请先登录。")

    from publisher import admin, api, auth, emergency, live, people, security
    from publisher.imports.routes import bp as imports_bp
    from publisher.requests.blueprint import bp as requests_bp

    app.register_blueprint(auth.bp)
    app.register_blueprint(live.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(emergency.bp)
    app.register_blueprint(people.bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(requests_bp)
    csrf.exempt(api.bp)  # the API authenticates with per-user tokens, not cookies
    # Browsers ask for /favicon.ico on every page that names none (the JSON API, error pages).
    app.add_url_rule("/favicon.ico", "favicon", lambda: send_from_directory(
        app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400))
    security.init_app(app)  # headers, no-store, refusals audited (publisher.security)
    from publisher import ops

    ops.init_app(app)  # /healthz, /healthz/live, /metrics

    @app.before_request
    def drop_nul_characters():  # noqa: ANN202
        """NUL characters leave query and form values, on every route, before any view reads
        them: no one types one, and PostgreSQL can neither store nor compare text that holds
        one (SQLite could). Like the other invisible characters the content rules remove."""
        for name in ("args", "form"):
            values = getattr(request, name)
            if any("\x00" in value for _key, value in values.items(multi=True)):
                setattr(request, name, ImmutableMultiDict(
                    (key, value.replace("\x00", "")) for key, value in values.items(multi=True)))

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):  # noqa: ANN202
        flash(_("页面已过期或表单无效，请重新提交。"), "error")
        return redirect(request.referrer or "/"), 303

    @app.errorhandler(404)
    def not_found(exc):  # noqa: ANN001, ANN202
        return render_template("error.html", code=404, message=_("找不到该页面。")), 404

    @app.errorhandler(403)
    def forbidden(exc):  # noqa: ANN001, ANN202
        return render_template("error.html", code=403, message=_("您没有权限访问该页面。")), 403

    app.jinja_env.globals["upload_max_mb"] = UPLOAD_MAX_MB

    @app.errorhandler(413)
    def too_large(exc):  # noqa: ANN001, ANN202
        message = _("上传的文件太大：每个文件最大 %(mb)d MB。请压缩照片或把表格拆成几个文件，"
                    "再返回上一页重新上传。", mb=UPLOAD_MAX_MB)
        if request.path.startswith("/api/"):
            return jsonify({"error": {"code": "too_large", "message": message}}), 413
        return render_template("error.html", code=413, message=message), 413

    @app.errorhandler(410)
    def gone(exc):  # noqa: ANN001, ANN202
        # A view may say in Chinese what is gone (abort(410, description=…)); Werkzeug's own
        # description is English and is never shown.
        own = exc.description not in (None, Gone.description)
        message = exc.description if own else _("该页面已失效。请返回上一页重新操作。")
        return render_template("error.html", code=410, message=message), 410

    @app.errorhandler(405)
    def method_not_allowed(exc):  # noqa: ANN001, ANN202
        message = _("该地址不支持这种操作。请返回上一页，从页面上的按钮进入。")
        return render_template("error.html", code=405, message=message), 405

    @app.errorhandler(400)
    def bad_request(exc):  # noqa: ANN001, ANN202
        message = _("提交的内容无法识别。请返回上一页检查后重新提交。")
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(500)
    def server_error(exc):  # noqa: ANN001, ANN202
        db.session.rollback()
        return render_template("error.html", code=500, message=_("系统出错，请稍后再试。")), 500

    @app.errorhandler(OperationalError)
    @app.errorhandler(OSError)
    def storage_full(exc):  # noqa: ANN001, ANN202
        """A full data disk is told as such (503, try again later), never a bare 500."""
        if not is_disk_full(exc):
            raise exc
        db.session.rollback()
        message = _("系统存储空间不足，暂时无法保存。请稍后再试，并请管理员清理磁盘。")
        if request.path.startswith(("/api/", "/emergency/trigger")):
            response = jsonify({"error": message})
        else:
            response = make_response(render_template("error.html", code=503, message=message))
        response.status_code = 503
        response.headers["Retry-After"] = str(DISK_FULL_RETRY_S)
        return response
