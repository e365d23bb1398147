"""A kind declared once is served and documented by the API with no other edit: a throwaway
kind added to the declarations gets its routes, its OpenAPI schema (fields, limits, help,
personal data marked) and the content service's checks."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from renderer.declare import PHONE, TEXT, Field, KindDeclaration


@dataclass(frozen=True)
class JobItem:
    title: str
    employer: str = ""
    contact_name: str = ""
    phone: str = ""
    type: str = "job"


JOBS = KindDeclaration(
    name="job", label="招工信息", order=45, item=JobItem, collection="jobs",
    fields=(
        Field("title", "岗位名称", TEXT, 30, True, help="例如：果园采摘工"),
        Field("employer", "用工单位", TEXT, 40),
        Field("contact_name", "联系人", TEXT, 12, personal=True),
        Field("phone", "联系电话", PHONE, 30),
    ),
)


@pytest.fixture
def jobs_app(tmp_path, database_uri, monkeypatch):  # noqa: ANN001, ANN201
    """An app made after the kind was declared (routes are read from the declarations)."""
    from publisher import create_app
    from renderer.kinds import KINDS

    monkeypatch.setitem(KINDS, JOBS.name, JOBS)
    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": database_uri})
    yield app
    from publisher.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_declared_kind_is_documented_with_its_fields(jobs_app):
    spec = jobs_app.test_client().get("/api/openapi.json").get_json()
    assert {"get", "post"} <= set(spec["paths"]["/api/v1/jobs"])
    assert {"get", "put"} <= set(spec["paths"]["/api/v1/jobs/{id}"])
    assert spec["paths"]["/api/v1/jobs"]["post"]["tags"] == ["招工信息"]
    schema = spec["components"]["schemas"]["JobItem"]
    assert schema["required"] == ["title"]
    props = schema["properties"]
    assert props["title"]["maxLength"] == 30 and "果园采摘工" in props["title"]["description"]
    assert props["type"]["enum"] == ["job"]
    assert props["contact_name"]["x-personal"] is True
    assert "个人信息" in props["contact_name"]["description"]
    assert "x-personal" not in props["employer"]
    from openapi_spec_validator import validate

    validate(spec)


def test_a_declared_kind_is_served_through_the_content_service(jobs_app):
    from publisher.extensions import db
    from publisher.models import Township, User

    with jobs_app.app_context():
        township = Township(name="监山乡", county="乾元县")
        db.session.add(township)
        db.session.flush()
        editor = User(username="ed", display_name="ed", role="editor", township_id=township.id)
        editor.set_password("secret-pass")
        db.session.add(editor)
        db.session.flush()
        token = editor.issue_api_token()
        db.session.commit()
    client = jobs_app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post("/api/v1/jobs", headers=headers,
                          json={"title": "果园采摘工", "employer": "张家村合作社",
                                "phone": "13891701234"})
    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    assert (item["type"], item["state"], item["employer"]) == ("job", "draft", "张家村合作社")
    listed = client.get("/api/v1/jobs", headers=headers).get_json()
    assert [i["id"] for i in listed["items"]] == [item["id"]]
    # The declaration's limit and the phone check apply, in Chinese, naming the field.
    too_long = client.post("/api/v1/jobs", headers=headers, json={"title": "工" * 31})
    assert too_long.status_code == 400 and "岗位名称" in too_long.get_json()["error"]["message"]
    bad_phone = client.post("/api/v1/jobs", headers=headers,
                            json={"title": "采摘工", "phone": "call me"})
    assert bad_phone.status_code == 400
    assert bad_phone.get_json()["error"]["field"] == "phone"
