"""The whole chain with a real gammu-smsd on the dummy phone: alerts go out through the
daemon, replies come back in through it, and nothing else is sent."""

import pytest

from publisher.emergency.engine import ACKNOWLEDGED

from .conftest import CADRE, DOCTOR, DUTY_PHONE, HOUSEHOLD, RELATIVE, pump, sent_files

pytestmark = pytest.mark.sms


def _sent_to(spool, number):
    return [text for to, text in sent_files(spool) if to == number]


def test_escalates_then_a_reply_of_1_stops_it(app, world, clock, helpers, gammu):
    result = helpers.trigger(app, clock, world)
    pump(app, clock, lambda: _sent_to(gammu.spool, RELATIVE))
    assert _sent_to(gammu.spool, RELATIVE)[0].startswith("【应急呼救】张家村王大爷")
    assert _sent_to(gammu.spool, DOCTOR) == []

    clock.advance(seconds=300)
    pump(app, clock, lambda: _sent_to(gammu.spool, DOCTOR))

    gammu.phone.deliver("+86" + DOCTOR, "1")
    pump(app, clock, lambda: len(_sent_to(gammu.spool, DOCTOR)) == 2)
    assert helpers.state(app, result.incident_id) == ACKNOWLEDGED
    assert "回复11确认" in _sent_to(gammu.spool, DOCTOR)[0]  # the call's own code …
    assert any(t.startswith("已确认由您接警") for t in _sent_to(gammu.spool, DOCTOR))

    clock.advance(hours=2)
    pump(app, clock, lambda: any("待办结" in t for t in _sent_to(gammu.spool, DOCTOR)))
    for _ in range(3):
        pump(app, clock, lambda: True)
    # No further step; one reminder to the one who acknowledged (the next is 30 min away).
    assert [to for to, _ in sent_files(gammu.spool)] == [RELATIVE, DOCTOR, DOCTOR, DOCTOR]
    assert sum("待办结" in t for t in _sent_to(gammu.spool, DOCTOR)) == 1
    assert list((gammu.spool / "outbox").iterdir()) == []
    assert list((gammu.spool / "error").iterdir()) == []
    kinds = [k for k, _ in helpers.events(app, result.incident_id)]
    assert kinds[:2] == ["trigger", "send"] and "reply" in kinds and "acknowledge" in kinds
    assert kinds.count("status") >= 2  # each send's status was read back


def test_final_step_is_reached_when_nobody_answers(app, world, clock, helpers, gammu):
    from publisher.extensions import db
    from publisher.models.emergency import NotificationAttempt

    helpers.trigger(app, clock, world)
    pump(app, clock, lambda: _sent_to(gammu.spool, RELATIVE))
    clock.advance(seconds=300)
    pump(app, clock, lambda: _sent_to(gammu.spool, DOCTOR))
    clock.advance(seconds=300)
    pump(app, clock, lambda: _sent_to(gammu.spool, DUTY_PHONE))
    (final,) = _sent_to(gammu.spool, DUTY_PHONE)
    assert "无人接警" in final and "120" in final
    assert [to for to, _ in sent_files(gammu.spool)] == [RELATIVE, DOCTOR, DUTY_PHONE]

    def all_sent():
        with app.app_context():
            return {a.status for a in db.session.query(NotificationAttempt)} == {"sent"}
    pump(app, clock, all_sent)


def test_household_sms_triggers_and_gets_a_receipt(app, world, clock, helpers, gammu):
    from publisher.extensions import db
    from publisher.models import Incident, SmsMessage

    gammu.phone.deliver("+86" + HOUSEHOLD, "救命 摔倒了")
    pump(app, clock, lambda: _sent_to(gammu.spool, RELATIVE) and
         _sent_to(gammu.spool, HOUSEHOLD))
    assert "已收到您的呼救" in _sent_to(gammu.spool, HOUSEHOLD)[0]
    with app.app_context():
        incident = db.session.query(Incident).one()
        assert incident.source == "sms"
        inbound = db.session.query(SmsMessage).filter_by(direction="in").one()
        assert (inbound.text, inbound.handled_as, inbound.related_id) == (
            "救命 摔倒了", "trigger", incident.id)
    assert list((gammu.spool / "inbox").iterdir()) == []  # moved only after storing
    assert len(list((gammu.spool / "processed").iterdir())) == 1


def test_messages_wait_while_the_daemon_is_down(app, world, clock, helpers, gammu):
    gammu.daemon.stop()
    helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    assert len(list((gammu.spool / "outbox").iterdir())) == 1
    gammu.daemon.start()
    pump(app, clock, lambda: _sent_to(gammu.spool, RELATIVE))
    assert [to for to, _ in sent_files(gammu.spool)] == [RELATIVE]


def test_cadre_check_in_by_sms_through_the_daemon(app, world, clock, gammu):
    """Issue 3's SMS check-in on the real gateway: the cadre's text comes in through
    gammu-smsd, becomes today's whereabouts, and the confirmation goes out through it."""
    from publisher.extensions import db
    from publisher.models import Whereabouts

    gammu.phone.deliver("+86" + CADRE, "去向 张家村 走访低保户")
    pump(app, clock, lambda: _sent_to(gammu.spool, CADRE))
    (reply,) = _sent_to(gammu.spool, CADRE)
    assert reply.startswith("张三，已登记") and "在村走访 张家村 走访低保户" in reply
    with app.app_context():
        row = db.session.query(Whereabouts).one()
        assert (row.cadre_id, row.status, row.village_id, row.activity, row.source) == (
            world.cadre, "在村走访", world.village, "走访低保户", "sms")
    assert [to for to, _ in sent_files(gammu.spool)] == [CADRE]  # nothing else went out
