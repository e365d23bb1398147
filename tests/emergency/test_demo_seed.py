"""The demo seeds a working call plan (issue 12): a press reaches a demo responder by SMS,
not the landline duty phone with "已通知0人均未确认"."""

from publisher.emergency.demo import HOUSEHOLD


def test_a_press_in_the_demo_reaches_the_demo_responders(app, spool):
    from sqlalchemy import select

    from publisher.emergency import escalation, incidents
    from publisher.extensions import db
    from publisher.models import SmsMessage, utcnow
    from publisher.models.emergency import Household
    from publisher.seed import seed_demo

    with app.app_context():
        lines = list(seed_demo())
        assert any("演示呼救预案" in line for line in lines)
        list(seed_demo())  # idempotent: one household, one plan
        households = db.session.scalars(select(Household)).all()
        assert [h.name for h in households] == [HOUSEHOLD[1]]
        now = utcnow()
        result = incidents.trigger(households[0], source="device", now=now)
        escalation.tick(now)
        first = db.session.scalars(select(SmsMessage).where(SmsMessage.direction == "out")
                                   .order_by(SmsMessage.id)).first()
    # 张明 covers 柳树湾村 and the seed reports him walking it today (on a day without
    # that report: the township's duty cadre, else the daughter; never the landline).
    assert first.number == "13909172107"
    assert "赵大爷" in first.text and "回复" in first.text and len(first.text) <= 70
    assert result.outcome == "new"
