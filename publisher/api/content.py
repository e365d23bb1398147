"""Reviewed content over the API: every kind whose declaration names a ``collection``.

An item is answered in the renderer's item shape (``{"type": "policy", "title": …}``) plus
read-only workflow fields; the same object, edited, can be sent back with PUT. Writes go
through ``services.content`` exactly as the admin pages do, so review still applies.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from publisher.api import bp
from publisher.api.common import (
    ApiError,
    caller,
    instant,
    iso,
    json_body,
    paging,
    township_param,
    visible,
)
from publisher.extensions import db
from publisher.models import ContentItem, ContentVersion, Role, User
from publisher.services import content as service
from publisher.services.errors import Conflict
from renderer.declare import REVIEWED
from renderer.kinds import KINDS


def collections() -> dict[str, str]:
    """URL collection → kind: the reviewed kinds whose declaration names a ``collection``
    (alerts have their own emergency workflow; a video is uploaded in the admin)."""
    return {d.collection: d.name for d in KINDS.values()
            if d.collection and d.source == REVIEWED}


# Keys the API adds to an item; ignored when a client sends an item back.
READ_ONLY = {"id", "ref", "version", "state", "township_id", "live_version", "withdrawn",
             "review_note", "created_at", "submitted_at", "reviewed_at"}
STATES = ("draft", "pending", "approved", "rejected", "superseded")


def item_json(item: ContentItem) -> dict[str, Any]:
    version = item.latest
    return {
        **version.data,
        "type": item.kind,
        "id": item.id,
        "ref": item.ref,
        "version": version.number,
        "state": version.state,
        "township_id": item.township_id,
        "valid_from": iso(version.valid_from),
        "valid_until": iso(version.valid_until),
        "priority": version.priority,
        "live_version": item.live_version.number if item.live_version else None,
        "withdrawn": item.withdrawn_at is not None,
        "review_note": version.review_note,
        "created_at": iso(item.created_at),
        "submitted_at": iso(version.submitted_at),
        "reviewed_at": iso(version.reviewed_at),
    }


def _item(kind: str, item_id: int, user: User) -> ContentItem:
    item = db.session.get(ContentItem, item_id)
    if item is None or item.kind != kind or not visible(user, item.township_id):
        raise ApiError(404, "not_found", "找不到该内容。")
    return item


# Version fields that are not item data: when and how the version airs.
AIRING = ("valid_from", "valid_until", "priority")


def _payload(kind: str, body: dict[str, Any], zone: str) -> tuple[dict[str, Any], dict]:
    if body.get("type") not in (None, kind):
        raise ApiError(400, "validation_error", f"type 应为 {kind}。", field="type")
    airing = {"valid_from": instant(body.get("valid_from"), "valid_from", zone),
              "valid_until": instant(body.get("valid_until"), "valid_until", zone)}
    if body.get("priority") is not None:  # absent: 普通 for a new item, unchanged on edit
        airing["priority"] = body["priority"]
    data = {k: v for k, v in body.items()
            if k not in READ_ONLY and k != "type" and k not in AIRING}
    return data, airing


def _editor(write_user: User) -> None:
    if not write_user.can(Role.EDITOR):
        raise ApiError(403, "forbidden", "只有编辑或管理员可以新建、修改或提交内容。")


def list_items(kind: str):  # noqa: ANN201
    user = caller()
    township = township_param(user, request.args.get("township_id"), required=False)
    limit, offset = paging()
    query = select(ContentItem).where(ContentItem.kind == kind)
    if township is not None:
        query = query.where(ContentItem.township_id == township.id)
    state = request.args.get("state")
    if state:
        if state not in STATES:
            raise ApiError(400, "validation_error", f"state 应为 {'、'.join(STATES)} 之一。",
                           field="state")
        newer = aliased(ContentVersion)
        latest = (select(func.max(newer.number)).where(newer.item_id == ContentItem.id)
                  .correlate(ContentItem).scalar_subquery())
        query = query.join(ContentVersion, ContentVersion.item_id == ContentItem.id).where(
            ContentVersion.number == latest, ContentVersion.state == state)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(query.order_by(ContentItem.id.desc()).limit(limit).offset(offset))
    return jsonify({"items": [item_json(i) for i in items], "total": total, "limit": limit,
                    "offset": offset})


def _with_etag(response, item: ContentItem):  # noqa: ANN001, ANN202
    """The latest version's edit token as the ETag: a client sends it back in If-Match so
    that its PUT does not overwrite a change it has not seen."""
    response.set_etag(service.edit_base(item))
    return response


def get_item(kind: str, item_id: int):  # noqa: ANN201
    item = _item(kind, item_id, caller())
    return _with_etag(jsonify(item_json(item)), item)


def create(kind: str):  # noqa: ANN201
    user = caller(write=True)
    _editor(user)
    body = json_body()
    township = township_param(user, body.pop("township_id", None), required=True)
    data, window = _payload(kind, body, township.timezone)
    item = service.create_item(user, township, kind, data, **window)
    return jsonify(item_json(item)), 201, {"Location": f"{request.path}/{item.id}"}


def update(kind: str, item_id: int):  # noqa: ANN201
    user = caller(write=True)
    _editor(user)
    item = _item(kind, item_id, user)
    data, window = _payload(kind, json_body(), item.township.timezone)
    for f in KINDS[kind].fields:  # uploaded or recorded in the admin: an edit keeps it
        if f.upload and item.latest.data.get(f.name) and f.name not in data:
            data[f.name] = item.latest.data[f.name]
    wanted = request.if_match  # without If-Match the edit applies to whatever is latest
    bases = list(wanted.as_set()) if wanted and not wanted.star_tag else []
    try:
        service.edit_item(user, item, data, **window, base=bases[0] if bases else None)
    except Conflict as exc:
        db.session.rollback()
        raise ApiError(412, "precondition_failed", str(exc)) from None
    return _with_etag(jsonify(item_json(item)), item)


def submit(kind: str, item_id: int):  # noqa: ANN201
    user = caller(write=True)
    _editor(user)
    item = _item(kind, item_id, user)
    if item.latest.state not in ("draft", "rejected"):
        raise ApiError(409, "conflict", "只有草稿或被退回的内容可以提交审核。")
    service.submit(user, item)
    return jsonify(item_json(item))


@bp.record
def _content_routes(state) -> None:  # noqa: ANN001
    """Five routes per served kind, read from the declarations when the app is made."""
    for collection, kind in collections().items():
        base, defaults = f"/v1/{collection}", {"kind": kind}
        for rule, name, view, method in (
                (base, "list", list_items, "GET"), (base, "create", create, "POST"),
                (f"{base}/<int:item_id>", "get", get_item, "GET"),
                (f"{base}/<int:item_id>", "update", update, "PUT"),
                (f"{base}/<int:item_id>/submit", "submit", submit, "POST")):
            state.add_url_rule(rule, f"{kind}_{name}", view, defaults=defaults,
                               methods=[method])
