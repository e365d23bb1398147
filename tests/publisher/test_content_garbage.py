"""Garbage in, no 500 out: random, oversized and malformed input to every form and filter."""

from __future__ import annotations

import io
import random

import pytest

from tests.publisher import test_content_support as support
from tests.publisher.test_content_support import counts, form_of, item_state

# Fixtures shared by the content tests (pytest finds them as module attributes).
login, make_item, office = support.login, support.make_item, support.office

FIELDS = ["title", "category", "eligibility", "amount", "how_to_apply", "deadline",
          "source_document", "contact", "body", "steps", "documents", "location",
          "office_hours", "time_limit", "fee", "product", "village", "seller", "price", "unit",
          "quantity", "phone", "available_until", "description", "issued_by", "date",
          "valid_from", "valid_until", "save", "save_submit", "remove_photo", "note", "reason",
          "self_approval", "checkin_deadline_hour", "duty_phone", "type", "id", "township_id"]
NASTY = ["", " ", "\x00\x01\x02", "'; DROP TABLE content_item; --", "<script>alert(1)</script>",
         "🐷🌾" * 50, "０" * 30, "-1", "1e308", "NaN", "2030-02-30", "0001-01-01T00:00",
         "9999-12-31T23:59", "20250-01-01", "{{ 7*7 }}", "%(title)s", "\u202e反转", "a\r\nb\n\n"]
# POST routes; {id} is a pending policy of the user's own township.
FORM_ROUTES = [
    "/content/policy/new", "/content/service/new", "/content/produce/new", "/content/notice/new",
    "/content/policy/{id}/edit", "/content/policy/preview", "/content/policy/{id}/preview",
    "/content/policy/{id}/submit", "/content/policy/{id}/withdraw",
    "/review/{id}/approve", "/review/{id}/reject", "/settings",
]


def _random_form(rng: random.Random) -> dict[str, list[str]]:
    form: dict[str, list[str]] = {}
    for name in rng.sample(FIELDS, rng.randint(1, len(FIELDS))):
        form[name] = [rng.choice(NASTY) if rng.random() < 0.7 else
                      "".join(chr(rng.randint(32, 0x9FFF)) for _ in range(rng.randint(1, 300)))
                      for _ in range(rng.choice([1, 1, 1, 2]))]
    return form


@pytest.mark.parametrize("url", FORM_ROUTES)
def test_random_fields_never_cause_a_server_error(app, login, make_item, url):
    item_id = make_item("policy", state="pending")
    admin = login("admin")
    rng = random.Random(url)  # reproducible per route
    for _ in range(12):
        response = admin.post(url.format(id=item_id), _random_form(rng))
        assert response.status_code < 500, response.get_data(as_text=True)[:500]


@pytest.mark.parametrize("url", [r for r in FORM_ROUTES if "preview" not in r
                                 and not r.endswith(("submit", "withdraw", "approve"))])
def test_oversized_fields_are_refused_and_change_nothing(app, login, make_item, url):
    item_id = make_item("policy", state="pending")
    admin = login("admin")
    before = (counts(app), item_state(app, item_id))
    huge = "长" * 5_000  # beyond every limit (the longest is 4000), below the upload cap
    form = {**form_of("service"), **form_of("produce"), **form_of("notice"),
            **form_of("policy")}
    form = {name: huge for name in form} | {"save": "1", "note": huge, "reason": huge,
                                            "duty_phone": huge, "checkin_deadline_hour": "9"}
    response = admin.post(url.format(id=item_id), form)
    assert response.status_code == 400
    assert "不能超过" in response.get_data(as_text=True)
    assert (counts(app), item_state(app, item_id)) == before


def test_far_away_dates_are_refused_not_crashing(app, login):
    editor = login("editor")
    before = counts(app)
    for value in ("0001-01-01T00:00", "1850-06-01T08:00"):
        response = editor.post("/content/notice/new", form_of("notice", valid_from=value,
                                                              save="1"))
        assert response.status_code == 400
        assert "日期超出范围" in response.get_data(as_text=True)
    assert counts(app) == before


GARBAGE_QUERIES = [
    "q=" + "x" * 5000, "page=99999999999999999999", "page=abc", "state=%00", "from=2030-99-99",
    "to=--", "category=%27%22", "on_air[]=1", "from=0001-01-01&to=9999-12-31",
    "user=abc&action=%00&type=" + "y" * 500, "user=99999999999999999999",
]


@pytest.mark.parametrize("path", ["/content/policy", "/content/produce", "/audit"])
def test_garbage_filters_are_ignored(login, office, path):
    admin = login("admin")
    for query in GARBAGE_QUERIES:
        assert admin.get(f"{path}?{query}").status_code == 200, query


def test_a_file_that_is_not_a_photo_is_refused_in_chinese(app, login):
    editor = login("editor")
    before = counts(app)
    fields = {**form_of("produce", save="1"),
              "photo": (io.BytesIO(b"MZ this is not a picture"), "potato.jpg")}
    response = editor.post("/content/produce/new", fields, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "不是有效的图片" in response.get_data(as_text=True)
    assert counts(app) == before
    fields["photo"] = (io.BytesIO(b"#!/bin/sh"), "potato.sh")
    response = editor.post("/content/produce/new", fields, content_type="multipart/form-data")
    assert response.status_code == 400 and "JPG 或 PNG" in response.get_data(as_text=True)


def test_a_real_photo_is_stored_and_kept_on_edit(app, login):
    from PIL import Image
    from sqlalchemy import select

    from publisher.extensions import db
    from publisher.models import ContentItem

    png = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(png, "PNG")
    png.seek(0)
    editor = login("editor")
    fields = {**form_of("produce", save="1"), "photo": (png, "tudou.png")}
    assert editor.post("/content/produce/new", fields,
                       content_type="multipart/form-data").status_code == 302
    with app.app_context():
        item = db.session.scalars(select(ContentItem)).one()
        photo = item.latest.data["photo"]
        item_id = item.id
    assert photo and photo.startswith(str(app.config["UPLOAD_DIR"]))
    editor.post(f"/content/produce/{item_id}/edit", form_of("produce", price="2", save="1"))
    with app.app_context():
        assert db.session.get(ContentItem, item_id).latest.data["photo"] == photo
    editor.post(f"/content/produce/{item_id}/edit", form_of("produce", remove_photo="y",
                                                            save="1"))
    with app.app_context():
        assert db.session.get(ContentItem, item_id).latest.data["photo"] is None
