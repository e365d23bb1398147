"""Every error a township officer can meet, at every door, is told in Chinese: error pages
(400, 403, 404, 405, 410, 413), form and import messages, API errors, the CAP upload and a
device's press. The scan takes each message shown and looks for English words in it."""

from __future__ import annotations

import io
import json
import re

import pytest

from renderer.fields import FIELDS
from tests.publisher import test_content_support as support
from tests.publisher.test_content_support import SAMPLES, form_of

office, login = support.office, support.login  # fixtures: pytest finds module attributes

# Not English prose: names of formats, protocols and units an officer meets on the forms, and
# (API only) the field names a client sends.
TERMS = {"Excel", "xlsx", "CSV", "UTF", "JSON", "API", "CAP", "XML", "PNG", "JPG", "JPEG",
         "GIF", "BMP", "PDF", "WebP", "MB", "KB", "ISO", "Bearer", "Authorization", "Key",
         "Idempotency", "true", "false", "NaN", "Infinity", "xls", "info", "alert"}
FIELD_NAMES = {f.name for fields in FIELDS.values() for f in fields} | {
    "valid_from", "valid_until", "priority", "township_id", "type", "limit", "offset", "state",
    "test", "policy", "service", "produce", "notice", "draft", "pending", "approved",
    "rejected", "superseded"}
WORD = re.compile(r"[A-Za-z][A-Za-z_]{2,}")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def english_words(message: str, allowed: set[str] = TERMS) -> list[str]:
    return [w for w in WORD.findall(message) if w not in allowed]


def page_messages(html: str) -> list[str]:
    """What an error page or a refused form tells the user (flash, field errors, the card)."""
    found = re.findall(r'class="(?:flash flash-\w+|error)"[^>]*>(.*?)</(?:div|p)>', html, re.S)
    found += re.findall(r'<section class="card narrow">\s*<h1>\d+</h1>\s*<p>(.*?)</p>', html,
                        re.S)
    return [re.sub(r"<[^>]+>", "", m).strip() for m in found if m.strip()]


def assert_chinese(messages: list[str], allowed: set[str] = TERMS) -> None:
    assert messages, "no message shown"
    for message in messages:
        assert CHINESE.search(message), message
        assert english_words(message, allowed) == [], message


def test_error_pages(app, login):
    staff = login("editor")
    assert_chinese(page_messages(staff.get("/no/such/page").get_data(as_text=True)))
    assert_chinese(page_messages(staff.get("/content/policy/999999").get_data(as_text=True)))
    forbidden = staff.get("/org/users")
    assert forbidden.status_code in (403, 404)
    assert_chinese(page_messages(forbidden.get_data(as_text=True)))
    wrong_method = staff.client.delete("/content/policy")
    assert wrong_method.status_code == 405
    assert_chinese(page_messages(wrong_method.get_data(as_text=True)))
    app.config["MAX_CONTENT_LENGTH"] = 1024
    too_big = staff.post("/imports/produce", {"file": (io.BytesIO(b"x" * 4096), "a.csv")},
                         content_type="multipart/form-data")
    assert too_big.status_code == 413
    html = too_big.get_data(as_text=True)
    assert_chinese(page_messages(html))
    assert "10 MB" in html  # the limit is stated


def test_form_messages(app, login):
    staff = login("editor")
    for kind in ("policy", "produce", "notice"):
        bad = form_of(kind, save="1")
        bad.update({"title": "字" * 61, "product": "", "price": "-1", "deadline": "0001-01-01",
                    "valid_from": "9999-12-31T00:00", "body": "字" * 4001})
        response = staff.post(f"/content/{kind}/new", bad)
        assert response.status_code == 400
        assert_chinese(page_messages(response.get_data(as_text=True)))


@pytest.mark.parametrize(("upload", "name"), [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "photo.xlsx"),  # a picture renamed
    (b"PK\x03\x04" + b"\x00" * 200, "broken.xlsx"),  # a damaged workbook
    (("产品名称,价格,单位\n" + "字" * 30 + ",1,斤\n").encode(), "long.csv"),  # too long
    ("产品名称,价格,单位\n土豆,NaN,斤\n土豆,-1,斤\n土豆,1e308,斤\n".encode(), "nan.csv"),
    (b"\xff\xfe\x00\x00garbage", "odd.csv"),
])
def test_import_messages(app, login, upload, name):
    staff = login("editor")
    response = staff.post("/imports/produce", {"file": (io.BytesIO(upload), name)},
                          content_type="multipart/form-data")
    assert response.status_code == 400 or "错误" in response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    # The preview's table of row errors: the third cell of each row says what is wrong.
    messages = page_messages(html) + re.findall(
        r"<tr><td>第 \d+ 行</td><td>[^<]*</td><td>([^<]*)</td></tr>", html)
    assert_chinese(messages)
    assert "not well-formed" not in html and "longer than" not in html


def test_a_preview_confirmed_twice_is_a_chinese_410(app, login):
    staff = login("editor")
    csv = "产品名称,价格,单位\n土豆,1.2,斤\n土豆,1.2,斤\n".encode()
    preview = staff.post("/imports/produce", {"file": (io.BytesIO(csv), "a.csv")},
                         content_type="multipart/form-data").get_data(as_text=True)
    assert "完全相同" in preview  # the duplicate row is pointed out
    token = re.search(r'name="token" value="([^"]+)"', preview).group(1)
    assert staff.post("/imports/produce/commit", {"token": token}).status_code in (302, 303)
    again = staff.post("/imports/produce/commit", {"token": token})
    assert again.status_code == 410
    assert_chinese(page_messages(again.get_data(as_text=True)))


def test_api_messages(app, office):
    from publisher.extensions import db
    from publisher.models import User

    with app.app_context():
        token = db.session.get(User, office.editor).issue_api_token()
        db.session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    cases = [
        ("POST", "/api/v1/notices", "{not json", auth),
        ("POST", "/api/v1/produce", json.dumps({**SAMPLES["produce"], "price": float("nan")}),
         auth),
        ("POST", "/api/v1/produce", json.dumps({**SAMPLES["produce"], "price": -1}), auth),
        ("POST", "/api/v1/policies", json.dumps({**SAMPLES["policy"], "body": "字" * 100_000}),
         auth),
        ("POST", "/api/v1/policies", json.dumps({**SAMPLES["policy"], "deadline": "9999-12-31"}),
         auth),
        ("POST", "/api/v1/notices", json.dumps({**SAMPLES["notice"], "title": "字" * 61}), auth),
        ("POST", "/api/v1/notices", json.dumps({**SAMPLES["notice"], "colour": "red"}), auth),
        ("POST", "/api/v1/notices", json.dumps(SAMPLES["notice"]), {}),
        ("GET", "/api/v1/notices/999999", None, auth),
        ("DELETE", "/api/v1/notices", None, auth),
        ("GET", "/api/v1/nothing-here", None, auth),
    ]
    for method, path, body, headers in cases:
        response = client.open(path, method=method, data=body, headers=headers,
                               content_type="application/json")
        assert 400 <= response.status_code < 500, (path, response.status_code)
        message = response.get_json()["error"]["message"]
        assert_chinese([message], TERMS | FIELD_NAMES | {"colour"})  # echoes the client's key


def test_cap_upload_message(app, login):
    staff = login("admin")
    response = staff.post("/emergency/alerts/cap",
                          {"file": (io.BytesIO(b"<alert><oops></alert>"), "warn.xml")},
                          content_type="multipart/form-data")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "not well-formed" not in html
    assert_chinese([m for m in page_messages(html) if "CAP" in m])


def test_alert_expiry_at_the_end_of_the_calendar_is_refused_in_chinese(app, login):
    staff = login("admin")
    for expires in ("0001-01-01T00:00", "9999-12-31T23:59"):
        response = staff.post("/emergency/alerts", {
            "title": "暴雨预警", "body": "请转移。", "severity": "严重", "issued_by": "乡应急办",
            "expires": expires})
        assert response.status_code == 400
        assert_chinese(page_messages(response.get_data(as_text=True)))


def test_a_cap_exercise_does_not_say_it_was_published(app, office):
    from datetime import timedelta

    from publisher.emergency import alerts
    from publisher.extensions import db
    from publisher.models import Township, utcnow
    from tests.emergency.test_cap import cap_xml

    now = utcnow()
    with app.app_context():
        township = db.session.get(Township, office.a)
        result = alerts.ingest_cap(township, cap_xml(
            identifier="E-9", status="Exercise",
            expires=(now + timedelta(hours=3)).replace(microsecond=0)).encode(), now)
    assert result["outcome"] == "exercise"
    assert "不会在频道播出" in result["detail"] and "已发布" not in result["detail"]
