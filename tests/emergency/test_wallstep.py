"""Issue 9, part 5: the wall clock stepped (NTP, ``date -s``) while escalations wait.

The injected clock is stepped (wall time jumps, monotonic time does not) between the
clock process's real jobs (``escalation_tick``, ``sms_tick``): a step forward fires no
step early, a step back starves none, and an SMS waiting in gammu's outbox is not timed
out by the jump."""

from __future__ import annotations

from datetime import timedelta

from publisher.emergency.wallstep import Sample, detect_step

from .conftest import DOCTOR, RELATIVE, T0


def tick(app) -> None:
    """The clock process's emergency job, as the scheduler runs it."""
    from publisher.emergency.jobs import escalation_tick

    escalation_tick(app)


def test_detect_step_compares_wall_and_monotonic_time():
    before = Sample(T0, 100.0)
    assert detect_step(None, before) is None
    assert detect_step(before, Sample(T0 + timedelta(seconds=30), 130.0)) is None
    assert detect_step(before, Sample(T0 + timedelta(seconds=30.4), 130.0)) is None  # jitter
    assert detect_step(before, Sample(T0 + timedelta(hours=1, seconds=1), 101.0)) == \
        timedelta(hours=1)
    assert detect_step(before, Sample(T0 - timedelta(minutes=10), 102.0)) == \
        timedelta(minutes=-10, seconds=-2)


def test_a_step_forward_fires_no_step_early(app, world, clock, helpers):
    helpers.trigger(app, clock, world)
    tick(app)
    assert helpers.numbers(app) == [RELATIVE]
    clock.advance(seconds=100)
    tick(app)
    clock.step(hours=1)  # step 2's due time (300 s) is now an hour in the past
    tick(app)
    assert helpers.numbers(app) == [RELATIVE]
    clock.advance(seconds=199)
    tick(app)
    assert helpers.numbers(app) == [RELATIVE]
    clock.advance(seconds=1)  # 300 s of real time after step 1
    tick(app)
    assert helpers.numbers(app) == [RELATIVE, DOCTOR]


def test_a_step_back_starves_no_step(app, world, clock, helpers):
    helpers.trigger(app, clock, world)
    tick(app)
    clock.advance(seconds=100)
    tick(app)
    clock.step(hours=-1)  # step 2 would otherwise wait an extra hour
    tick(app)
    clock.advance(seconds=200)
    tick(app)
    assert helpers.numbers(app) == [RELATIVE, DOCTOR]


def test_a_press_just_after_a_step_forward_still_goes_out_at_once(app, world, clock, helpers):
    """The web stored the press on the new wall time before the clock noticed the step:
    its first step is due now and must not be moved an hour later."""
    tick(app)
    clock.step(hours=1)
    helpers.trigger(app, clock, world)
    tick(app)  # notices the step and shifts what was pending before it
    assert helpers.numbers(app) == [RELATIVE]


def test_a_press_just_after_a_step_back_goes_out_at_once(app, world, clock, helpers):
    tick(app)
    clock.advance(seconds=1)
    helpers.trigger(app, clock, world)  # stored on the old wall time …
    clock.step(hours=-1)  # … which is now an hour in the future
    tick(app)
    assert helpers.numbers(app) == [RELATIVE]


def test_a_step_forward_does_not_time_out_an_sms_waiting_in_the_outbox(app, world, clock,
                                                                      helpers, spool):
    """gammu-smsd is slow: the SMS sits in its outbox. Two minutes there counts as failed
    (and escalates); a one-hour jump of the wall clock is not two minutes."""
    from publisher.extensions import db
    from publisher.inbound.jobs import sms_tick
    from publisher.models import SmsMessage

    helpers.trigger(app, clock, world)
    tick(app)
    sms_tick(app)
    assert len(list((spool / "outbox").iterdir())) == 1
    clock.advance(seconds=10)
    sms_tick(app)
    clock.step(hours=1)
    sms_tick(app)
    tick(app)
    assert len(list((spool / "outbox").iterdir())) == 1  # still waiting for the daemon
    assert list((spool / "error").iterdir()) == []
    with app.app_context():
        assert db.session.query(SmsMessage).one().status == "queued"
    assert helpers.numbers(app) == [RELATIVE]  # and nobody was skipped to
