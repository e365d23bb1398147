"""The JSON API: token auth, content through the review workflow, people, errors as JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.publisher import test_people_support as support

org, world = support.org, support.world  # fixtures: pytest finds them as module attributes

POLICY = {"type": "policy", "title": "耕地地力保护补贴", "category": "种粮补贴",
          "amount": "每亩 105.6 元", "deadline": "2030-06-30", "contact": "0917-6281123"}


def issue_tokens(app) -> dict[str, str]:  # noqa: ANN001
    """An API token per user: ``tokens["editor_a"]`` etc."""
    from publisher.extensions import db
    from publisher.models import User

    with app.app_context():
        issued = {u.username: u.issue_api_token() for u in db.session.scalars(select(User))}
        db.session.commit()
    return issued


def caller(app, tokens: dict[str, str]):  # noqa: ANN001, ANN201
    """``call(method, path, user, body=None, raw=None)`` → response, with that user's token."""
    client = app.test_client()

    def call(method: str, path: str, user: str | None = None, body=None, raw=None,  # noqa: ANN001
             **kw):  # noqa: ANN003
        headers = {"Authorization": f"Bearer {tokens[user]}"} if user else {}
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        return client.open(path, method=method, headers=headers, data=data,
                           content_type="application/json", **kw)

    return call


@pytest.fixture
def api(app, org):  # noqa: ANN001, ANN201
    """A caller on this test's own app (for tests that change data)."""
    return caller(app, issue_tokens(app))


@pytest.fixture(scope="module")
def refused(world):  # noqa: ANN001, ANN201
    """``(app, ids, call)`` on the module's shared app, for requests that must change nothing."""
    app, ids = world
    return app, ids, caller(app, issue_tokens(app))


def count(app, model) -> int:  # noqa: ANN001
    from publisher.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def assert_error(response, status: int, code: str) -> dict:  # noqa: ANN001
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    return error


# ---- authentication --------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer "])
def test_no_or_bad_token_is_401_json(refused, header):
    client = refused[0].test_client()
    headers = {"Authorization": header} if header else {}
    assert_error(client.get("/api/v1/policies", headers=headers), 401,
                 "invalid_token" if header else "unauthorized")


def test_a_session_cookie_may_read_but_never_write(client, auth, org):
    auth.login("editor_a")
    assert client.get("/api/v1/cadres").status_code == 200
    response = client.post("/api/v1/policies", json=POLICY)
    assert_error(response, 401, "unauthorized")


def test_me(api):
    body = api("GET", "/api/v1/me", "cadre_a").get_json()
    assert body["username"] == "cadre_a" and body["role"] == "cadre" and body["cadre_id"]


# ---- content ---------------------------------------------------------------------------


def test_create_read_edit_submit_a_policy(app, api, org):
    from renderer.item_parser import parse_item
    from renderer.items import PolicyItem

    created = api("POST", "/api/v1/policies", "editor_a", POLICY)
    assert created.status_code == 201
    item = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/policies/{item['id']}")
    assert (item["type"], item["state"], item["version"], item["township_id"]) == (
        "policy", "draft", 1, org.a)
    assert isinstance(parse_item(item), PolicyItem)  # the renderer's own shape
    fetched = api("GET", f"/api/v1/policies/{item['id']}", "reviewer_a").get_json()
    assert fetched["title"] == POLICY["title"] and fetched["amount"] == "每亩 105.6 元"
    fetched["amount"] = "每亩 110 元"  # a client edits what it read and sends it back
    edited = api("PUT", f"/api/v1/policies/{item['id']}", "editor_a", fetched)
    assert edited.status_code == 200 and edited.get_json()["amount"] == "每亩 110 元"
    submitted = api("POST", f"/api/v1/policies/{item['id']}/submit", "editor_a")
    assert submitted.get_json()["state"] == "pending"
    assert_error(api("POST", f"/api/v1/policies/{item['id']}/submit", "editor_a"), 409,
                 "conflict")
    listing = api("GET", "/api/v1/policies?state=pending", "cadre_a").get_json()
    assert [i["id"] for i in listing["items"]] == [item["id"]] and listing["total"] == 1
    assert api("GET", "/api/v1/policies?state=draft", "editor_a").get_json()["total"] == 0


@pytest.mark.parametrize(("collection", "body"), [
    ("services", {"title": "农村低保申请", "steps": ["申请", "评议"], "documents": ["户口簿"]}),
    ("produce", {"product": "高山土豆", "price": "1.2", "unit": "斤", "phone": "13891701234"}),
    ("notices", {"title": "汛期安全通知", "body": "请各村加强巡查。", "category": "通知公告"}),
])
def test_every_kind_can_be_created_and_listed(api, collection, body):
    created = api("POST", f"/api/v1/{collection}", "editor_a", body)
    assert created.status_code == 201, created.get_json()
    ids = [i["id"] for i in api("GET", f"/api/v1/{collection}", "editor_a").get_json()["items"]]
    assert ids == [created.get_json()["id"]]


def test_validity_window_in_the_townships_zone(api):
    body = {**POLICY, "valid_from": "2030-01-01T08:00:00", "valid_until": "2030-02-01T00:00:00Z"}
    item = api("POST", "/api/v1/policies", "editor_a", body).get_json()
    assert datetime.fromisoformat(item["valid_from"]) == datetime(2030, 1, 1, 0, 0, tzinfo=UTC)
    assert datetime.fromisoformat(item["valid_until"]) == datetime(2030, 2, 1, tzinfo=UTC)


@pytest.mark.parametrize(("raw", "code", "field"), [
    ("{not json", "malformed_json", None),
    ("", "malformed_json", None),
    ("[1, 2]", "malformed_json", None),
    ('"a string"', "malformed_json", None),
    (json.dumps({**POLICY, "title": ""}), "validation_error", None),
    (json.dumps({**POLICY, "type": "notice"}), "validation_error", "type"),
    (json.dumps({**POLICY, "deadline": "next year"}), "validation_error", None),
    (json.dumps({**POLICY, "title": ["a", "list"]}), "validation_error", None),
    (json.dumps({**POLICY, "valid_from": "soon"}), "validation_error", "valid_from"),
    (json.dumps({**POLICY, "valid_from": "2030-02-01T00:00:00+08:00",
                 "valid_until": "2030-01-01T00:00:00+08:00"}), "validation_error", None),
    (json.dumps({**POLICY, "township_id": "abc"}), "validation_error", "township_id"),
    (b"\xff\xfe\x00garbage", "malformed_json", None),
])
def test_malformed_or_invalid_writes_are_400_and_change_nothing(refused, raw, code, field):
    from publisher.models import ContentItem

    app, _ids, api = refused
    response = api("POST", "/api/v1/policies", "editor_a", raw=raw)
    error = assert_error(response, 400, code)
    if field:
        assert error["field"] == field
    assert count(app, ContentItem) == 0


@pytest.mark.parametrize(("collection", "body", "field"), [
    ("produce", {"product": "高山土豆", "price": "1.2", "unit": "斤", "phone": "123"}, "phone"),
    ("produce", {"product": "高山土豆", "price": "1.2", "unit": "斤", "phone": "call me"},
     "phone"),
    ("policies", {**POLICY, "contact": "乡农业服务中心 1390917"}, "contact"),
    ("services", {"title": "农村低保申请", "steps": ["申请"], "contact": "1390917"}, "contact"),
])
def test_phone_numbers_that_cannot_be_dialled_are_refused(refused, collection, body, field):
    from publisher.models import ContentItem

    app, _ids, api = refused
    error = assert_error(api("POST", f"/api/v1/{collection}", "editor_a", body), 400,
                         "validation_error")
    assert error["field"] == field and "电话" in error["message"]
    assert count(app, ContentItem) == 0


def test_an_edit_with_a_bad_phone_changes_nothing(app, api):
    item = api("POST", "/api/v1/policies", "editor_a", POLICY).get_json()
    error = assert_error(api("PUT", f"/api/v1/policies/{item['id']}", "editor_a",
                             {**POLICY, "contact": "0991-12345"}), 400, "validation_error")
    assert error["field"] == "contact"
    after = api("GET", f"/api/v1/policies/{item['id']}", "editor_a").get_json()
    assert after["contact"] == POLICY["contact"] and after["version"] == 1


@pytest.mark.parametrize("user", ["reviewer_a", "cadre_a"])
def test_only_editors_write_content(refused, user):
    from publisher.models import ContentItem

    app, _ids, api = refused
    assert_error(api("POST", "/api/v1/policies", user, POLICY), 403, "forbidden")
    assert count(app, ContentItem) == 0


def test_county_admin_must_name_the_township(api, org):
    assert_error(api("POST", "/api/v1/notices", "county", {"title": "通知"}), 400,
                 "validation_error")
    created = api("POST", "/api/v1/notices", "county", {"title": "通知", "township_id": org.b})
    assert created.status_code == 201 and created.get_json()["township_id"] == org.b


def test_other_townships_content_is_404(api):
    item = api("POST", "/api/v1/policies", "editor_b", POLICY).get_json()
    for method, path, body in (("GET", f"/api/v1/policies/{item['id']}", None),
                               ("PUT", f"/api/v1/policies/{item['id']}", POLICY),
                               ("POST", f"/api/v1/policies/{item['id']}/submit", None)):
        assert_error(api(method, path, "editor_a", body), 404, "not_found")
    assert api("GET", "/api/v1/policies", "editor_a").get_json()["total"] == 0
    # Asking for the wrong collection with a right id is also 404.
    assert_error(api("GET", f"/api/v1/notices/{item['id']}", "editor_b"), 404, "not_found")


def test_unknown_paths_and_methods_answer_json(api):
    assert_error(api("GET", "/api/v1/nothing-here", "editor_a"), 404, "not_found")
    assert_error(api("GET", "/api/v2/policies", "editor_a"), 404, "not_found")
    assert_error(api("DELETE", "/api/v1/policies", "editor_a"), 405, "method_not_allowed")
    assert_error(api("POST", "/api/v1/cadres", "editor_a", {}), 405, "method_not_allowed")
    assert_error(api("GET", "/api/v1/policies/abc", "editor_a"), 404, "not_found")


@pytest.mark.parametrize("query", ["limit=0", "limit=1000", "offset=-1", "limit=x",
                                   "state=published", "township_id=x"])
def test_bad_query_parameters_are_400(refused, query):
    api = refused[2]
    assert_error(api("GET", f"/api/v1/produce?{query}", "editor_a"), 400, "validation_error")


def test_too_large_body_is_413_json(app, api):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = api("POST", "/api/v1/policies", "editor_a", raw="{" + " " * 4096 + "}")
    assert_error(response, 413, "too_large")


# ---- people ----------------------------------------------------------------------------


def test_cadres_and_channels(api, org):
    cadres = api("GET", "/api/v1/cadres", "reviewer_a").get_json()["items"]
    assert [c["name"] for c in cadres] == ["张明", "李芳"]
    assert cadres[0]["villages"] == [{"id": org.zhang, "name": "张家村"}]
    assert api("GET", f"/api/v1/cadres/{org.cadre}", "cadre_a").get_json()["post"] == "党委副书记"
    assert_error(api("GET", f"/api/v1/cadres/{org.cadre_b}", "editor_a"), 404, "not_found")
    channels = api("GET", "/api/v1/channels", "editor_a").get_json()["items"]
    assert [c["slug"] for c in channels] == ["jianshan"]
    assert channels[0]["timezone"] == "Asia/Shanghai"  # the township's: none of its own
    assert channels[0]["schedule"]["policy"] == {"weight": 3.0, "dayparts": []}
    assert len(api("GET", "/api/v1/channels", "county").get_json()["items"]) == 2
    assert_error(api("GET", f"/api/v1/channels/{org.b_channel}", "editor_a"), 404, "not_found")


def test_cadre_reports_own_whereabouts(api, org):
    response = api("POST", "/api/v1/whereabouts", "cadre_a",
                   {"status": "在村走访", "village_id": org.zhang, "activity": "走访",
                    "start_time": "08:30", "end_time": "11:00"})
    assert response.status_code == 201, response.get_json()
    report = response.get_json()
    assert (report["cadre_id"], report["source"], report["village"], report["start_time"]) == (
        org.cadre, "api", "张家村", "08:30")
    board = api("GET", "/api/v1/whereabouts", "editor_a").get_json()
    assert board["type"] == "whereabouts"
    row = next(r for r in board["rows"] if r["cadre_id"] == org.cadre)
    assert (row["status"], row["village"], row["time_window"], row["source"]) == (
        "在村走访", "张家村", "08:30-11:00", "api")


def test_staff_report_for_a_cadre_and_cadres_only_for_themselves(app, api, org):
    from publisher.models import Whereabouts

    staff = api("POST", "/api/v1/whereabouts", "reviewer_a",
                {"cadre_id": org.cadre2, "status": "请假"})
    assert staff.status_code == 201 and staff.get_json()["source"] == "staff"
    assert_error(api("POST", "/api/v1/whereabouts", "cadre_a",
                     {"cadre_id": org.cadre2, "status": "请假"}), 403, "forbidden")
    assert_error(api("POST", "/api/v1/whereabouts", "reviewer_a",
                     {"cadre_id": org.cadre_b, "status": "请假"}), 404, "not_found")
    assert count(app, Whereabouts) == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"status": "摸鱼"}, "status"),
    ({"status": "在村走访"}, "village_id"),
    ({"status": "在村走访", "village_id": "many"}, "village_id"),
    ({"status": "其他", "start_time": "noon"}, "start_time"),
    ({"status": "其他", "date": "2020-01-01"}, "date"),
    ({"status": "其他", "date": "someday"}, "date"),
    ({"status": "其他", "cadre_id": "1", "staff": True}, "cadre_id"),
])
def test_invalid_reports_are_400(refused, body, field):
    from publisher.models import Whereabouts

    app, _ids, api = refused
    user = "reviewer_a" if body.pop("staff", False) else "cadre_a"
    error = assert_error(api("POST", "/api/v1/whereabouts", user, body), 400,
                         "validation_error")
    if field:
        assert error.get("field") == field
    assert count(app, Whereabouts) == 0


def test_user_without_cadre_must_name_one(api):
    assert_error(api("POST", "/api/v1/whereabouts", "editor_a", {"status": "请假"}), 400,
                 "validation_error")


FUZZ = [None, "", "null", "[]", "{}", "0", '{"status": null}', '{"cadre_id": true}',
        '{"title": {"nested": 1}}', '{"steps": "not a list"}', '{"rows": 5}', "\u0000",
        '{"village_id": 1e309}', '{"valid_from": 12}', '{"cadre_id": -1, "status": "请假"}']


def test_garbage_never_causes_a_500(api, org):
    from flask import Flask

    app_paths = [("POST", c) for c in ("/api/v1/policies", "/api/v1/services", "/api/v1/produce",
                                       "/api/v1/notices", "/api/v1/whereabouts")]
    app_paths += [("PUT", "/api/v1/policies/1"), ("POST", "/api/v1/policies/1/submit")]
    api("POST", "/api/v1/policies", "editor_a", POLICY)
    for method, path in app_paths:
        for raw in FUZZ:
            for user in ("editor_a", "cadre_a"):
                response = api(method, path, user, raw=raw)
                assert response.status_code < 500, (method, path, raw, response.get_json())
                if response.status_code >= 400:
                    assert "error" in response.get_json()
    assert Flask  # imported to keep this test independent of app internals
