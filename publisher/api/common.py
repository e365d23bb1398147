"""What every API view uses: the caller, the JSON body, township scope, paging."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import request
from flask_login import current_user

from playlists import timezones
from publisher.auth.routes import load_user_from_token
from publisher.extensions import db
from publisher.models import MAX_ROW_ID, Township, User, row_id
from renderer.fields import YEARS

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


class ApiError(Exception):
    """An error answered as ``{"error": {"code", "message"}}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def caller(*, write: bool = False) -> User:
    """The authenticated user. Writes need a token: a cookie alone could be a forged request."""
    header = request.headers.get("Authorization", "")
    if header:
        user = load_user_from_token(request) if header.startswith("Bearer ") else None
        if user is None:
            raise ApiError(401, "invalid_token", "API 令牌无效，或账号已停用。")
        return user
    if not write and current_user.is_authenticated:
        return current_user._get_current_object()
    raise ApiError(401, "unauthorized", "需要 API 令牌：请求头 Authorization: Bearer <令牌>。")


def json_body() -> dict[str, Any]:
    """The request body as a JSON object, or a 400 saying what is wrong with it."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise ApiError(400, "malformed_json", "请求体为空，应为 JSON 对象。")
    try:
        body = json.loads(raw, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ApiError(400, "malformed_json", f"请求体不是有效的 JSON（第 {exc.lineno} 行第 "
                       f"{exc.colno} 列附近有误），请检查引号、逗号和括号。") from None
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "malformed_json", "请求体不是有效的 JSON：应为 UTF-8 编码，"
                       "且不能含 NaN 或 Infinity。") from None
    except RecursionError:
        raise ApiError(400, "malformed_json", "请求体嵌套太深，不是一条内容。") from None
    if not isinstance(body, dict):
        raise ApiError(400, "malformed_json", "请求体应为 JSON 对象（{…}）。")
    return body


def _no_constant(name: str) -> None:
    # Python's json reads NaN and Infinity, which are not JSON: stored, they break every page.
    raise ValueError(name)


def township_param(user: User, value: Any, *, required: bool) -> Township | None:
    """The township a request targets. Another township's id answers 404, as if absent."""
    if value in (None, ""):
        if user.township_id is not None:
            return user.township
        if required:
            raise ApiError(400, "validation_error", "县级账号请指定 township_id。",
                           field="township_id")
        return None
    try:
        township_id = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ApiError(400, "validation_error", "township_id 应为整数。",
                       field="township_id") from None
    # A number no row can have would overflow the database driver: it is simply not found.
    township = db.session.get(Township, township_id) if row_id(township_id) is not None else None
    if township is None or not (user.is_county_admin or user.township_id == township_id):
        raise ApiError(404, "not_found", "找不到该乡镇。")
    return township


def paging() -> tuple[int, int]:
    """``limit`` (1–200, default 50) and ``offset`` from the query string."""
    try:
        limit = int(request.args.get("limit", DEFAULT_LIMIT))
        offset = int(request.args.get("offset", 0))
    except ValueError:
        raise ApiError(400, "validation_error", "limit 和 offset 应为整数。") from None
    if not 1 <= limit <= MAX_LIMIT or not 0 <= offset <= MAX_ROW_ID:
        raise ApiError(400, "validation_error",
                       f"limit 应在 1 到 {MAX_LIMIT} 之间，offset 不能为负或超过 {MAX_ROW_ID}。")
    return limit, offset


def visible(user: User, township_id: int | None) -> bool:
    return user.is_county_admin or township_id == user.township_id


def instant(value: Any, field: str, zone: str) -> datetime | None:
    """An ISO 8601 date-time; one without an offset is read in the township's zone."""
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise ApiError(400, "validation_error", f"{field} 应为 ISO 8601 时间，例如 "
                       "2026-05-01T08:00:00+08:00。", field=field) from None
    if not YEARS[0] <= parsed.year <= YEARS[1]:
        raise ApiError(400, "validation_error", f"{field} 的年份应在 {YEARS[0]} 到 {YEARS[1]} "
                       "之间。", field=field)
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=timezones.zone(zone))
    try:
        parsed.astimezone(UTC)  # as it is stored: the ends of the calendar overflow
    except OverflowError:
        raise ApiError(400, "validation_error", f"{field} 超出可用的日期范围。",
                       field=field) from None
    return parsed


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
