"""The admin pages and the public trigger / acknowledgement URLs."""

import io
import re

import pytest

from .conftest import HOUSEHOLD, RELATIVE


def _csrf(client, path):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def _count(app, model):
    from publisher.extensions import db

    with app.app_context():
        return db.session.query(model).count()


def test_device_trigger_is_idempotent_and_merges_repeats(app, client, world):
    from publisher.models.emergency import Incident, TriggerLog

    url = f"/emergency/trigger/{world.token}"
    first = client.post(url, headers={"Idempotency-Key": "press-1"})
    assert first.status_code == 201 and first.json["outcome"] == "new"
    again = client.post(url, headers={"Idempotency-Key": "press-1"})
    assert again.status_code == 200 and again.json == {"incident": first.json["incident"],
                                                       "outcome": "duplicate"}
    other = client.post(url, json={"idempotency_key": "press-2"})
    assert other.json["outcome"] == "merged"
    assert _count(app, Incident) == 1 and _count(app, TriggerLog) == 2


@pytest.mark.parametrize(("url", "kwargs", "status", "message"), [
    ("/emergency/trigger/not-a-token", {"headers": {"Idempotency-Key": "k"}}, 404, "令牌"),
    (None, {}, 400, "Idempotency-Key"),
    (None, {"headers": {"Idempotency-Key": "bad key with spaces"}}, 400, "Idempotency-Key"),
    (None, {"data": "{not json", "headers": {"Idempotency-Key": "k",
                                             "Content-Type": "application/json"}}, 400, "JSON"),
    (None, {"json": [1, 2], "headers": {"Idempotency-Key": "k"}}, 400, "JSON"),
    (None, {"json": {"test": "yes"}, "headers": {"Idempotency-Key": "k"}}, 400, "test"),
])
def test_malformed_triggers_get_a_clear_error_and_change_nothing(app, client, world, url,
                                                                  kwargs, status, message):
    from publisher.models.emergency import Incident, TriggerLog

    response = client.post(url or f"/emergency/trigger/{world.token}", **kwargs)
    assert response.status_code == status
    assert message in response.json["error"]
    assert _count(app, Incident) == 0 and _count(app, TriggerLog) == 0


def test_test_press_marks_the_device_healthy_without_an_incident(app, client, world, clock):
    from publisher.extensions import db
    from publisher.models.emergency import Device, Incident

    response = client.post(f"/emergency/trigger/{world.token}", json={"test": True},
                           headers={"Idempotency-Key": "t-1"})
    assert response.json == {"outcome": "test"}
    assert _count(app, Incident) == 0
    with app.app_context():
        assert db.session.get(Device, world.device).last_test_at == clock()


def test_ack_link_get_shows_a_button_and_post_acknowledges(app, client, world, clock, helpers):
    app.config["EMERGENCY_LINK_SMS"] = True  # the link follows in a second message
    result = helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    assert "/emergency/ack/" not in helpers.outbound(app)[0][1]
    link = re.search(r"(/emergency/ack/\S+)", helpers.outbound(app)[1][1]).group(1)
    page = client.get(link)
    assert page.status_code == 200 and "确认接警" in page.get_data(as_text=True)
    assert helpers.state(app, result.incident_id) == "triggered"  # a GET changes nothing
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    done = client.post(link, data={"csrf_token": token})
    assert "已确认由您接警" in done.get_data(as_text=True)
    assert helpers.state(app, result.incident_id) == "acknowledged"
    twice = client.post(link, data={"csrf_token": token})
    assert "无需再确认" in twice.get_data(as_text=True)
    assert [k for k, _ in helpers.events(app, result.incident_id)].count("acknowledge") == 1


def test_forged_ack_link_is_refused(client, world):
    response = client.get("/emergency/ack/eyJhIjoxfQ.forged.sig")
    assert response.status_code == 404 and "无效" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", [
    "/emergency/", "/emergency/incidents", "/emergency/incidents?state=resolved",
    "/emergency/households", "/emergency/households/new", "/emergency/responders",
    "/emergency/responders/new", "/emergency/policies", "/emergency/policies/new",
    "/emergency/tasks", "/emergency/sms", "/emergency/sms?all=1", "/emergency/alerts",
])
def test_admin_pages_render(client, auth, world, path):
    auth.login("boss")
    response = client.get(path)
    assert response.status_code == 200
    assert "应急联系人" in response.get_data(as_text=True)


def test_overview_claims_devices_were_tested_only_when_there_are_devices(app, client, auth,
                                                                          world):
    from publisher.extensions import db
    from publisher.models.emergency import Device

    auth.login("boss")
    page = client.get("/emergency/").get_data(as_text=True)
    assert "1 台设备都按时测试了" in page
    with app.app_context():
        db.session.query(Device).update({"active": False})
        db.session.commit()
    page = client.get("/emergency/").get_data(as_text=True)
    assert "还没有登记一键呼救设备" in page and "都按时测试了" not in page


def test_issuing_and_withdrawing_an_alert_ask_first(app, client, auth, world):
    auth.login("boss")
    page = client.get("/emergency/alerts").get_data(as_text=True)
    issue = re.search(r'<form[^>]*action="/emergency/alerts"[^>]*>', page)
    assert issue and "data-confirm=\"确定发布这条紧急通知" in issue.group(0)


def test_pages_need_login(client, world):
    assert client.get("/emergency/households").status_code == 302


def test_editor_sees_masked_values_and_cannot_reveal(app, client, auth, world):
    from publisher.models import AuditEvent

    auth.login("xiaoli")
    html = client.get(f"/emergency/households/{world.household}").get_data(as_text=True)
    assert "139****0009" in html and HOUSEHOLD not in html
    assert "110101********0010" in html and "高血压" not in html
    token = _csrf(client, "/emergency/households")
    assert client.post(f"/emergency/households/{world.household}/reveal",
                       data={"csrf_token": token}).status_code == 302
    with app.app_context():
        from publisher.extensions import db
        assert db.session.query(AuditEvent).filter_by(action="reveal").count() == 0


def test_full_view_is_shown_to_admin_and_audited(app, client, auth, world):
    from publisher.extensions import db
    from publisher.models import AuditEvent

    auth.login("boss")
    token = _csrf(client, "/emergency/households")
    html = client.post(f"/emergency/households/{world.household}/reveal",
                       data={"csrf_token": token}).get_data(as_text=True)
    assert HOUSEHOLD in html and "110101194801010010" in html and "高血压" in html
    with app.app_context():
        (event,) = db.session.query(AuditEvent).filter_by(action="reveal").all()
        assert event.target_id == str(world.household)


def test_sensitive_values_are_encrypted_at_rest(app, world):
    from sqlalchemy import MetaData, select

    from publisher.extensions import db

    with app.app_context():
        tables = MetaData()
        tables.reflect(db.engine)  # every table in the database, not only the models'
        with db.engine.connect() as conn:
            dump = "\n".join(repr(row) for table in tables.tables.values()
                             for row in conn.execute(select(table)))
    assert "王大爷" not in dump and "张家村" in dump  # the dump does hold the plain columns
    for secret in (HOUSEHOLD, "110101194801010010", "高血压", RELATIVE):
        assert secret not in dump


def test_household_form_validates_in_chinese_and_saves_nothing_when_bad(app, client, auth,
                                                                        world):
    from publisher.models.emergency import Household

    auth.login("boss")
    token = _csrf(client, "/emergency/households/new")
    base = {"csrf_token": token, "village_id": world.village, "kind": "留守儿童",
            "name": "小明", "call_plan_id": 0}
    for extra, message in [({"phones": "本人 12ab"}, "电话号码无效"),
                           ({"members": "小明 本人 2015 110101201506010028"}, "校验位"),
                           ({"members": "小明 本人 公元前"}, "出生年份"),
                           ({"name": ""}, "此项必须填写")]:
        response = client.post("/emergency/households/new", data={**base, **extra})
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _count(app, Household) == 1
    ok = client.post("/emergency/households/new", data={
        **base, "phones": "奶奶 13700000000", "members": "小明 本人 2015 110101201506010029"})
    assert ok.status_code == 302 and _count(app, Household) == 2


def test_edit_page_round_trips_the_record(app, client, auth, world):
    auth.login("boss")
    form = client.get(f"/emergency/households/{world.household}/edit").get_data(as_text=True)
    assert "本人 13900000009" in form and "110101194801010010" in form
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    response = client.post(f"/emergency/households/{world.household}/edit", data={
        "csrf_token": token, "village_id": world.village, "kind": "空巢老人", "name": "王大爷",
        "address": "张家村3组12号", "phones": "本人 13900000009\n女儿 13700000001",
        "members": "王大爷 本人 1948 110101194801010010", "medical_notes": "高血压",
        "call_plan_id": world.call_plan})
    assert response.status_code == 302
    from publisher.emergency.registry import household_by_phone

    with app.app_context():
        assert household_by_phone("13700000001").id == world.household


def test_policy_form_refuses_a_too_short_wait(app, client, auth, world):
    auth.login("boss")
    token = _csrf(client, "/emergency/policies/new")
    response = client.post("/emergency/policies/new", data={
        "csrf_token": token, "name": "快", "steps-0-responder_id": world.relative,
        "steps-0-channels": "sms", "steps-0-wait_seconds": 4, "repeat_count": 0,
        "final_phone": "09911234567"})
    assert "等待时间须在" in response.get_data(as_text=True)


def test_drill_button_starts_a_drill(app, client, auth, world):
    from publisher.extensions import db
    from publisher.models import Incident

    auth.login("boss")
    token = _csrf(client, "/emergency/households")
    response = client.post(f"/emergency/households/{world.household}/drill",
                           data={"csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.query(Incident).one().is_drill


def test_incident_page_shows_the_log_and_resolve_needs_a_note(app, client, auth, world, clock,
                                                              helpers):
    result = helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    auth.login("boss")
    page = client.get(f"/emergency/incidents/{result.incident_id}").get_data(as_text=True)
    assert "呼救设备触发呼救" in page and "138****0002" in page
    token = _csrf(client, f"/emergency/incidents/{result.incident_id}")
    url = f"/emergency/incidents/{result.incident_id}/resolve"
    client.post(url, data={"csrf_token": token, "note": ""})
    assert helpers.state(app, result.incident_id) == "triggered"
    assert "请填写处置结果" in client.get(f"/emergency/incidents/{result.incident_id}").get_data(
        as_text=True)
    client.post(url, data={"csrf_token": token, "note": "已送医"})
    assert helpers.state(app, result.incident_id) == "resolved"


def test_issue_alert_creates_an_approved_alert_item(app, client, auth, world):
    from publisher.extensions import db
    from publisher.models import ContentItem

    auth.login("boss")
    token = _csrf(client, "/emergency/alerts")
    response = client.post("/emergency/alerts", data={
        "csrf_token": token, "title": "暴雨红色预警", "body": "请村民远离河道。",
        "severity": "特别严重", "issued_by": "监山乡政府", "expires": "2026-11-23T18:00"})
    assert response.status_code == 302
    with app.app_context():
        item = db.session.query(ContentItem).one()
        version = item.latest
        assert (item.kind, version.state, version.render_state) == ("alert", "approved", "queued")
        assert set(version.data) >= {"title", "body", "severity", "issued_by", "expires"}
        assert version.valid_until.hour == 10  # 18:00 Beijing time = 10:00 UTC
    page = client.get("/emergency/alerts").get_data(as_text=True)
    withdraw = re.search(r'<form[^>]*/withdraw"[^>]*>', page)
    assert withdraw and "确定解除紧急通知“暴雨红色预警”" in withdraw.group(0)


def test_editor_may_not_issue_alerts(client, auth, world):
    auth.login("xiaoli")
    token = _csrf(client, "/emergency/alerts")
    assert client.post("/emergency/alerts", data={"csrf_token": token, "title": "x"}
                       ).status_code == 403


def test_alert_form_errors_are_shown(client, auth, world):
    auth.login("boss")
    token = _csrf(client, "/emergency/alerts")
    response = client.post("/emergency/alerts", data={"csrf_token": token, "title": "",
                                                      "expires": "明天"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "此项必须填写" in html and "失效时间" in html


def test_malformed_cap_upload_gets_an_error_and_changes_nothing(app, client, auth, world):
    from publisher.models import ContentItem
    from publisher.models.emergency import CapMessage

    auth.login("boss")
    token = _csrf(client, "/emergency/alerts")
    response = client.post("/emergency/alerts/cap", data={
        "csrf_token": token, "file": (io.BytesIO(b"<alert>oops"), "a.xml")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "CAP 文件无法导入" in response.get_data(as_text=True)
    assert _count(app, ContentItem) == 0 and _count(app, CapMessage) == 0


def _inbound_sms(app, number, text):
    from publisher.extensions import db
    from publisher.models import SmsMessage

    with app.app_context():
        db.session.add(SmsMessage(direction="in", number=number, text=text,
                                  status="unmatched"))
        db.session.commit()


def test_sms_page_masks_numbers_and_full_view_is_audited(app, client, auth, world):
    from publisher.extensions import db
    from publisher.models import AuditEvent

    _inbound_sms(app, "13612345678", "你好")
    auth.login("xiaoli")  # an editor: masked, even when asking for more
    for path in ("/emergency/sms", "/emergency/sms?all=1&full=1"):
        html = client.get(path).get_data(as_text=True)
        assert "136****5678" in html and "13612345678" not in html
    auth.logout()
    auth.login("boss")
    assert "13612345678" not in client.get("/emergency/sms").get_data(as_text=True)
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="reveal").count() == 0
    assert "13612345678" in client.get("/emergency/sms?full=1").get_data(as_text=True)
    with app.app_context():
        (event,) = db.session.query(AuditEvent).filter_by(action="reveal").all()
        assert event.target_type == "sms"


def test_responder_edit_form_shows_the_full_number_audited(app, client, auth, world):
    from publisher.extensions import db
    from publisher.models import AuditEvent

    auth.login("boss")
    assert RELATIVE not in client.get("/emergency/responders").get_data(as_text=True)
    html = client.get(f"/emergency/responders/{world.relative}/edit").get_data(as_text=True)
    assert RELATIVE in html
    with app.app_context():
        (event,) = db.session.query(AuditEvent).filter_by(action="reveal").all()
        assert (event.target_type, event.target_id) == ("responder", str(world.relative))
