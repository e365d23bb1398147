"""Escalation through the services with the fake clock and the real spool gateway
(queued = written to gammu's outbox). The daemon itself is in test_gammu_flow.py."""

import pytest

from publisher.emergency.engine import ACKNOWLEDGED, CANCELLED, RESOLVED, TRIGGERED

from .conftest import DOCTOR, DUTY_PHONE, HOUSEHOLD, RELATIVE


def test_trigger_alerts_first_responder_only(app, world, clock, helpers, spool):
    result = helpers.trigger(app, clock, world)
    assert result.outcome == "new"
    helpers.tick(app, clock)
    assert helpers.numbers(app) == [RELATIVE]
    text = helpers.outbound(app)[0][1]
    assert text.startswith("【应急呼救】张家村王大爷（空巢老人）09:00呼救") and "回复11确认" in text
    assert len(text) <= 70 and "/emergency/ack/" not in text  # one UCS-2 part, no link
    files = [p.name for p in (spool / "outbox").iterdir()]
    assert len(files) == 1 and files[0].startswith("OUTA") and RELATIVE in files[0]


def test_second_responder_after_the_wait_then_final_step(app, world, clock, helpers):
    helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    clock.advance(seconds=299)
    helpers.tick(app, clock)
    assert helpers.numbers(app) == [RELATIVE]
    clock.advance(seconds=1)
    helpers.tick(app, clock)
    assert helpers.numbers(app) == [RELATIVE, DOCTOR]
    clock.advance(seconds=300)
    helpers.tick(app, clock)
    assert helpers.numbers(app) == [RELATIVE, DOCTOR, DUTY_PHONE]
    final = helpers.outbound(app)[-1][1]
    assert "无人接警" in final and "120" in final and "已通知2人" in final
    clock.advance(hours=5)
    helpers.tick(app, clock)
    assert len(helpers.numbers(app)) == 3  # nothing after the final step


def test_acknowledged_incident_stops_escalating(app, world, clock, helpers):
    from publisher.emergency import incidents
    from publisher.extensions import db
    from publisher.models import Incident

    result = helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    with app.app_context():
        incidents.change_state(db.session.get(Incident, result.incident_id), "acknowledge",
                               now=clock(), by="李四")
    clock.advance(hours=2)
    helpers.tick(app, clock)
    # No further step; only the reminder (see test_reminders.py) to the one alerted.
    assert set(helpers.numbers(app)) == {RELATIVE}
    assert all("待办结" in t for _, t in helpers.outbound(app)[1:])
    assert helpers.state(app, result.incident_id) == ACKNOWLEDGED


def test_restart_mid_escalation_continues_at_the_right_step(app, world, clock, helpers):
    """A new app (a restarted clock process) on the same database and spool."""
    from publisher import create_app

    result = helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    clock.advance(seconds=300)
    helpers.tick(app, clock)  # step 2 sent; the process now dies
    restarted = create_app({k: app.config[k] for k in (
        "TESTING", "DATA_DIR", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "ENCRYPTION_KEY",
        "SMS_SPOOL_DIR", "SMS_GATEWAY", "CLOCK", "PUBLIC_BASE_URL")})
    clock.advance(seconds=150)
    helpers.tick(restarted, clock)
    assert helpers.numbers(restarted) == [RELATIVE, DOCTOR]
    clock.advance(seconds=150)
    helpers.tick(restarted, clock)
    assert helpers.numbers(restarted) == [RELATIVE, DOCTOR, DUTY_PHONE]
    assert helpers.state(restarted, result.incident_id) == TRIGGERED


def test_after_downtime_the_next_responder_keeps_the_whole_wait(app, world, clock, helpers):
    """Issue 9: the clock process was down from just after step 1 until 6 s before step 3
    was due. Step 2 goes out late; step 3 follows a full 300 s after it, not 6 s."""
    helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    clock.advance(seconds=594)  # down: step 2 fell due at 300 s and was not sent
    helpers.tick(app, clock)
    assert helpers.numbers(app) == [RELATIVE, DOCTOR]
    clock.advance(seconds=6)  # step 3's old due time
    helpers.tick(app, clock)
    clock.advance(seconds=293)
    helpers.tick(app, clock)
    assert helpers.numbers(app) == [RELATIVE, DOCTOR]
    clock.advance(seconds=1)  # 300 s after step 2 actually went out
    helpers.tick(app, clock)
    assert helpers.numbers(app) == [RELATIVE, DOCTOR, DUTY_PHONE]


def test_crash_between_queueing_and_handover_sends_once(app, world, clock, helpers, spool):
    """SMS rows queued but the process died before the gateway got them, or after it
    got them but before that was recorded: the next tick hands each over exactly once."""
    from publisher.emergency import escalation
    from publisher.extensions import db
    from publisher.models import SmsMessage
    from publisher.sms import store

    helpers.trigger(app, clock, world)
    with app.app_context():
        escalation.run_due(clock())  # queued in the DB, never delivered
        row = db.session.query(SmsMessage).one()
        assert row.status == "pending"
        gateway = app.config["SMS_GATEWAY"]
        gateway.send(row.number, row.text, ref=f"m{row.id}", priority=row.priority,
                     at=row.created_at)  # handed over, but the DB was never updated
        db.session.remove()
    helpers.tick(app, clock)
    helpers.tick(app, clock)
    assert len(list((spool / "outbox").iterdir())) == 1
    with app.app_context():
        assert db.session.query(SmsMessage).one().status == "queued"
        assert store.deliver_pending(clock()) == 0


def test_repeated_presses_make_one_incident_and_each_is_logged(app, world, clock, helpers):
    from publisher.extensions import db
    from publisher.models.emergency import Incident, TriggerLog

    first = helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    clock.advance(seconds=20)
    second = helpers.trigger(app, clock, world)
    assert second == type(first)(first.incident_id, "merged")
    helpers.tick(app, clock)
    with app.app_context():
        assert db.session.query(Incident).count() == 1
        assert db.session.query(TriggerLog).count() == 2
        assert db.session.get(Incident, first.incident_id).trigger_count == 2
    assert helpers.numbers(app) == [RELATIVE]
    assert [k for k, _ in helpers.events(app, first.incident_id)].count("trigger") == 2


def test_press_after_resolution_starts_a_new_incident(app, world, clock, helpers):
    from publisher.emergency import incidents
    from publisher.extensions import db
    from publisher.models import Incident

    first = helpers.trigger(app, clock, world)
    with app.app_context():
        incidents.change_state(db.session.get(Incident, first.incident_id), "resolve",
                               now=clock(), by="张三", note="已送医")
    clock.advance(seconds=30)
    second = helpers.trigger(app, clock, world)
    assert second.outcome == "new" and second.incident_id != first.incident_id


def test_duplicate_idempotency_key_is_one_trigger(app, world, clock, helpers):
    from publisher.extensions import db
    from publisher.models.emergency import Device, TriggerLog

    with app.app_context():
        device = db.session.get(Device, world.device)
        one = helpers.trigger(app, clock, world, device=device, idempotency_key="k-1")
        two = helpers.trigger(app, clock, world, device=device, idempotency_key="k-1")
        assert one.outcome == "new" and two.outcome == "duplicate"
        assert two.incident_id == one.incident_id
        assert db.session.query(TriggerLog).count() == 1


def test_cancel_tells_everyone_already_alerted(app, world, clock, helpers):
    from publisher.emergency import incidents
    from publisher.extensions import db
    from publisher.models import Incident

    result = helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    clock.advance(seconds=300)
    helpers.tick(app, clock)
    with app.app_context():
        incidents.change_state(db.session.get(Incident, result.incident_id), "cancel",
                               now=clock(), by="张三", note="老人误按")
    helpers.tick(app, clock)
    sent = helpers.outbound(app)
    assert [n for n, _ in sent] == [RELATIVE, DOCTOR, RELATIVE, DOCTOR]
    assert all("误报" in text for _, text in sent[2:])
    clock.advance(hours=1)
    helpers.tick(app, clock)
    assert len(helpers.outbound(app)) == 4
    assert helpers.state(app, result.incident_id) == CANCELLED


def test_resolution_needs_a_note_and_is_logged(app, world, clock, helpers):
    import pytest

    from publisher.emergency import incidents
    from publisher.extensions import db
    from publisher.models import Incident
    from publisher.services.errors import ServiceError

    result = helpers.trigger(app, clock, world)
    with app.app_context():
        incident = db.session.get(Incident, result.incident_id)
        with pytest.raises(ServiceError, match="处置结果"):
            incidents.change_state(incident, "resolve", now=clock(), by="张三", note=" ")
        assert db.session.get(Incident, result.incident_id).state == TRIGGERED
        incidents.change_state(incident, "resolve", now=clock(), by="张三",
                               note="血压高，已送卫生院")
    assert helpers.state(app, result.incident_id) == RESOLVED
    assert ("resolve", "张三办结：血压高，已送卫生院") in helpers.events(app, result.incident_id)


def test_unreachable_responder_is_skipped_at_once(app, world, clock, helpers):
    """An unverified relative cannot be alerted: the doctor gets it without waiting."""
    from publisher.extensions import db
    from publisher.models.emergency import Responder

    with app.app_context():
        db.session.get(Responder, world.relative).phone_verified_at = None
        db.session.commit()
    result = helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    assert helpers.numbers(app) == [DOCTOR]
    assert any("尚未核实" in d for _, d in helpers.events(app, result.incident_id))


def test_failed_sms_escalates_instead_of_waiting(app, world, clock, helpers, spool):
    """gammu moves a message it could not send to error/ (the dummy phone never fails,
    so the move is done here the way gammu-smsd does it)."""
    import os

    from publisher.extensions import db
    from publisher.models.emergency import NotificationAttempt
    from publisher.sms import store

    result = helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    (name,) = [p.name for p in (spool / "outbox").iterdir()]
    os.replace(spool / "outbox" / name, spool / "error" / name)
    clock.advance(seconds=10)
    with app.app_context():
        store.refresh_statuses(clock())
    helpers.tick(app, clock)
    assert helpers.numbers(app) == [RELATIVE, DOCTOR]  # 290 s early
    with app.app_context():
        statuses = [a.status for a in db.session.query(NotificationAttempt).order_by("id")]
    assert statuses == ["failed", "pending"] or statuses == ["failed", "queued"]
    assert any("立即进入下一步" in d for _, d in helpers.events(app, result.incident_id))


def test_failed_final_step_is_sent_again_until_it_gets_through(app, world, clock, helpers,
                                                              spool):
    """The duty phone's SMS failed: the escalation does not end silently there."""
    import os

    from publisher.emergency.engine import FINAL_RETRY
    from publisher.extensions import db
    from publisher.models.emergency import NotificationAttempt
    from publisher.sms import store

    result = helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    for _ in range(2):
        clock.advance(seconds=300)
        helpers.tick(app, clock)
    assert helpers.numbers(app) == [RELATIVE, DOCTOR, DUTY_PHONE]
    with app.app_context():
        # The two earlier SMS fill the modem's window (publisher.sms.queue) and are never
        # sent (no daemon here): they time out as failed (one route, nowhere else to go),
        # and the final step's SMS takes their place in the outbox.
        assert store.refresh_statuses(clock()) == 2
    helpers.tick(app, clock)
    (final,) = [p.name for p in (spool / "outbox").iterdir() if DUTY_PHONE in p.name]
    os.replace(spool / "outbox" / final, spool / "error" / final)  # as gammu-smsd does
    with app.app_context():
        # Those late failures must not hurry the final step's retry either.
        assert store.refresh_statuses(clock()) == 1
    helpers.tick(app, clock)
    assert helpers.numbers(app) == [RELATIVE, DOCTOR, DUTY_PHONE]  # not at once …
    clock.advance(seconds=FINAL_RETRY.total_seconds())
    helpers.tick(app, clock)
    assert helpers.numbers(app) == [RELATIVE, DOCTOR, DUTY_PHONE, DUTY_PHONE]  # … but later
    assert "无人接警" in helpers.outbound(app)[-1][1]
    assert any("后重试" in d for _, d in helpers.events(app, result.incident_id))
    clock.advance(hours=1)  # the retry is still on its way: nothing more
    helpers.tick(app, clock)
    assert len(helpers.numbers(app)) == 4
    with app.app_context():
        finals = [a.status for a in db.session.query(NotificationAttempt)
                  .filter_by(purpose="final").order_by(NotificationAttempt.id)]
    assert finals == ["failed", "queued"]


def test_sms_stuck_in_outbox_counts_as_failed(app, world, clock, helpers, spool):
    """No gammu-smsd running: after SMS_SEND_TIMEOUT_S the message is taken back."""
    from publisher.sms import store

    helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    clock.advance(seconds=121)
    with app.app_context():
        assert store.refresh_statuses(clock(), timeout_s=120) == 1
    helpers.tick(app, clock)
    assert helpers.numbers(app) == [RELATIVE, DOCTOR]
    assert len(list((spool / "error").iterdir())) == 1  # withdrawn, never sent late


def test_drill_runs_the_chain_with_drill_texts(app, world, clock, helpers):
    from publisher.extensions import db
    from publisher.models import Incident, User

    with app.app_context():
        actor = db.session.get(User, world.admin)
    result = helpers.trigger(app, clock, world, source="drill", is_drill=True, actor=actor)
    helpers.tick(app, clock)
    ((number, text),) = helpers.outbound(app)
    assert number == RELATIVE and text.startswith("【演练·应急呼救】")
    with app.app_context():
        assert db.session.get(Incident, result.incident_id).is_drill


def test_real_press_during_drill_replaces_it(app, world, clock, helpers):
    from publisher.extensions import db
    from publisher.models import User

    with app.app_context():
        actor = db.session.get(User, world.admin)
    drill = helpers.trigger(app, clock, world, source="drill", is_drill=True, actor=actor)
    real = helpers.trigger(app, clock, world)
    assert real.outcome == "new" and real.incident_id != drill.incident_id
    assert helpers.state(app, drill.incident_id) == CANCELLED
    helpers.tick(app, clock)
    assert [t[:6] for _, t in helpers.outbound(app)] == ["【应急呼救】"]


def test_press_long_after_acknowledgement_is_passed_to_those_alerted(app, world, clock,
                                                                     helpers):
    from publisher.emergency import incidents
    from publisher.extensions import db
    from publisher.models import Incident

    result = helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    with app.app_context():
        incidents.change_state(db.session.get(Incident, result.incident_id), "acknowledge",
                               now=clock(), by="李四")
    clock.advance(minutes=45)
    again = helpers.trigger(app, clock, world)
    assert again.outcome == "renotify"
    helpers.tick(app, clock)
    sent = [(n, t) for n, t in helpers.outbound(app) if "待办结" not in t]  # not reminders
    assert [n for n, _ in sent] == [RELATIVE, RELATIVE]
    assert "再次呼救" in sent[1][1]


def test_household_without_policy_goes_straight_to_duty_phone(app, world, clock, helpers):
    from publisher.extensions import db
    from publisher.models import Household
    from publisher.models.emergency import CallPlan

    with app.app_context():
        db.session.get(Household, world.household).call_plan_id = None
        db.session.get(CallPlan, world.call_plan).is_default = False
        db.session.commit()
    helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    assert helpers.numbers(app) == [DUTY_PHONE]


def test_policy_is_snapshotted_when_the_incident_starts(app, world, clock, helpers):
    from publisher.emergency import responders
    from publisher.extensions import db
    from publisher.models import User
    from publisher.models.emergency import CallPlan

    helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    with app.app_context():  # the call plan changes mid-incident: doctor removed
        admin = db.session.get(User, world.admin)
        call_plan = db.session.get(CallPlan, world.call_plan)
        responders.save_call_plan(admin, world.township, call_plan.name, [
            responders.StepData(world.relative, ("sms",), 300)], final_phone="0991-7000000",
            call_plan=call_plan, is_default=True)
    clock.advance(seconds=300)
    helpers.tick(app, clock)
    assert helpers.numbers(app) == [RELATIVE, DOCTOR]


def test_incident_log_is_append_only(app, world, clock, helpers):
    import pytest

    from publisher.extensions import db
    from publisher.models.emergency import IncidentEvent, IncidentLogIsAppendOnly

    helpers.trigger(app, clock, world)
    with app.app_context():
        event = db.session.query(IncidentEvent).first()
        event.detail = "篡改"
        with pytest.raises(IncidentLogIsAppendOnly):
            db.session.commit()
        db.session.rollback()


@pytest.mark.parametrize("sql", [
    "UPDATE incident_event SET detail = '篡改'",
    "DELETE FROM incident_event",
])
def test_incident_log_cannot_be_edited_even_with_raw_sql(app, world, clock, helpers, sql):
    """The database itself refuses (migration 0003), not only the ORM."""
    import sqlalchemy.exc
    from sqlalchemy import text

    from publisher.extensions import db

    result = helpers.trigger(app, clock, world)
    before = helpers.events(app, result.incident_id)
    with app.app_context():
        with pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"):
            db.session.execute(text(sql))
            db.session.commit()
        db.session.rollback()
    assert helpers.events(app, result.incident_id) == before != []


def test_household_sms_path_is_a_phone_of_the_household(app, world):
    from publisher.emergency.registry import household_by_phone

    with app.app_context():
        assert household_by_phone("+86" + HOUSEHOLD).id == world.household
        assert household_by_phone("13000000000") is None
