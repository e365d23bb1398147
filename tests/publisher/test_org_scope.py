"""Township scoping: another township's object answers 404 on every page and API route.

A township administrator can do everything in their own township, so any 404 here is the
scope check, not a role check; and nothing of the other township may change.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.publisher import test_people_support as support
from tests.publisher.test_people_support import post

world = support.world  # a fixture: pytest finds it as a module attribute

# (method, path) with {name} placeholders filled from the ``org`` fixture and ``item_b``.
PAGES = [
    ("GET", "/cadres/{cadre_b}/edit"),
    ("POST", "/cadres/{cadre_b}/edit"),
    ("POST", "/cadres/{cadre_b}/active"),
    ("GET", "/cadres/{cadre_b}/photo"),
    ("GET", "/whereabouts/{cadre_b}/report"),
    ("POST", "/whereabouts/{cadre_b}/report"),
    ("GET", "/org/villages/{b_village}/edit"),
    ("POST", "/org/villages/{b_village}/edit"),
    ("POST", "/org/villages/{b_village}/delete"),
    ("GET", "/org/channels/{b_channel}/edit"),
    ("POST", "/org/channels/{b_channel}/edit"),
    ("GET", "/org/channels/{b_channel}/logo"),
    ("GET", "/org/channels/{b_channel}/schedule"),
    ("POST", "/org/channels/{b_channel}/schedule"),
    ("POST", "/org/channels/{b_channel}/schedule/airtime"),
    ("GET", "/org/users/{admin_b}/edit"),
    ("POST", "/org/users/{admin_b}/edit"),
    ("POST", "/org/users/{admin_b}/password"),
    ("POST", "/org/users/{admin_b}/token"),
    ("POST", "/org/users/{admin_b}/active"),
    # Pages that work on "the" township take it from ?township_id=
    ("GET", "/cadres?township_id={b}"),
    ("GET", "/cadres/new?township_id={b}"),
    ("POST", "/cadres/new?township_id={b}"),
    ("GET", "/whereabouts?township_id={b}"),
    ("GET", "/org/villages?township_id={b}"),
    ("GET", "/org/villages/new?township_id={b}"),
    ("POST", "/org/villages/new?township_id={b}"),
    ("GET", "/org/channels?township_id={b}"),
    ("GET", "/org/channels/new?township_id={b}"),
    ("GET", "/imports/?township_id={b}"),
    ("GET", "/imports/cadres/template.xlsx?township_id={b}"),
    ("POST", "/imports/cadres?township_id={b}"),
]
API = [
    ("GET", "/api/v1/cadres/{cadre_b}", None),
    ("GET", "/api/v1/channels/{b_channel}", None),
    ("GET", "/api/v1/cadres?township_id={b}", None),
    ("GET", "/api/v1/channels?township_id={b}", None),
    ("GET", "/api/v1/whereabouts?township_id={b}", None),
    ("POST", "/api/v1/whereabouts", {"cadre_id": "{cadre_b}", "status": "请假"}),
]
for _collection in ("policies", "services", "produce", "notices"):
    API += [
        ("GET", f"/api/v1/{_collection}?township_id={{b}}", None),
        ("POST", f"/api/v1/{_collection}", {"title": "x", "product": "x", "township_id": "{b}"}),
        ("GET", f"/api/v1/{_collection}/{{item_b_{_collection}}}", None),
        ("PUT", f"/api/v1/{_collection}/{{item_b_{_collection}}}", {"title": "x", "product": "x"}),
        ("POST", f"/api/v1/{_collection}/{{item_b_{_collection}}}/submit", None),
    ]
# County-only pages refuse a township administrator by role (403) before any scope check.
COUNTY_ONLY = {"/org/townships/<int:township_id>/edit"}


@pytest.fixture(scope="module")
def scope(world):  # noqa: ANN001, ANN201
    """The shared app, its ids plus one content item of every kind in township B, and a
    token of township A's administrator. Every request here is refused, so they share it."""
    from publisher.extensions import db
    from publisher.models import Township, User
    from publisher.services.content import create_item

    app, org_ids = world
    values = dict(vars(org_ids))
    bodies = {"policies": ("policy", {"title": "河口政策"}),
              "services": ("service", {"title": "河口服务"}),
              "produce": ("produce", {"product": "河口鱼"}),
              "notices": ("notice", {"title": "河口通知"})}
    with app.test_request_context():
        editor_b = db.session.get(User, org_ids.editor_b)
        township_b = db.session.get(Township, org_ids.b)
        for collection, (kind, body) in bodies.items():
            values[f"item_b_{collection}"] = create_item(editor_b, township_b, kind, body).id
        token = db.session.get(User, org_ids.admin).issue_api_token()
        db.session.commit()
    return app, values, token


def _b_audit_events(app, township_b: int) -> int:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import AuditEvent

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.township_id == township_b))


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_pages_answer_404_for_another_townships_objects(scope, method, path):
    app, ids, _token = scope
    client = support.client_for(app, "admin_a")
    url = path.format(**ids)
    before = _b_audit_events(app, ids["b"])
    if method == "GET":
        response = client.get(url)
    else:
        response = post(client, url, {"name": "改名", "status": "请假", "active": "0",
                                      "display_name": "x", "role": "editor", "slug": "x1"})
    assert response.status_code == 404, url
    assert _b_audit_events(app, ids["b"]) == before  # nothing of township B changed


@pytest.mark.parametrize(("method", "path", "body"), API)
def test_api_answers_404_for_another_townships_objects(scope, method, path, body):
    app, ids, token = scope
    before = _b_audit_events(app, ids["b"])
    if body is not None:
        body = {k: int(v.format(**ids)) if isinstance(v, str) and v.startswith("{") else v
                for k, v in body.items()}
    response = app.test_client().open(path.format(**ids), method=method, json=body,
                                      headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404, (path, response.get_json())
    assert response.get_json()["error"]["code"] == "not_found"
    assert _b_audit_events(app, ids["b"]) == before


def test_every_route_with_an_object_id_is_in_the_lists_above(scope):
    app = scope[0]
    covered = {re.sub(r"\?.*", "", p) for _, p in PAGES} | {
        re.sub(r"\?.*", "", p) for _, p, _ in API}
    covered = {re.sub(r"\{[^}]+\}", "<id>", p) for p in covered}
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("people.", "api.")) or "<int:" not in rule.rule:
            continue
        if rule.rule in COUNTY_ONLY:
            continue
        if re.sub(r"<int:\w+>", "<id>", rule.rule) not in covered:
            missing.append(rule.rule)
    assert missing == []


def test_county_only_pages_refuse_township_admins(scope):
    _app, ids, _token = scope
    client = support.client_for(_app, "admin_a")
    assert client.get(f"/org/townships/{ids['b']}/edit").status_code == 403
    assert client.get(f"/org/townships/{ids['a']}/edit").status_code == 403


def test_the_county_admin_reaches_every_township(scope):
    app, ids, _token = scope
    client = support.client_for(app, "county")
    assert client.get(f"/cadres/{ids['cadre_b']}/edit").status_code == 200
    assert client.get(f"/org/villages/{ids['b_village']}/edit").status_code == 200
    assert client.get(f"/org/townships/{ids['b']}/edit").status_code == 200
