"""The ledger's ``/api/v1/requests`` in ``/api/openapi.json``: its body is the declaration's."""

from __future__ import annotations

from publisher.api.spec import ID, Document, documents, intake_schema, op, ref, reply
from publisher.models.requests import RequestStatus
from renderer.kinds import KINDS


@documents
def _openapi() -> Document:
    """``/api/v1/requests`` in the API's OpenAPI document: the body is the declaration's."""
    kind = KINDS["requests"]
    tag = kind.label
    statuses = list(RequestStatus)
    moment = {"type": "string", "format": "date-time"}
    contact = {"type": "string", "nullable": True, "x-personal": True,
               "description": "居民的姓名或电话：乡镇管理员和承办干部看到全文，其他账号看到遮盖的"}
    item = {"type": "object", "properties": {
        "id": {"type": "integer"}, "township_id": {"type": "integer"},
        "village": {"type": "string"},
        "category": {"type": "string", "enum": list(kind.field("category").choices)},
        "text": {"type": "string"}, "resident_name": contact, "resident_phone": contact,
        "source": {"type": "string"}, "status": {"type": "string", "enum": statuses},
        "status_label": {"type": "string"}, "received_at": moment, "deadline": moment,
        "deadline_day": {"type": "string", "format": "date"},
        "cadre": {"type": "string", "nullable": True}, "closed_at": {**moment, "nullable": True},
        "satisfaction": {"type": "string"}}}
    listing = {"type": "object", "properties": {
        "items": {"type": "array", "items": ref("Request")},
        "limit": {"type": "integer"}, "offset": {"type": "integer"}}}
    query = [{"name": name, "in": "query", "schema": schema} for name, schema in (
        ("township_id", {"type": "integer"}), ("status", {"type": "string", "enum": statuses}),
        ("category", {"type": "string"}), ("overdue", {"type": "boolean"}),
        ("limit", {"type": "integer"}), ("offset", {"type": "integer"}))]
    return Document(paths={
        "/api/v1/requests": {
            "get": op(f"{tag}台账", reply(listing), params=query, tag=tag),
            "post": op(f"登记{tag}", reply(ref("Request"), "已登记"), body=intake_schema(kind),
                       status="201", tag=tag)},
        "/api/v1/requests/{id}": {
            "get": op(f"{tag}详情", reply(ref("Request")), params=[ID], tag=tag)},
    }, schemas={"Request": item})
