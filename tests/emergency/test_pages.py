"""What staff read on the emergency pages: township time, Chinese labels, field errors,
the sub-navigation."""

import re
from datetime import timedelta

import pytest

from .conftest import T0


def _csrf(client, path):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def _set_zone(app, township_id, zone):
    from publisher.extensions import db
    from publisher.models import Township

    with app.app_context():
        db.session.get(Township, township_id).timezone = zone
        db.session.commit()


@pytest.fixture
def activity(app, world, clock, helpers):
    """An incident with its first step sent, a device test, an overdue test task, an SMS.

    Everything happened at T0 (01:00 UTC, 09:00 in Beijing) or a whole hour after it.
    """
    from publisher.extensions import db
    from publisher.models import SmsMessage
    from publisher.models.emergency import Device, DeviceTask

    result = helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    with app.app_context():
        device = db.session.get(Device, world.device)
        device.last_test_at = T0
        db.session.add(DeviceTask(township_id=world.township, device_id=device.id,
                                  due_at=T0 + timedelta(hours=1), created_at=T0))
        db.session.add(SmsMessage(direction="in", number="13612345678", text="你好",
                                  status="unmatched", received_at=T0, created_at=T0))
        db.session.commit()
    return result.incident_id


def _pages(world, incident_id):
    return {
        "/emergency/": "11-23 09:00",
        "/emergency/incidents": "2026-11-23 09:00:00",
        f"/emergency/incidents/{incident_id}": "2026-11-23 09:00:00",
        f"/emergency/households/{world.household}": "2026-11-23 09:00",
        "/emergency/tasks": "2026-11-23 10:00",
        "/emergency/sms": "11-23 09:00",
    }


def test_pages_show_township_time_and_no_utc(client, auth, world, activity):
    auth.login("boss")
    for path, local in _pages(world, activity).items():
        html = client.get(path).get_data(as_text=True)
        assert "UTC" not in html, path
        assert local in html, path


def test_pages_follow_the_townships_own_zone(app, client, auth, world, activity):
    _set_zone(app, world.township, "Asia/Urumqi")  # UTC+6: T0 is 07:00 there
    auth.login("boss")
    html = client.get(f"/emergency/incidents/{activity}").get_data(as_text=True)
    assert "2026-11-23 07:00:00" in html and "09:00:00" not in html


def test_alert_expiry_is_typed_and_shown_in_township_time(app, client, auth, world):
    from publisher.extensions import db
    from publisher.models import ContentItem

    _set_zone(app, world.township, "Asia/Urumqi")
    auth.login("boss")
    token = _csrf(client, "/emergency/alerts")
    response = client.post("/emergency/alerts", data={
        "csrf_token": token, "title": "暴雨红色预警", "body": "请村民远离河道。",
        "severity": "特别严重", "issued_by": "监山乡政府", "expires": "2026-11-23T18:00"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.query(ContentItem).one().latest.valid_until.hour == 12  # 18:00 UTC+6
    html = client.get("/emergency/alerts").get_data(as_text=True)
    assert "2026-11-23 18:00" in html and "UTC" not in html


RAW_CODES = re.compile(r">\s*(pending|queued|sent|failed|skipped|trigger|send|status|escalate"
                       r"|reply|acknowledge|resolve|cancel|triggered|acknowledged|resolved"
                       r"|cancelled|sms|voice|unmatched|received|handled)\s*<")


def test_codes_are_shown_as_chinese_labels(app, client, auth, world, activity):
    auth.login("boss")
    incident = client.get(f"/emergency/incidents/{activity}").get_data(as_text=True)
    assert RAW_CODES.search(incident) is None
    assert "李四（短信" in incident  # the plan's channels
    assert ">呼救<" in incident and ">发出通知<" in incident  # event kinds
    assert re.search(r'<span class="badge [a-z]+">(待发送|发送中)</span>', incident)
    household = client.get(f"/emergency/households/{world.household}").get_data(as_text=True)
    assert "triggered" not in household and "呼救中" in household
    call_plans = client.get("/emergency/policies").get_data(as_text=True)
    assert "（sms，" not in call_plans and "李四（短信，" in call_plans
    sms = client.get("/emergency/sms").get_data(as_text=True)
    assert RAW_CODES.search(sms) is None and "未识别" in sms


def test_every_code_of_the_section_has_a_label():
    from publisher.emergency import labels
    from publisher.models.emergency import RESPONDER_KINDS

    assert set(labels.TABLES["responder_kind"]) == set(RESPONDER_KINDS)
    assert labels.channels_label("sms,voice") == "短信+电话"
    assert labels.channels_label(("voice",)) == "电话"
    assert labels.label("attempt_status", "no-such-code") == "no-such-code"


def test_responder_phone_error_marks_the_field(app, client, auth, world):
    from publisher.models.emergency import Responder

    auth.login("boss")
    token = _csrf(client, "/emergency/responders/new")
    response = client.post("/emergency/responders/new", data={
        "csrf_token": token, "name": "赵六", "kind": "neighbour", "phone": "12ab",
        "cadre_id": 0, "household_id": 0})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    phone = re.search(r'<input[^>]*id="phone"[^>]*>\s*(?:<p class="muted">[^<]*</p>\s*)?'
                      r'<p class="error"[^>]*>([^<]*)</p>', html)
    assert phone and "电话号码无效" in phone.group(1)
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="phone"|'
                     r'<input[^>]*id="phone"[^>]*aria-invalid="true"', html)
    assert "请修改标红的项目后再保存。" in html
    assert html.count("电话号码无效") == 1  # next to the field, not also in a banner
    from publisher.extensions import db

    with app.app_context():
        assert db.session.query(Responder).filter_by(name="赵六").count() == 0


def test_missing_responder_phone_marks_the_field(client, auth, world):
    auth.login("boss")
    token = _csrf(client, "/emergency/responders/new")
    html = client.post("/emergency/responders/new", data={
        "csrf_token": token, "name": "赵六", "kind": "neighbour", "phone": "",
        "cadre_id": 0, "household_id": 0}).get_data(as_text=True)
    assert re.search(r'id="phone"[^>]*>\s*(?:<p class="muted">[^<]*</p>\s*)?'
                     r'<p class="error"[^>]*>请填写联系人手机号码。</p>', html)


@pytest.mark.parametrize(("path", "data"), [
    ("/emergency/households/new", {"kind": "留守儿童", "name": "", "call_plan_id": 0}),
    ("/emergency/responders/new", {"kind": "neighbour", "name": "", "phone": "13700000000",
                                   "cadre_id": 0, "household_id": 0}),
    ("/emergency/policies/new", {"name": "", "repeat_count": 0}),
    ("/emergency/alerts", {"title": "", "body": "x", "severity": "一般", "issued_by": "乡政府",
                           "expires": "2026-11-23T18:00"}),
])
def test_emergency_forms_word_errors_like_the_rest_of_the_admin(client, auth, world, path,
                                                                  data):
    auth.login("boss")
    token = _csrf(client, path)
    if path.startswith("/emergency/households"):
        data = {**data, "village_id": world.village}
    html = client.post(path, data={"csrf_token": token, **data}).get_data(as_text=True)
    assert "此项必须填写。" in html and "此项为必填项" not in html
    assert '<div class="flash flash-error" role="alert">请修改标红的项目后再保存。</div>' in html


def test_household_form_errors_sit_at_their_fields(client, auth, world):
    auth.login("boss")
    token = _csrf(client, "/emergency/households/new")
    html = client.post("/emergency/households/new", data={
        "csrf_token": token, "village_id": world.village, "kind": "留守儿童", "name": "小明",
        "call_plan_id": 0, "phones": "本人 12ab"}).get_data(as_text=True)
    assert re.search(r'id="phones"[^>]*>[^<]*</textarea>\s*(?:<p class="muted">[^<]*</p>\s*)?'
                     r'<p class="error"[^>]*>[^<]*电话号码无效', html)
    assert "请修改标红的项目后再保存。" in html


def test_device_form_errors_stay_on_the_household_page(client, auth, world):
    auth.login("boss")
    token = _csrf(client, f"/emergency/households/{world.household}")
    response = client.post(f"/emergency/households/{world.household}/devices", data={
        "csrf_token": token, "label": "床头", "test_interval_hours": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="test_interval_hours"[^>]*>\s*<p class="error"[^>]*>须在 1 到 2160',
                     html)


@pytest.mark.parametrize(("path", "active"), [
    ("/emergency/", "/emergency/"),
    ("/emergency/incidents", "/emergency/incidents"),
    ("/emergency/households", "/emergency/households"),
    ("/emergency/households/new", "/emergency/households"),
    ("/emergency/responders", "/emergency/responders"),
    ("/emergency/responders/new", "/emergency/responders"),
    ("/emergency/policies", "/emergency/policies"),
    ("/emergency/policies/new", "/emergency/policies"),
    ("/emergency/tasks", "/emergency/tasks"),
    ("/emergency/sms", "/emergency/sms"),
    ("/emergency/alerts", "/emergency/alerts"),
])
def test_subnav_marks_the_current_page(client, auth, world, path, active):
    auth.login("boss")
    html = client.get(path).get_data(as_text=True)
    nav = re.search(r'<nav class="subnav"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, path
    current = re.findall(r'<a href="([^"]+)" class="active"', nav.group(1))
    assert current == [active]


def test_subnav_marks_the_incident_and_household_pages(client, auth, world, activity):
    auth.login("boss")
    for path, active in ((f"/emergency/incidents/{activity}", "/emergency/incidents"),
                         (f"/emergency/households/{world.household}", "/emergency/households")):
        html = client.get(path).get_data(as_text=True)
        nav = re.search(r'<nav class="subnav"[^>]*>(.*?)</nav>', html, re.S)
        assert re.findall(r'<a href="([^"]+)" class="active"', nav.group(1)) == [active]
