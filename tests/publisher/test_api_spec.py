"""The OpenAPI document: valid, complete (every route), and true (every path answers)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.publisher import test_people_support as support

org = support.org  # a fixture: pytest finds it as a module attribute

CATCH_ALL = "api.unknown"


def _spec(client) -> dict:  # noqa: ANN001
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def _api_rules(app, *, everything: bool = False) -> set[tuple[str, str]]:  # noqa: ANN001
    """(OpenAPI path, method) for every route of the API blueprint (``everything``: of any
    blueprint under /api/, such as the requests ledger's own)."""
    found = set()
    for rule in app.url_map.iter_rules():
        ours = rule.endpoint.startswith("api.") or (everything and rule.rule.startswith("/api/"))
        if not ours or rule.endpoint == CATCH_ALL:
            continue
        path = re.sub(r"<(?:\w+:)?\w+>", "{id}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((path, method.lower()))
    return found


def test_spec_is_valid_openapi_3(client):
    from openapi_spec_validator import validate

    spec = _spec(client)
    assert spec["openapi"].startswith("3.")
    validate(spec)


def test_every_route_is_documented_and_nothing_else(app, client):
    spec = _spec(client)
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    routes = _api_rules(app)
    assert routes, "no API routes found"
    assert routes - documented == set(), "routes missing from the spec"
    assert documented - _api_rules(app, everything=True) == set(), "documented, not served"


def test_spec_lists_the_content_kinds_fields(client):
    spec = _spec(client)
    policy = spec["components"]["schemas"]["PolicyItem"]["properties"]
    assert {"title", "eligibility", "amount", "deadline", "valid_from"} <= set(policy)
    produce = spec["components"]["schemas"]["ProduceItem"]
    assert produce["required"] == ["product"]


@pytest.fixture
def sample_ids(app, org):  # noqa: ANN001, ANN201
    """A token of a township editor and one existing item of every kind in its township
    (and one resident's request, for the ledger's own paths)."""
    from publisher.api.content import collections
    from publisher.extensions import db
    from publisher.models import Township, User, utcnow
    from publisher.requests.intake import intake
    from publisher.services.content import create_item
    from renderer.kinds import KINDS

    with app.app_context():
        editor = db.session.scalar(select(User).where(User.username == "editor_a"))
        township = db.session.get(Township, org.a)
        ids = {kind: create_item(editor, township, kind,
                                 {KINDS[kind].title_field: "样例"}).id
               for kind in collections().values()}
        ids["requests"] = intake(township, BODIES["/api/v1/requests"], source="api",
                                 now=utcnow(), user=editor).id
        token = editor.issue_api_token()
        db.session.commit()
    return token, ids


BODIES = {
    "/api/v1/policies": {"title": "新政策"},
    "/api/v1/services": {"title": "新服务"},
    "/api/v1/produce": {"product": "新产品"},
    "/api/v1/notices": {"title": "新通知"},
    "/api/v1/whereabouts": {"status": "请假"},
    "/api/v1/requests": {"category": "其他", "text": "村口路灯不亮"},
}


def test_every_documented_path_answers(app, client, org, sample_ids):
    from publisher.api.content import collections

    token, ids = sample_ids
    headers = {"Authorization": f"Bearer {token}"}
    by_collection = {f"/api/v1/{c}": ids[k] for c, k in collections().items()}
    ids_for = {"/api/v1/cadres": org.cadre, "/api/v1/channels": org.a_channel,
               "/api/v1/requests": ids["requests"], **by_collection}
    spec = _spec(client)
    for path, ops in spec["paths"].items():
        base = path.split("/{id}")[0]
        url = path.replace("{id}", str(ids_for.get(base, 0)))
        for method in ("get", "put", "post"):
            if method not in ops:
                continue
            body = BODIES.get(path)
            if method == "put":
                body = BODIES[base]
            if method == "post" and path == "/api/v1/whereabouts":
                body = {**body, "cadre_id": org.cadre}
            response = client.open(url, method=method.upper(), headers=headers, json=body)
            expected = {int(code) for code in ops[method]["responses"]}
            assert response.status_code in expected, (method, url, response.get_json())
            assert response.status_code < 300, (method, url, response.get_json())


def test_a_workflow_documents_the_paths_it_serves_itself(app, client, monkeypatch):
    """The requests ledger serves /api/v1/requests from its own blueprint and registers its
    description; the document stays valid and names only paths that are served."""
    from openapi_spec_validator import validate

    from publisher.api import spec as openapi

    detail = openapi.op("群众诉求详情", openapi.reply(openapi.ref("Request")),
                        params=[openapi.ID], tag="群众诉求")
    document = openapi.Document(paths={"/api/v1/requests/{id}": {"get": detail}},
                                schemas={"Request": {"type": "object"}})
    monkeypatch.setattr(openapi, "DOCUMENTED", [lambda: document])
    spec = _spec(client)
    validate(spec)
    assert spec["paths"]["/api/v1/requests/{id}"]["get"]["tags"] == ["群众诉求"]
    assert "Request" in spec["components"]["schemas"] and "PolicyItem" in spec[
        "components"]["schemas"]
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    assert documented - _api_rules(app, everything=True) == set()


def test_an_intake_body_is_the_declarations_with_personal_data_marked():
    from publisher.api.spec import intake_schema
    from renderer.kinds import KINDS

    kind = KINDS["requests"]
    body = intake_schema(kind)
    assert set(body["properties"]) == {*kind.field_names(), "township_id"}
    assert body["required"] == [f.name for f in kind.fields if f.required]
    for name in kind.personal_fields:
        assert body["properties"][name]["x-personal"] is True
    assert not any(body["properties"][f.name].get("x-personal") for f in kind.fields
                   if not f.personal)
