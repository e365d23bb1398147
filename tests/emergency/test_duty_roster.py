"""On-call that follows the duty roster (issue 12): a call-plan step "本村当日值班干部"
reaches the cadres covering the household's village who report being there today, else the
township's duty cadre of the day, else the step's fallback responder."""

import pytest

from .conftest import CADRE, DOCTOR, RELATIVE

TOWNSHIP_DUTY = "13800000005"


@pytest.fixture
def roster_plan(app, world):
    """Step 1: the village's duty cadre (fallback: 王医生), 5 s; step 2: 李四."""
    from publisher.emergency import responders
    from publisher.extensions import db
    from publisher.models import Cadre, User
    from publisher.models.emergency import CallPlan

    with app.app_context():
        admin = db.session.get(User, world.admin)
        db.session.add(Cadre(township_id=world.township, name="赵六", phone=TOWNSHIP_DUTY))
        db.session.commit()
        duty = responders.save_responder(admin, world.township, responders.ResponderData(
            "本村值班干部", "village_duty"))
        responders.save_call_plan(admin, world.township, "按值班表", [
            responders.StepData(duty.id, ("sms",), 5, fallback_id=world.doctor),
            responders.StepData(world.relative, ("sms",), 5),
        ], final_phone="09911234567", call_plan=db.session.get(CallPlan, world.call_plan))
    return world


def report(app, clock, name: str, status: str, village: str | None = None) -> None:
    from publisher.extensions import db
    from publisher.models import Cadre, Village, Whereabouts

    with app.app_context():
        cadre = db.session.query(Cadre).filter_by(name=name).one()
        village_id = (db.session.query(Village).filter_by(name=village).one().id
                      if village else None)
        db.session.add(Whereabouts(cadre_id=cadre.id, day=clock().date(), status=status,
                                   village_id=village_id, reported_at=clock()))
        db.session.commit()


def first_alert(app, clock, world, helpers) -> tuple[str, str]:
    helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    return helpers.outbound(app)[0]


def test_the_cadre_in_the_village_today_is_called_first(app, clock, roster_plan, helpers):
    report(app, clock, "赵六", "乡机关值班")
    report(app, clock, "张三", "在村走访", "张家村")
    number, text = first_alert(app, clock, roster_plan, helpers)
    assert number == CADRE and "回复11确认" in text
    clock.advance(seconds=5)  # a drill-short wait
    helpers.tick(app, clock)
    assert helpers.numbers(app) == [CADRE, RELATIVE]


def test_elsewhere_today_the_township_duty_cadre_is_called(app, clock, roster_plan, helpers):
    report(app, clock, "张三", "在村走访", "李家沟村")  # covers 张家村 but is not there today
    report(app, clock, "赵六", "乡机关值班")
    assert first_alert(app, clock, roster_plan, helpers)[0] == TOWNSHIP_DUTY


def test_the_latest_report_of_the_day_wins(app, clock, roster_plan, helpers):
    report(app, clock, "张三", "在村走访", "张家村")
    clock.advance(minutes=10)
    report(app, clock, "张三", "请假")
    assert first_alert(app, clock, roster_plan, helpers)[0] == DOCTOR


def test_nobody_on_duty_reaches_the_fallback(app, clock, roster_plan, helpers):
    number, _text = first_alert(app, clock, roster_plan, helpers)
    assert number == DOCTOR
    assert any("王医生（替补）" in d for _k, d in helpers.events(app, 1))


def test_without_a_fallback_the_step_is_passed_at_once(app, world, clock, helpers):
    from publisher.emergency import responders
    from publisher.extensions import db
    from publisher.models import User
    from publisher.models.emergency import CallPlan

    with app.app_context():
        admin = db.session.get(User, world.admin)
        duty = responders.save_responder(admin, world.township, responders.ResponderData(
            "本村值班干部", "village_duty"))
        responders.save_call_plan(admin, world.township, "无替补", [
            responders.StepData(duty.id, ("sms",), 300),
            responders.StepData(world.relative, ("sms",), 300),
        ], final_phone="09911234567", call_plan=db.session.get(CallPlan, world.call_plan))
    assert first_alert(app, clock, world, helpers)[0] == RELATIVE
    assert any("今日没有登记在村或乡机关值班的干部" in d for _k, d in helpers.events(app, 1))


def test_a_fallback_must_be_a_named_person(app, world):
    from publisher.emergency import responders
    from publisher.extensions import db
    from publisher.models import User
    from publisher.services.errors import ServiceError

    with app.app_context():
        admin = db.session.get(User, world.admin)
        duty = responders.save_responder(admin, world.township, responders.ResponderData(
            "值班干部", "duty_cadre"))
        with pytest.raises(ServiceError, match="替补联系人"):
            responders.save_call_plan(admin, world.township, "错", [
                responders.StepData(world.relative, ("sms",), 60),
                responders.StepData(duty.id, ("sms",), 60, fallback_id=duty.id),
            ], final_phone="09911234567")
