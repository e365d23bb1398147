"""Every API failure as JSON with the right status; nothing under /api/ answers HTML."""

from __future__ import annotations

from flask import current_app, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from publisher.api import bp
from publisher.api.common import ApiError
from publisher.extensions import db
from publisher.services.errors import Conflict, NotAllowed, ServiceError
from publisher.services.org import FieldError

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 409: "conflict", 410: "gone", 413: "too_large",
          415: "unsupported_media_type"}
_MESSAGES = {404: "找不到该资源。", 405: "该地址不支持此请求方法。", 413: "请求体太大。"}


def error_response(status: int, code: str, message: str, **extra):  # noqa: ANN003, ANN201
    body = {"error": {"code": code, "message": message, **extra}}
    return jsonify(body), status


@bp.errorhandler(ApiError)
def api_error(exc: ApiError):  # noqa: ANN201
    db.session.rollback()
    return error_response(exc.status, exc.code, exc.message, **exc.extra)


@bp.errorhandler(ServiceError)
def service_error(exc: ServiceError):  # noqa: ANN201
    db.session.rollback()
    if isinstance(exc, NotAllowed):
        return error_response(403, "forbidden", str(exc))
    if isinstance(exc, Conflict):
        return error_response(409, "conflict", str(exc))
    extra = {"field": exc.field} if isinstance(exc, FieldError) else {}
    return error_response(400, "validation_error", str(exc), **extra)


def http_error(exc: HTTPException):  # noqa: ANN201
    status = exc.code or 500
    message = _MESSAGES.get(status) or exc.description or exc.name
    return error_response(status, _CODES.get(status, "error"), message)


# By status code as well as by class: the app's own HTML handlers for 404/403/413 are
# registered by code, and Flask prefers a handler by code over one by class.
bp.register_error_handler(HTTPException, http_error)
for _code in _CODES:
    bp.register_error_handler(_code, http_error)


@bp.errorhandler(Exception)
def unexpected(exc: Exception):  # noqa: ANN201
    db.session.rollback()
    current_app.logger.exception("API error on %s %s", request.method, request.path)
    return error_response(500, "internal_error", "系统出错，请稍后再试。")


@bp.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(rest: str):  # noqa: ANN201
    """Unknown API paths (and known ones with the wrong method) answer JSON, not HTML."""
    adapter = current_app.url_map.bind("")
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        if method == request.method:
            continue
        try:
            endpoint, _args = adapter.match(request.path, method=method)
        except Exception:  # noqa: BLE001 - no match, wrong method or a slash redirect
            continue
        if endpoint != "api.unknown":
            raise MethodNotAllowed()
    raise NotFound()
