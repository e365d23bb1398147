"""``/api/v1/requests``: register a request (POST, token) and read the ledger (GET).

The body's fields are the declaration's (renderer.kinds.requests) and are checked by the
same ``intake.clean_intake`` as the form and the SMS intake, so one bad value gets one
message. A resident's contact is masked unless the caller may see it (``access``)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from publisher.api.common import ApiError, caller, json_body, paging, township_param
from publisher.api.errors import error_response, http_error
from publisher.extensions import db
from publisher.models import User, utcnow
from publisher.models.requests import RequestStatus, ResidentRequest
from publisher.requests import access, intake, ledger, rules
from publisher.requests.blueprint import api_bp
from publisher.services.errors import FieldError, NotAllowed, ServiceError


def request_json(row: ResidentRequest, user: User) -> dict[str, Any]:
    name, phone = access.contact(user, row)
    zone = row.township.timezone
    return {
        "id": row.id, "township_id": row.township_id,
        "village": row.village.name if row.village else "", "category": row.category,
        "text": row.text, "resident_name": name, "resident_phone": phone, "source": row.source,
        "status": row.status, "status_label": rules.status_label(row.status),
        "received_at": row.received_at.isoformat(), "deadline": row.deadline.isoformat(),
        "deadline_day": str(rules.local_day(row.deadline, zone)),
        "cadre": row.cadre.name if row.cadre else None,
        "closed_at": row.closed_at.isoformat() if row.closed_at else None,
        "satisfaction": row.satisfaction,
    }


@api_bp.route("", methods=["POST"])
def create():  # noqa: ANN201
    user = caller(write=True)
    body = json_body()
    township = township_param(user, body.pop("township_id", None), required=True)
    row = intake.intake(township, body, source="api", now=utcnow(), user=user)
    db.session.commit()
    return jsonify(request_json(row, user)), 201


@api_bp.route("", methods=["GET"])
def list_requests():  # noqa: ANN201
    user = caller()
    township = township_param(user, request.args.get("township_id"), required=True)
    limit, offset = paging()
    status = request.args.get("status", "")
    if status and status not in set(RequestStatus):
        raise ApiError(400, "validation_error", "status 应为 " + "、".join(RequestStatus) + "。",
                       field="status")
    stmt = ledger.query(township.id, status=status, category=request.args.get("category", ""),
                        overdue=request.args.get("overdue") in ("1", "true"), now=utcnow())
    rows = db.session.scalars(access.readable(stmt, user).limit(limit).offset(offset))
    return jsonify({"items": [request_json(r, user) for r in rows], "limit": limit,
                    "offset": offset})


@api_bp.route("/<int:request_id>", methods=["GET"])
def show(request_id: int):  # noqa: ANN201
    user = caller()
    row = db.session.get(ResidentRequest, request_id)
    if row is None or not access.can_read(user, row):
        raise ApiError(404, "not_found", "找不到该诉求。")
    return jsonify(request_json(row, user))


@api_bp.errorhandler(ApiError)
def _api_error(exc: ApiError):  # noqa: ANN202
    db.session.rollback()
    return error_response(exc.status, exc.code, exc.message, **exc.extra)


@api_bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError):  # noqa: ANN202
    db.session.rollback()
    if isinstance(exc, NotAllowed):
        return error_response(403, "forbidden", str(exc))
    extra = {"field": exc.field} if isinstance(exc, FieldError) and exc.field else {}
    return error_response(400, "validation_error", str(exc), **extra)


api_bp.register_error_handler(HTTPException, http_error)
