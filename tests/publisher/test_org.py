"""Organisation admin: townships, villages, channels and accounts."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.publisher import test_people_support as support
from tests.publisher.test_people_support import image_bytes, post, text_of

org, world = support.org, support.world  # fixtures: pytest finds them as module attributes


def _get(app, model, **where):  # noqa: ANN001, ANN003, ANN202
    from publisher.extensions import db

    with app.app_context():
        query = select(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        obj = db.session.scalar(query)
        if obj is not None:
            db.session.expunge(obj)
        return obj


# ---- townships -------------------------------------------------------------------------


def test_county_admin_creates_and_edits_a_township(app, client, auth, org):
    from publisher.models import AuditEvent, Township

    auth.login("county")
    response = post(client, "/org/townships/new", {
        "name": "石门乡", "county": "乾元县", "timezone": "Asia/Shanghai",
        "checkin_deadline_hour": "10", "duty_phone": "0991-7654321", "self_approval": "1"})
    assert response.status_code == 303
    created = _get(app, Township, name="石门乡")
    assert (created.checkin_deadline_hour, created.self_approval) == (10, True)
    assert "石门乡" in text_of(client.get("/org/townships"))
    response = post(client, f"/org/townships/{created.id}/edit", {
        "name": "石门乡", "timezone": "Asia/Urumqi", "checkin_deadline_hour": "8"})
    assert response.status_code == 303
    edited = _get(app, Township, id=created.id)
    assert (edited.timezone, edited.checkin_deadline_hour, edited.self_approval) == (
        "Asia/Urumqi", 8, False)
    event = _get(app, AuditEvent, target_type="township", action="edit")
    assert event.before["timezone"] == "Asia/Shanghai" and event.after["timezone"] == "Asia/Urumqi"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "必须填写"),
    ("name", "河口镇", "同名"),
    ("timezone", "Mars/Olympus", "未知的时区"),
    ("checkin_deadline_hour", "25", "0 到 23"),
    ("checkin_deadline_hour", "nine", "整数"),
    ("duty_phone", "call me", "电话"),
    ("duty_phone", "1390917", "电话格式不正确"),
])
def test_township_form_errors_are_shown_and_nothing_saved(world, field, value, message):
    from publisher.extensions import db
    from publisher.models import Township

    app = world[0]
    client = support.client_for(app, "county")
    data = {"name": "石门乡", "timezone": "Asia/Shanghai", field: value}
    response = post(client, "/org/townships/new", data)
    assert response.status_code == 400
    assert message in text_of(response)
    with app.app_context():
        assert db.session.scalar(select(Township).where(Township.name == "石门乡")) is None


def test_township_admin_cannot_manage_townships(client, auth, org):
    auth.login("admin_a")
    assert client.get("/org/townships").status_code == 403
    assert post(client, "/org/townships/new", {"name": "X"}).status_code == 403
    assert client.get("/org/").headers["Location"].endswith("/org/villages")


@pytest.mark.parametrize("username", ["editor_a", "reviewer_a", "cadre_a"])
def test_organisation_pages_are_for_admins_only(client, auth, org, username):
    auth.login(username)
    for path in ("/org/villages", "/org/channels", "/org/users", "/org/users/new"):
        assert client.get(path).status_code == 403, path


# ---- villages --------------------------------------------------------------------------


def test_admin_adds_renames_and_deletes_a_village(app, client, auth, org):
    from publisher.models import Village

    auth.login("admin_a")
    response = post(client, "/org/villages/new", {"name": "新城社区", "kind": "社区"})
    assert response.status_code == 303
    village = _get(app, Village, name="新城社区")
    assert (village.township_id, village.kind) == (org.a, "社区")
    assert post(client, f"/org/villages/{village.id}/edit",
                {"name": "新城东社区", "kind": "社区"}).status_code == 303
    assert _get(app, Village, id=village.id).name == "新城东社区"
    assert "新城东社区" in text_of(client.get("/org/villages"))
    assert post(client, f"/org/villages/{village.id}/delete").status_code == 303
    assert _get(app, Village, id=village.id) is None


def test_village_in_use_cannot_be_deleted(app, client, auth, org):
    from publisher.models import Village

    auth.login("admin_a")
    response = post(client, f"/org/villages/{org.zhang}/delete", follow_redirects=True)
    assert "不能删除" in text_of(response)
    assert _get(app, Village, id=org.zhang) is not None


def test_duplicate_village_name_is_refused(client, auth, org):
    auth.login("admin_a")
    response = post(client, "/org/villages/new", {"name": "张家村", "kind": "村"})
    assert response.status_code == 400 and "同名" in text_of(response)


# ---- channels --------------------------------------------------------------------------

CHANNEL = {"name": "监山二台", "slug": "jianshan-2", "group": "乡村频道", "profile": "576i-4x3",
           "primary_colour": "#112233", "accent_colour": "#ffcc00",
           "udp_url": "udp://239.1.1.2:1234?pkt_size=1316", "reading_pace": "2.5", "enabled": "1"}


def test_admin_creates_a_channel_with_a_logo(app, client, auth, org):
    from publisher.models import Channel

    auth.login("admin_a")
    data = {**CHANNEL, "logo": (io.BytesIO(image_bytes("PNG", (1024, 256))), "logo.png")}
    response = post(client, "/org/channels/new", data, content_type="multipart/form-data")
    assert response.status_code == 303
    channel = _get(app, Channel, slug="jianshan-2")
    assert (channel.township_id, channel.profile, channel.reading_pace, channel.accent_colour) == (
        org.a, "576i-4x3", 2.5, "#FFCC00")
    assert channel.logo_path.startswith("logos/") and channel.logo_path.endswith(".png")
    logo = client.get(f"/org/channels/{channel.id}/logo")
    assert logo.status_code == 200 and logo.mimetype == "image/png"
    listing = text_of(client.get("/org/channels"))
    assert "监山二台" in listing and "udp://239.1.1.2:1234" in listing


@pytest.mark.parametrize(("field", "value", "message"), [
    ("slug", "Bad Slug!", "小写字母"),
    ("slug", "jianshan", "已被使用"),
    ("profile", "4k", "未知的输出规格"),
    ("primary_colour", "red", "#RRGGBB"),
    ("udp_url", "http://239.1.1.1:1234", "udp://"),
    ("udp_url", "udp://239.1.1.1", "udp://"),
    ("udp_url", "udp://239.1.1.1:70000", "udp://"),
    ("reading_pace", "0.2", "1 到 10"),
    ("reading_pace", "fast", "数字"),
    ("name", "", "必须填写"),
    ("timezone", "Mars/Olympus", "未知的时区"),
    ("timezone", "../../etc/passwd", "未知的时区"),
])
def test_channel_validation(world, field, value, message):
    from publisher.models import Channel

    app = world[0]
    client = support.client_for(app, "admin_a")
    response = post(client, "/org/channels/new", {**CHANNEL, field: value})
    assert response.status_code == 400
    assert message in text_of(response)
    assert _get(app, Channel, name="监山二台") is None


def test_channel_logo_that_is_not_an_image_is_refused(app, client, auth, org):
    from publisher.models import Channel

    auth.login("admin_a")
    data = {**CHANNEL, "logo": (io.BytesIO(b"not an image"), "logo.png")}
    response = post(client, "/org/channels/new", data, content_type="multipart/form-data")
    assert response.status_code == 400 and "不是有效的图片" in text_of(response)
    assert _get(app, Channel, slug="jianshan-2") is None


# ---- accounts --------------------------------------------------------------------------


def test_admin_creates_an_account_in_their_own_township(app, client, auth, org):
    from publisher.models import User

    auth.login("admin_a")
    response = post(client, "/org/users/new", {
        "username": "wang.wu", "display_name": "王五", "role": "cadre", "password": "long-enough",
        "township_id": str(org.b)})  # ignored: a township admin creates in their own
    assert response.status_code == 303
    user = _get(app, User, username="wang.wu")
    assert (user.role, user.township_id) == ("cadre", org.a)
    auth.logout()
    assert auth.login("wang.wu", "long-enough").status_code == 302


@pytest.mark.parametrize(("data", "message"), [
    ({"username": "ab"}, "3 到 64 位"),
    ({"username": "editor_a"}, "已被使用"),
    ({"password": "short"}, "至少 8 位"),
    ({"role": "superuser"}, "未知的角色"),
    ({"display_name": ""}, "必须填写"),
])
def test_account_validation(world, data, message):
    from publisher.models import User

    app = world[0]
    client = support.client_for(app, "admin_a")
    form = {"username": "new_user", "display_name": "新人", "role": "editor",
            "password": "long-enough", **data}
    response = post(client, "/org/users/new", form)
    assert response.status_code == 400 and message in text_of(response)
    assert _get(app, User, username="new_user") is None


def test_county_admin_picks_the_township_of_a_new_account(app, client, auth, org):
    from publisher.models import User

    auth.login("county")
    form = {"username": "hk_editor", "display_name": "河口编辑", "role": "editor",
            "password": "long-enough", "township_id": str(org.b)}
    assert post(client, "/org/users/new", form).status_code == 303
    assert _get(app, User, username="hk_editor").township_id == org.b
    form = {**form, "username": "nowhere", "township_id": ""}
    response = post(client, "/org/users/new", form)
    assert response.status_code == 400 and "请选择乡镇" in text_of(response)


def test_role_change_and_no_self_demotion(app, client, auth, org):
    from publisher.models import User

    auth.login("admin_a")
    assert post(client, f"/org/users/{org.editor}/edit",
                {"display_name": "编辑甲", "role": "reviewer"}).status_code == 303
    assert _get(app, User, id=org.editor).role == "reviewer"
    response = post(client, f"/org/users/{org.admin}/edit",
                    {"display_name": "admin_a", "role": "editor"})
    assert response.status_code == 400 and "不能修改自己的角色" in text_of(response)


def test_password_reset_is_shown_once_and_works(app, client, auth, org):
    import re

    auth.login("admin_a")
    response = post(client, f"/org/users/{org.editor}/password")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    new_password = re.search(r'id="secret">([^<]+)<', text_of(response)).group(1)
    assert new_password not in text_of(client.get("/org/users"))
    auth.logout()
    assert auth.login("editor_a", "secret-pass").status_code == 200  # the old one is gone
    assert auth.login("editor_a", new_password).status_code == 302


def test_issued_api_token_works_and_is_replaced_by_the_next(app, client, auth, org):
    import re

    auth.login("admin_a")
    first = re.search(r'id="secret">([^<]+)<',
                      text_of(post(client, f"/org/users/{org.editor}/token"))).group(1)
    second = re.search(r'id="secret">([^<]+)<',
                       text_of(post(client, f"/org/users/{org.editor}/token"))).group(1)
    auth.logout()
    api = app.test_client()
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"})
    assert me.status_code == 200 and me.get_json()["username"] == "editor_a"
    old = api.get("/api/v1/me", headers={"Authorization": f"Bearer {first}"})
    assert old.status_code == 401


def test_deactivated_account_cannot_log_in_or_use_its_token(app, client, auth, org):
    from publisher.extensions import db
    from publisher.models import User

    with app.app_context():
        token = db.session.get(User, org.editor).issue_api_token()
        db.session.commit()
    auth.login("admin_a")
    assert post(client, f"/org/users/{org.editor}/active", {"active": "0"}).status_code == 303
    assert "已停用" in text_of(client.get("/org/users"))
    auth.logout()
    assert auth.login("editor_a").status_code == 200  # refused, shown the form again
    api = app.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    auth.login("admin_a")
    assert post(client, f"/org/users/{org.editor}/active", {"active": "1"}).status_code == 303
    assert _get(app, User, id=org.editor).active


def test_admin_cannot_deactivate_themselves(app, client, auth, org):
    from publisher.models import User

    auth.login("admin_a")
    response = post(client, f"/org/users/{org.admin}/active", {"active": "0"},
                    follow_redirects=True)
    assert "不能停用自己的账号" in text_of(response)
    assert _get(app, User, id=org.admin).active


def test_township_admin_sees_only_their_townships_accounts(client, auth, org):
    auth.login("admin_a")
    page = text_of(client.get("/org/users"))
    assert "editor_a" in page and "editor_b" not in page and "county" not in page


def test_organisation_changes_are_audited(app, client, auth, org):
    from publisher.extensions import db
    from publisher.models import AuditEvent

    auth.login("admin_a")
    post(client, "/org/villages/new", {"name": "新村", "kind": "村"})
    post(client, f"/org/users/{org.editor}/password")
    with app.app_context():
        actions = {(e.action, e.target_type) for e in db.session.scalars(select(AuditEvent))}
    assert {("create", "village"), ("reset_password", "user")} <= actions
