"""Cadres and duty assignments: list, search, create, edit, photo, deactivate."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from tests.publisher import test_people_support as support
from tests.publisher.test_people_support import image_bytes, post, text_of

org, world = support.org, support.world  # fixtures: pytest finds them as module attributes

FORM = {"name": "王刚", "post": "武装部长", "phone": "139 0000 3333",
        "office_phone": "0991-7654321", "responsibilities": "武装、应急", "sort_order": "30",
        "active": "1"}


def _cadre(app, name: str):  # noqa: ANN001, ANN202
    from publisher.extensions import db
    from publisher.models import Cadre

    with app.app_context():
        cadre = db.session.scalar(select(Cadre).where(Cadre.name == name))
        if cadre is None:
            return None
        return {"id": cadre.id, "phone": cadre.phone, "post": cadre.post, "active": cadre.active,
                "villages": sorted(v.name for v in cadre.villages),
                "photo_path": cadre.photo_path, "user_id": cadre.user_id,
                "township_id": cadre.township_id}


def test_list_shows_own_townships_cadres_in_roster_order(client, auth, org):
    auth.login("editor_a")
    page = text_of(client.get("/cadres"))
    assert page.index("张明") < page.index("李芳")
    assert "张家村" in page and "0991-1234567" in page
    assert "赵强" not in page  # another township


def test_search_by_name_post_village_or_phone(client, auth, org):
    auth.login("reviewer_a")
    for query, hit, miss in (("李", "李芳", "张明"), ("副书记", "张明", "李芳"),
                             ("张家村", "张明", "李芳"), ("1390000", "李芳", "张明")):
        page = text_of(client.get("/cadres", query_string={"q": query}))
        assert hit in page and miss not in page, query


def test_reviewer_sees_the_list_but_cannot_edit(client, auth, org):
    auth.login("reviewer_a")
    assert "新增干部" not in text_of(client.get("/cadres"))
    assert client.get("/cadres/new").status_code == 403
    assert post(client, f"/cadres/{org.cadre}/active", {"active": "0"}).status_code == 403


def test_cadre_role_cannot_open_staff_pages(client, auth, org):
    auth.login("cadre_a")
    for path in ("/cadres", "/whereabouts", "/imports/", f"/whereabouts/{org.cadre}/report"):
        assert client.get(path).status_code == 403, path


def test_editor_creates_a_cadre_with_villages_and_photo(app, client, auth, org):
    auth.login("editor_a")
    data = {**FORM, "village_ids": [str(org.zhang), str(org.li)],
            "photo": (io.BytesIO(image_bytes("JPEG", (3000, 2000))), "me.jpg")}
    response = post(client, "/cadres/new", data, content_type="multipart/form-data")
    assert response.status_code == 303
    cadre = _cadre(app, "王刚")
    assert cadre["phone"] == "13900003333"  # spaces removed
    assert cadre["villages"] == ["张家村", "李家沟村"]
    assert cadre["township_id"] == org.a
    assert cadre["photo_path"].startswith("cadres/")
    photo = client.get(f"/cadres/{cadre['id']}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert "已保存干部“王刚”" in text_of(client.get("/cadres"))


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "必须填写"),
    ("name", "欧阳诸葛司马上官东方慕容令狐", "12"),
    ("phone", "1381234567", "11 位"),
    ("phone", "23812345678", "11 位"),
    ("phone", "13812345678", "已登记给干部“张明”"),
    ("phone", "1390917", "11 位"),
    ("office_phone", "office", "电话格式不正确"),
    ("office_phone", "1390917", "电话格式不正确"),
    ("office_phone", "123", "电话格式不正确"),
    ("sort_order", "first", "整数"),
    ("sort_order", "-5", "0 到 9999"),
])
def test_invalid_cadre_input_is_shown_next_to_the_field(world, field, value, message):
    app = world[0]
    client = support.client_for(app, "editor_a")
    response = post(client, "/cadres/new", {**FORM, field: value})
    assert response.status_code == 400
    # The message sits under its own input (not only at the top of the form).
    assert re.search(rf'<p class="error" id="e-{field}">[^<]*{re.escape(message)}',
                     text_of(response))
    assert 'aria-invalid="true"' in text_of(response)
    assert _cadre(app, "王刚") is None


@pytest.mark.parametrize(("name", "office"), [
    ("王一", "0991-7654321"), ("王二", "0991-7654321转801"), ("王三", "13900005555"),
    ("王四", "400-123-4567"), ("王五", ""),
])
def test_office_phones_that_can_be_dialled_are_accepted(world, name, office):
    app = world[0]
    client = support.client_for(app, "editor_a")
    response = post(client, "/cadres/new", {**FORM, "name": name, "phone": "",
                                            "office_phone": office})
    assert response.status_code == 303, text_of(response)
    assert _cadre(app, name) is not None


def test_villages_of_another_township_are_refused(app, client, auth, org):
    auth.login("editor_a")
    response = post(client, "/cadres/new", {**FORM, "village_ids": [str(org.b_village)]})
    assert response.status_code == 400 and "不属于本乡镇" in text_of(response)
    assert _cadre(app, "王刚") is None


def test_a_bad_photo_keeps_the_cadre_unchanged(app, client, auth, org):
    auth.login("editor_a")
    data = {**FORM, "name": "张明", "phone": "13812345678",
            "photo": (io.BytesIO(b"GIF89a but not really"), "me.gif")}
    response = post(client, f"/cadres/{org.cadre}/edit", data,
                    content_type="multipart/form-data")
    assert response.status_code == 400 and "不是有效的图片" in text_of(response)
    cadre = _cadre(app, "张明")
    assert cadre["post"] == "党委副书记" and cadre["photo_path"] == ""
    assert not (app.config["UPLOAD_DIR"] / "cadres").exists() or not any(
        (app.config["UPLOAD_DIR"] / "cadres").iterdir())


def test_edit_changes_villages_and_links_an_account(app, client, auth, org):
    from publisher.extensions import db
    from publisher.models import AuditEvent
    from tests.publisher.test_people_support import add_user

    with app.app_context():
        new_user = add_user("li_fang", "cadre", org.a)
        db.session.commit()
    auth.login("editor_a")
    form = text_of(client.get(f"/cadres/{org.cadre2}/edit"))
    assert "li_fang" in form and "cadre_a" not in form  # cadre_a is linked to 张明 already
    data = {"name": "李芳", "post": "副乡长", "phone": "13900001111",
            "village_ids": [str(org.li)], "user_id": str(new_user), "active": "1"}
    assert post(client, f"/cadres/{org.cadre2}/edit", data).status_code == 303
    cadre = _cadre(app, "李芳")
    assert cadre["villages"] == ["李家沟村"] and cadre["user_id"] == new_user
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.target_type == "cadre",
                                                           AuditEvent.action == "edit"))
        assert event.after["villages"] == ["李家沟村"] and event.before["villages"] == []


def test_deactivate_and_restore(app, client, auth, org):
    auth.login("editor_a")
    assert post(client, f"/cadres/{org.cadre2}/active", {"active": "0"}).status_code == 303
    assert _cadre(app, "李芳")["active"] is False
    assert "<strong>李芳</strong>" not in text_of(client.get("/cadres"))
    assert "<strong>李芳</strong>" in text_of(client.get("/cadres?inactive=1"))
    assert post(client, f"/cadres/{org.cadre2}/active", {"active": "1"}).status_code == 303
    assert _cadre(app, "李芳")["active"] is True


def test_county_admin_works_on_a_chosen_township(app, client, auth, org):
    auth.login("county")
    page = text_of(client.get(f"/cadres?township_id={org.b}"))
    assert "赵强" in page and "张明" not in page
    data = {**FORM, "township_id": str(org.b), "village_ids": [str(org.b_village)]}
    assert post(client, "/cadres/new", data).status_code == 303
    assert _cadre(app, "王刚")["township_id"] == org.b
