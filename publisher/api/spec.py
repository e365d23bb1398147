"""The OpenAPI 3 description of the API, served at ``/api/openapi.json``.

Built when asked from the content kinds' declarations (:mod:`renderer.kinds`), the same ones
the routes are registered from (:func:`publisher.api.content.collections`): a kind with a
``collection`` is documented with its fields, labels, limits and help as soon as it is
served; a personal field says so. A workflow that serves paths under ``/api/v1`` from its
own blueprint (the requests ledger) registers their description with :func:`documents`.
A test checks that every route appears here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import jsonify, request

from publisher.api import bp
from publisher.api.content import collections
from publisher.models import WHEREABOUTS_STATUSES
from publisher.services.content import PRIORITIES
from renderer.declare import (
    CLIP_SECONDS_MAX,
    DATE,
    DATETIME,
    LINES,
    PHOTO,
    PRICE,
    PRICE_TEXT,
    RECORDING,
    ROWS,
    SECONDS,
    VIDEO,
    YEARS,
    Field,
    KindDeclaration,
)
from renderer.kinds import KINDS

WHEREABOUTS = KINDS["whereabouts"].label  # the API's tag says what the admin menu says
PERSONAL = "个人信息：加密保存，页面上遮盖显示，不会播出"
# Uploads are made in the admin only; an API client sends the stored value back untouched.
UPLOADED = {PHOTO: "照片只能在管理页面上传；修改时原样带回或省略",
            RECORDING: "录音只能在管理页面录制或上传；修改时原样带回或省略",
            VIDEO: "视频只能在管理页面上传；修改时原样带回或省略"}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def reply(schema: dict[str, Any], description: str = "成功") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {str(code): {"$ref": f"#/components/responses/{name}"} for code, name in
          ((400, "BadRequest"), (401, "Unauthorized"), (403, "Forbidden"), (404, "NotFound"))}
ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
TOWNSHIP = {"name": "township_id", "in": "query", "schema": {"type": "integer"},
            "description": "县级账号指定乡镇；其他账号只能看本乡镇"}


IF_MATCH = {"name": "If-Match", "in": "header", "schema": {"type": "string"},
            "description": "详情返回的 ETag：内容在此之后被他人修改时拒绝（412），"
                           "不会覆盖别人的修改"}


def _put(op: dict[str, Any]) -> dict[str, Any]:
    op["responses"]["412"] = {"$ref": "#/components/responses/PreconditionFailed"}
    return op


def op(summary: str, ok: dict[str, Any], *, body: dict | None = None, params: list | None = None,
       status: str = "200", tag: str = "") -> dict[str, Any]:
    """One operation: its summary, tag, parameters, body and answers (errors included)."""
    spec: dict[str, Any] = {"summary": summary, "tags": [tag] if tag else [],
                            "parameters": params or [], "responses": {status: ok, **ERRORS}}
    if body is not None:
        spec["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return spec


def _words(f: Field, *more: str) -> str:
    return "；".join(w for w in (f.label, *more, f.help, PERSONAL if f.personal else "") if w)


def field_schema(f: Field) -> dict[str, Any]:
    """One declared field as a JSON schema: its type, limits and words, from the declaration."""
    schema: dict[str, Any]
    if f.type == LINES:
        schema = {"type": "array", "items": {"type": "string"},
                  "description": _words(f, f"合计最多 {f.limit} 字")}
    elif f.type == DATE:
        schema = {"type": "string", "format": "date",
                  "description": _words(f, f"{YEARS[0]}–{YEARS[1]} 年")}
    elif f.type == DATETIME:
        schema = {"type": "string", "nullable": True, "example": "2026-12-01T08:30",
                  "description": _words(f, "ISO 8601 日期和时间")}
    elif f.type == PRICE:
        schema = {"type": "string", "pattern": PRICE_TEXT.pattern,
                  "description": _words(f, "不为负，最多 7 位整数、2 位小数")}
    elif f.type == SECONDS:
        schema = {"oneOf": [{"type": "number", "minimum": 0, "maximum": CLIP_SECONDS_MAX},
                            {"type": "string", "example": "1:05"}], "nullable": True,
                  "description": _words(f, "秒数（12.5）或 分:秒（1:05）")}
    elif f.type in UPLOADED:
        schema = {"type": "string", "nullable": True, "description": _words(f, UPLOADED[f.type])}
    elif f.type == ROWS:
        schema = {"type": "array", "description": _words(f), "items": {
            "type": "object", "required": [r.name for r in f.row if r.required],
            "properties": {r.name: field_schema(r) for r in f.row}}}
    else:
        schema = {"type": "string", "description": _words(f)}  # the help says what to write
        if f.limit:
            schema["maxLength"] = f.limit
        if f.choices:
            schema["enum"] = list(f.choices)
    if f.personal:
        schema["x-personal"] = True
    return schema


def _item_schema(kind: KindDeclaration) -> dict[str, Any]:
    props: dict[str, Any] = {"type": {"type": "string", "enum": [kind.name]}}
    for f in kind.fields:
        props[f.name] = field_schema(f)
    for name in ("valid_from", "valid_until"):
        props[name] = {"type": "string", "format": "date-time", "nullable": True}
    props["priority"] = {"type": "integer", "enum": list(PRIORITIES), "default": 0,
                         "description": "播出优先级：0 普通、5 重要、10 置顶（同类节目中先播）；"
                                        "修改时省略则不变"}
    props["township_id"] = {"type": "integer", "description": "新建时县级账号必填"}
    schema: dict[str, Any] = {"type": "object", "description": kind.label, "properties": props}
    required = [f.name for f in kind.fields if f.required]
    if required:  # OpenAPI 3.0: an empty list is not allowed
        schema["required"] = required
    return schema


def _board_schema() -> dict[str, Any]:
    """The whereabouts board as declared (the renderer's item); rows carry report details
    besides the declared columns."""
    board = KINDS["whereabouts"]
    props = {"type": {"type": "string", "enum": [board.name]},
             **{f.name: field_schema(f) for f in board.fields}}
    return {"type": "object", "description": f"{board.label}：渲染器的条目格式，行内附加报告信息",
            "properties": props}


def intake_schema(kind: KindDeclaration) -> dict[str, Any]:
    """The body that registers a record of a kind whose own workflow serves it (the residents'
    requests ledger): its declared fields, and ``township_id`` for a county token."""
    props = {f.name: field_schema(f) for f in kind.fields}
    props["township_id"] = {"type": "integer", "description": "县级账号必填"}
    schema: dict[str, Any] = {"type": "object", "description": kind.label, "properties": props}
    required = [f.name for f in kind.fields if f.required]
    if required:
        schema["required"] = required
    return schema


@dataclass(frozen=True)
class Document:
    """Paths (and the schemas they name) that a workflow serves under ``/api/v1`` from its
    own blueprint."""

    paths: dict[str, Any]
    schemas: dict[str, Any] = field(default_factory=dict)


# How each such workflow documents itself: it registers a function with :func:`documents`
# beside its routes, so this module need not know its shapes (as derived slides register).
DOCUMENTED: list[Callable[[], Document]] = []


def documents(build: Callable[[], Document]) -> Callable[[], Document]:
    """Register ``build`` (called for each request of this document)."""
    DOCUMENTED.append(build)
    return build


def schema_name(kind: KindDeclaration) -> str:
    """``PolicyItem`` for ``policy``: the component an item of the kind is described by."""
    return "".join(part.capitalize() for part in kind.name.split("_")) + "Item"


def _content_paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for collection, name in collections().items():
        kind = KINDS[name]
        tag, item = kind.label, ref(schema_name(kind))
        listing = {"type": "object", "properties": {
            "items": {"type": "array", "items": item}, "total": {"type": "integer"},
            "limit": {"type": "integer"}, "offset": {"type": "integer"}}}
        params = [TOWNSHIP, {"name": "state", "in": "query", "schema": {"type": "string"}},
                  {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                  {"name": "offset", "in": "query", "schema": {"type": "integer"}}]
        paths[f"/api/v1/{collection}"] = {
            "get": op(f"{tag}列表（最新版本）", reply(listing), params=params, tag=tag),
            "post": op(f"新建{tag}（草稿）", reply(item, "已创建"), body=_item_schema(kind),
                       status="201", tag=tag)}
        paths[f"/api/v1/{collection}/{{id}}"] = {
            "get": op(f"{tag}详情", reply(item), params=[ID], tag=tag),
            "put": _put(op(f"修改{tag}（已通过的内容生成新版本待审）", reply(item),
                           body=_item_schema(kind), params=[ID, IF_MATCH], tag=tag))}
        paths[f"/api/v1/{collection}/{{id}}/submit"] = {
            "post": op(f"提交{tag}审核", reply(item), params=[ID], tag=tag)}
    return paths


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string"}, "message": {"type": "string"},
                "field": {"type": "string"}}}}},
        "Cadre": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "post": {"type": "string"},
            "villages": {"type": "array", "items": {"type": "object"}},
            "responsibilities": {"type": "string"}, "phone": {"type": "string"},
            "office_phone": {"type": "string"}, "active": {"type": "boolean"}}},
        "Board": _board_schema(),
        "Report": {"type": "object", "required": ["status"], "properties": {
            "cadre_id": {"type": "integer", "description": "乡干部本人报告时省略"},
            "date": {"type": "string", "format": "date"},
            "status": {"type": "string", "enum": list(WHEREABOUTS_STATUSES)},
            "village_id": {"type": "integer"}, "place": {"type": "string"},
            "start_time": {"type": "string", "example": "08:30"},
            "end_time": {"type": "string", "example": "17:30"},
            "activity": {"type": "string"}}},
        "Channel": {"type": "object", "properties": {
            "id": {"type": "integer"}, "slug": {"type": "string"}, "name": {"type": "string"},
            "profile": {"type": "string"}, "udp_url": {"type": "string"},
            "timezone": {"type": "string",
                         "description": "频道时间所用时区（未单独设置时为乡镇的）"},
            "schedule": {"type": "object",
                         "description": "节目编排：每类节目的比例（weight，0 为不播出）"
                                        "和播出时段（dayparts）"}}},
        "Me": {"type": "object", "properties": {
            "id": {"type": "integer"}, "username": {"type": "string"},
            "role": {"type": "string"}, "cadre_id": {"type": "integer", "nullable": True}}},
    }
    for name in collections().values():
        schema = _item_schema(KINDS[name])
        schema["properties"] = {**schema["properties"], "id": {"type": "integer"},
                                "version": {"type": "integer"}, "state": {"type": "string"},
                                "live_version": {"type": "integer", "nullable": True}}
        schemas[schema_name(KINDS[name])] = schema
    return schemas


def build_spec(server: str = "/") -> dict[str, Any]:
    """The whole OpenAPI 3.0 document."""
    lst = {"type": "object", "properties": {"items": {"type": "array"},
                                            "total": {"type": "integer"}}}
    paths = {
        "/api/v1/me": {"get": op("当前账号", reply(ref("Me")), tag="账号")},
        "/api/v1/cadres": {"get": op("干部分工列表", reply(lst), tag="干部", params=[
            TOWNSHIP, {"name": "q", "in": "query", "schema": {"type": "string"}}])},
        "/api/v1/cadres/{id}": {"get": op("干部详情", reply(ref("Cadre")), params=[ID],
                                          tag="干部")},
        "/api/v1/whereabouts": {
            "get": op("某日去向看板", reply(ref("Board")), tag=WHEREABOUTS, params=[
                TOWNSHIP, {"name": "date", "in": "query",
                           "schema": {"type": "string", "format": "date"}}]),
            "post": op("报告去向（乡干部报本人，工作人员可代报）", reply(ref("Report"), "已记录"),
                       body=ref("Report"), status="201", tag=WHEREABOUTS)},
        "/api/v1/channels": {"get": op("频道列表", reply(lst), params=[TOWNSHIP], tag="频道")},
        "/api/v1/channels/{id}": {"get": op("频道详情", reply(ref("Channel")), params=[ID],
                                            tag="频道")},
        "/api/openapi.json": {"get": {"summary": "本文档", "security": [],
                                      "responses": {"200": {"description": "OpenAPI 文档"}}}},
        **_content_paths(),
    }
    schemas = _schemas()
    for build in DOCUMENTED:
        document = build()
        paths.update(document.paths)
        schemas.update(document.schemas)
    error = reply(ref("Error"), "")
    return {
        "openapi": "3.0.3",
        "info": {"title": "villagecast API", "version": "1",
                 "description": "乡村信息频道的 JSON 接口。写操作需要 API 令牌"
                                "（在“组织机构 · 账号”中签发）。"},
        "servers": [{"url": server}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
            "responses": {name: {**error, "description": text} for name, text in (
                ("BadRequest", "请求格式或内容有误"), ("Unauthorized", "缺少或无效的 API 令牌"),
                ("Forbidden", "角色无权进行此操作"), ("NotFound", "不存在或属于其他乡镇"),
                ("PreconditionFailed", "If-Match 的版本已不是最新：先重新读取再修改"))},
        },
    }


@bp.get("/openapi.json")
def openapi():  # noqa: ANN201
    return jsonify(build_spec(request.host_url.rstrip("/") + "/"))
