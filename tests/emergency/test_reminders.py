"""Reminders and resolution (issue 12): an acknowledged call nobody resolves is re-notified
every reminder interval of its call plan until it is resolved with a note."""

from .conftest import DOCTOR, RELATIVE
from .test_reply_codes import codes, reply


def reminders(app) -> list[tuple[str, str]]:
    from .conftest import outbound

    return [(n, t) for n, t in outbound(app) if "待办结" in t]


def test_reminded_every_interval_until_resolved_by_sms_with_a_note(app, world, clock, helpers):
    incident = helpers.trigger(app, clock, world).incident_id
    helpers.tick(app, clock)
    (code,) = codes(app, incident)
    reply(app, clock, RELATIVE, "1")
    clock.advance(minutes=29)
    helpers.tick(app, clock)
    assert reminders(app) == []
    clock.advance(minutes=1)
    helpers.tick(app, clock)
    assert reminders(app) == [(RELATIVE, "【呼救·待办结】张家村王大爷（空巢老人）的呼救已接警"
                                         f"30分钟未办结。办结请回复：办结{code} 处置结果")]
    helpers.tick(app, clock)  # the same tick again sends nothing twice
    clock.advance(minutes=30)
    helpers.tick(app, clock)
    assert len(reminders(app)) == 2 and "60分钟" in reminders(app)[1][1]
    assert DOCTOR not in helpers.numbers(app)  # only the one who acknowledged
    assert "请写明处置结果" in reply(app, clock, RELATIVE, f"办结 {code}")
    assert helpers.state(app, incident) == "acknowledged"
    assert "已办结" in reply(app, clock, RELATIVE, f"办结 {code} 已送医")
    assert helpers.state(app, incident) == "resolved"
    assert any(k == "resolve" and "已送医" in d for k, d in helpers.events(app, incident))
    clock.advance(hours=3)
    helpers.tick(app, clock)
    assert len(reminders(app)) == 2


def test_a_call_plan_with_reminders_off_sends_none(app, world, clock, helpers):
    from publisher.emergency import responders
    from publisher.extensions import db
    from publisher.models import User
    from publisher.models.emergency import CallPlan

    with app.app_context():
        responders.save_call_plan(db.session.get(User, world.admin), world.township, "不提醒",
                               [responders.StepData(world.relative, ("sms",), 60)],
                               final_phone="09911234567", reminder_minutes=0,
                               call_plan=db.session.get(CallPlan, world.call_plan))
    helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    reply(app, clock, RELATIVE, "1")
    clock.advance(hours=5)
    helpers.tick(app, clock)
    assert reminders(app) == []


def test_staff_resolve_needs_a_note_and_stops_the_reminders(app, client, auth, world, clock,
                                                            helpers):
    import re

    incident = helpers.trigger(app, clock, world).incident_id
    helpers.tick(app, clock)
    reply(app, clock, RELATIVE, "1")
    auth.login("boss")
    page = client.get(f"/emergency/incidents/{incident}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    empty = client.post(f"/emergency/incidents/{incident}/resolve",
                        data={"csrf_token": token, "note": ""}, follow_redirects=True)
    assert "请填写处置结果" in empty.get_data(as_text=True)
    assert helpers.state(app, incident) == "acknowledged"
    client.post(f"/emergency/incidents/{incident}/resolve",
                data={"csrf_token": token, "note": "已送县医院"})
    assert helpers.state(app, incident) == "resolved"
    clock.advance(hours=2)
    helpers.tick(app, clock)
    assert reminders(app) == []
