"""The clock process picks up our jobs, and each job runs in its own app context."""


def test_clock_registers_the_emergency_and_sms_jobs(app):
    from publisher.jobs.clock import build_scheduler

    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert {"emergency", "emergency-minute", "sms"} <= set(jobs)
    assert jobs["emergency"].trigger.interval.total_seconds() == 0.5
    assert jobs["sms"].max_instances == 1


def test_jobs_run_a_whole_escalation_step(app, world, clock, helpers):
    from publisher.emergency.jobs import escalation_tick, minute_tick
    from publisher.inbound.jobs import sms_tick

    helpers.trigger(app, clock, world)
    escalation_tick(app)
    sms_tick(app)
    minute_tick(app)
    assert len(helpers.numbers(app)) == 1
    with app.app_context():
        from publisher.extensions import db
        from publisher.models import SmsMessage

        assert db.session.query(SmsMessage).one().status == "queued"


def test_a_failing_tick_does_not_raise(app, world, clock, monkeypatch, caplog):
    import logging

    from publisher.emergency import escalation
    from publisher.emergency.jobs import escalation_tick

    def boom(now):
        raise RuntimeError("disk full")

    monkeypatch.setattr(escalation, "tick", boom)
    with caplog.at_level(logging.ERROR):
        escalation_tick(app)  # logged, not raised: the clock keeps ticking
    assert "disk full" in caplog.text
