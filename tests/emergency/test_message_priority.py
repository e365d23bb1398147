"""Which queue priority each emergency message gets (publisher.sms.queue): the first
notification of a call before repeats, reminders and links after, replies last."""

from .conftest import RELATIVE
from .test_reply_codes import reply


def priorities(app) -> list[tuple[str, str]]:
    from publisher.extensions import db
    from publisher.models import SmsMessage

    with app.app_context():
        rows = db.session.query(SmsMessage).filter_by(direction="out").order_by(SmsMessage.id)
        return [(r.priority, r.text[:8]) for r in rows]


def test_first_alert_then_its_link_then_reply_then_reminder(app, world, clock, helpers):
    app.config["EMERGENCY_LINK_SMS"] = True
    helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    reply(app, clock, RELATIVE, "1")
    clock.advance(minutes=30)
    helpers.tick(app, clock)
    assert [p for p, _ in priorities(app)] == ["A", "C", "D", "C"]
    texts = [t for _, t in priorities(app)]
    assert texts[1].startswith("【呼救11】") and texts[3].startswith("【呼救·待办结】")


def test_the_second_step_is_a_repeat(app, world, clock, helpers):
    helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    clock.advance(seconds=300)
    helpers.tick(app, clock)
    assert [p for p, _ in priorities(app)] == ["A", "B"]
