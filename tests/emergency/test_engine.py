"""The pure escalation rules: plans, timers, catch-up, failure, transitions, triggers."""

from datetime import UTC, datetime, timedelta

import pytest

from publisher.emergency import engine
from publisher.emergency.engine import (
    CallPlanSnapshot,
    FinalRule,
    OpenIncident,
    StepRule,
    Timer,
    TransitionRefused,
)

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def s(seconds: int) -> timedelta:
    return timedelta(seconds=seconds)


def call_plan(waits=(300, 600), repeat=0, final_phone="09911234567") -> CallPlanSnapshot:
    steps = tuple(StepRule(i + 1, f"R{i + 1}", "relative", ("sms",), w)
                  for i, w in enumerate(waits))
    return CallPlanSnapshot(steps, repeat, FinalRule(final_phone, "拨打120"))


def test_plan_is_steps_then_final():
    planned = engine.plan(call_plan())
    assert [p.seq for p in planned] == [0, 1, 2]
    assert [p.rule.responder_name if p.rule else "final" for p in planned] == ["R1", "R2", "final"]
    assert planned[-1].is_final and planned[-1].wait_seconds == 0


def test_plan_repeats_steps_before_the_final_step():
    planned = engine.plan(call_plan(repeat=2))
    names = [p.rule.responder_name if p.rule else "final" for p in planned]
    assert names == ["R1", "R2", "R1", "R2", "R1", "R2", "final"]
    assert [p.round for p in planned] == [1, 1, 2, 2, 3, 3, 3]


def test_policy_without_steps_still_reaches_the_final_step():
    planned = engine.plan(CallPlanSnapshot((), 0, FinalRule("0991", "")))
    assert len(planned) == 1 and planned[0].is_final


def test_start_makes_first_step_due_now():
    assert engine.start(T0) == Timer("triggered", 0, T0)


def test_advance_runs_first_step_and_schedules_the_next_after_its_wait():
    due, timer = engine.advance(engine.start(T0), call_plan(), T0)
    assert [d.step.seq for d in due] == [0]
    assert timer == Timer("triggered", 1, T0 + s(300))


def test_nothing_is_due_before_the_wait_is_over():
    _, timer = engine.advance(engine.start(T0), call_plan(), T0)
    due, same = engine.advance(timer, call_plan(), T0 + s(299))
    assert due == [] and same == timer


def test_second_step_is_due_exactly_at_the_end_of_the_wait():
    _, timer = engine.advance(engine.start(T0), call_plan(), T0)
    due, timer = engine.advance(timer, call_plan(), T0 + s(300))
    assert [d.step.seq for d in due] == [1]
    assert due[0].due_at == T0 + s(300)
    assert timer.next_at == T0 + s(900)


def test_a_late_step_gives_the_next_responder_the_whole_wait():
    _, timer = engine.advance(engine.start(T0), call_plan(), T0)
    _, timer = engine.advance(timer, call_plan(), T0 + s(302))  # ran 2 s late
    assert timer.next_at == T0 + s(902)  # 600 s after step 2 actually went out


def test_after_downtime_one_overdue_step_runs_and_the_rest_keep_their_waits():
    """Issue 9: the clock was down past two steps' due times. The overdue step goes out
    late; the next one keeps its whole wait from then (not 6 s, as before)."""
    _, timer = engine.advance(engine.start(T0), call_plan(), T0)
    due, timer = engine.advance(timer, call_plan(), T0 + s(894))
    assert [(d.step.seq, d.due_at) for d in due] == [(1, T0 + s(300))]
    assert timer == Timer("triggered", 2, T0 + s(894 + 600))
    assert engine.advance(timer, call_plan(), T0 + s(900))[0] == []  # the old due time: nothing
    due, timer = engine.advance(timer, call_plan(), T0 + s(1494))
    assert [d.step.seq for d in due] == [2] and timer == Timer("triggered", 3, None)


def test_final_step_is_always_reached_when_nobody_answers():
    timer, seen = engine.start(T0), []
    for minute in range(0, 60):
        due, timer = engine.advance(timer, call_plan(repeat=1), T0 + timedelta(minutes=minute))
        seen += [d.step for d in due]
    assert seen[-1].is_final
    assert len(seen) == 5 and timer.next_at is None


def test_after_the_final_step_nothing_more_is_due():
    timer = Timer("triggered", 3, None)
    assert engine.advance(timer, call_plan(), T0 + timedelta(days=1)) == ([], timer)


@pytest.mark.parametrize("state", ["acknowledged", "resolved", "cancelled"])
def test_no_step_runs_unless_triggered(state):
    timer = Timer(state, 1, T0)
    assert engine.advance(timer, call_plan(), T0 + s(10_000)) == ([], timer)


def test_failed_current_step_escalates_at_once():
    _, timer = engine.advance(engine.start(T0), call_plan(), T0)
    timer = engine.escalate_now(timer, 0, T0 + s(20))
    assert timer.next_at == T0 + s(20)
    due, _ = engine.advance(timer, call_plan(), T0 + s(20))
    assert [d.step.seq for d in due] == [1]


def test_failure_of_an_older_step_changes_nothing():
    timer = Timer("triggered", 2, T0 + s(900))
    assert engine.escalate_now(timer, 0, T0 + s(400)) == timer


def test_failure_never_delays_a_step():
    timer = Timer("triggered", 1, T0 + s(10))
    assert engine.escalate_now(timer, 0, T0 + s(20)).next_at == T0 + s(10)


def test_failure_after_acknowledgement_changes_nothing():
    timer = Timer("acknowledged", 1, None)
    assert engine.escalate_now(timer, 0, T0) == timer


def test_failed_final_step_is_tried_again_later():
    timer = engine.start(T0)
    for at in (0, 300, 900):
        _, timer = engine.advance(timer, call_plan(), T0 + s(at))
    assert timer == Timer("triggered", 3, None)  # the plan is used up
    retry = engine.retry_final(timer, call_plan(), 2, T0 + s(910))
    assert retry == Timer("triggered", 2, T0 + s(910) + engine.FINAL_RETRY)
    due, after = engine.advance(retry, call_plan(), retry.next_at)
    assert [d.step.is_final for d in due] == [True] and after == timer


@pytest.mark.parametrize("timer", [
    Timer("acknowledged", 3, None),  # someone answered meanwhile
    Timer("triggered", 2, T0),  # the final step is already due again
    Timer("triggered", 1, T0),  # not at the end of the plan
])
def test_final_retry_only_when_nothing_else_is_due(timer):
    assert engine.retry_final(timer, call_plan(), 2, T0) == timer


def test_failure_of_an_ordinary_step_is_not_retried_as_final():
    timer = Timer("triggered", 3, None)
    assert engine.retry_final(timer, call_plan(), 1, T0) == timer


@pytest.mark.parametrize(("state", "action", "result"), [
    ("triggered", "acknowledge", "acknowledged"),
    ("triggered", "resolve", "resolved"),
    ("triggered", "cancel", "cancelled"),
    ("acknowledged", "resolve", "resolved"),
    ("acknowledged", "cancel", "cancelled"),
])
def test_allowed_transitions(state, action, result):
    assert engine.transition(state, action) == result


@pytest.mark.parametrize(("state", "action"), [
    ("acknowledged", "acknowledge"),
    ("resolved", "acknowledge"),
    ("resolved", "resolve"),
    ("resolved", "cancel"),
    ("cancelled", "acknowledge"),
    ("cancelled", "resolve"),
])
def test_refused_transitions(state, action):
    with pytest.raises(TransitionRefused):
        engine.transition(state, action)


def test_trigger_with_no_open_incident_is_new():
    assert engine.classify_trigger(None, T0) == "new"


def test_trigger_on_closed_incident_is_new():
    assert engine.classify_trigger(OpenIncident("resolved", T0), T0 + s(5)) == "new"


def test_repeated_press_joins_the_open_incident():
    assert engine.classify_trigger(OpenIncident("triggered", T0), T0 + s(5)) == "merged"
    late = T0 + engine.MERGE_WINDOW + s(1)
    assert engine.classify_trigger(OpenIncident("triggered", T0), late) == "merged"


def test_press_long_after_acknowledgement_is_passed_on():
    assert engine.classify_trigger(OpenIncident("acknowledged", T0), T0 + s(60)) == "merged"
    late = T0 + engine.MERGE_WINDOW + s(1)
    assert engine.classify_trigger(OpenIncident("acknowledged", T0), late) == "renotify"


def test_policy_round_trips_through_json():
    p = call_plan(repeat=2)
    assert CallPlanSnapshot.from_json(p.to_json()) == p


def test_validate_call_plan_reports_each_problem_in_chinese():
    bad = CallPlanSnapshot((StepRule(1, "R", "relative", ("fax",), 4),), 9, FinalRule(" ", ""))
    problems = engine.validate_call_plan(bad)
    assert len(problems) == 4
    assert any("重复次数" in p for p in problems) and any("值班电话" in p for p in problems)
    assert engine.validate_call_plan(call_plan()) == []


def test_device_test_due_and_missed():
    created = T0
    assert engine.device_test_due(None, created, 24) == T0 + timedelta(hours=24)
    before_grace = T0 + timedelta(hours=24, minutes=59)
    assert engine.device_test_missed(None, created, 24, before_grace) is None
    missed = engine.device_test_missed(None, created, 24, T0 + timedelta(hours=25, seconds=1))
    assert missed == T0 + timedelta(hours=24)
    tested = T0 + timedelta(hours=20)
    assert engine.device_test_missed(tested, created, 24, T0 + timedelta(hours=26)) is None
