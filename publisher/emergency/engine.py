"""The escalation rules, as pure functions over frozen dataclasses.

No Flask, no database, no clock: ``now`` is always an argument. The services load an
incident's timer and call_plan snapshot, ask this module what is due, and store the answer
with a conditional UPDATE (see publisher.emergency.escalation).

A call plan is a list of steps (whom, by which channels, how long to wait for an answer),
passed through ``1 + repeat_count`` times, then a mandatory final step: the township's
duty phone with "dial 120" instructions; if none of the final step's messages gets
through it is tried again (``retry_final``). Each step's wait runs from the moment the
step before it actually went out, not from when it was due: after an outage of the clock
process the overdue step goes out late, and the next responder still gets the whole wait
(never a catch-up burst of several steps seconds apart).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

TRIGGERED, ACKNOWLEDGED, RESOLVED, CANCELLED = "triggered", "acknowledged", "resolved", "cancelled"
OPEN = (TRIGGERED, ACKNOWLEDGED)
CHANNELS = ("sms", "voice")
# Presses of the same household within this window join the open incident quietly;
# a later press on an acknowledged incident is passed on again (it may be a new problem).
MERGE_WINDOW = timedelta(minutes=30)
# Bounds that keep a call plan sane: one longer than an hour defeats the purpose of an
# emergency call. 5 s is shorter than a real SMS round trip: it is there for drills and
# tests of a whole plan; the call-plan form says so beside the field.
MIN_WAIT_S, MAX_WAIT_S = 5, 3600
# An acknowledged call nobody resolves is re-notified this often (per call plan; 0 = never).
DEFAULT_REMINDER_S, MIN_REMINDER_S, MAX_REMINDER_S = 30 * 60, 60, 24 * 3600
MAX_REPEAT = 5
# A final step none of whose messages got through is tried again after this long, until
# one does or the incident is closed: the escalation must never end silently.
FINAL_RETRY = timedelta(minutes=2)
# Which state each action may start from; anything else is refused.
ALLOWED_FROM = {
    "acknowledge": (TRIGGERED,),
    "resolve": OPEN,
    "cancel": OPEN,
}
RESULT_OF = {"acknowledge": ACKNOWLEDGED, "resolve": RESOLVED, "cancel": CANCELLED}


class TransitionRefused(ValueError):
    def __init__(self, action: str, state: str) -> None:
        super().__init__(f"cannot {action} an incident that is {state}")
        self.action, self.state = action, state


@dataclass(frozen=True)
class StepRule:
    responder_id: int
    responder_name: str
    responder_kind: str
    channels: tuple[str, ...]
    wait_seconds: int
    # Reached when a duty-roster step finds nobody on duty today (0: nobody).
    fallback_id: int = 0
    fallback_name: str = ""


@dataclass(frozen=True)
class FinalRule:
    phone: str
    instructions: str
    channels: tuple[str, ...] = ("sms", "voice")


@dataclass(frozen=True)
class CallPlanSnapshot:
    """A call plan as an incident runs it: copied into the incident when the call starts
    (``Incident.call_plan_snapshot``), so editing the plan later never changes a call."""

    steps: tuple[StepRule, ...]
    repeat_count: int
    final: FinalRule
    reminder_seconds: int = DEFAULT_REMINDER_S

    def to_json(self) -> dict[str, Any]:
        return {
            "steps": [
                {"responder_id": s.responder_id, "responder_name": s.responder_name,
                 "responder_kind": s.responder_kind, "channels": list(s.channels),
                 "wait_seconds": s.wait_seconds, "fallback_id": s.fallback_id,
                 "fallback_name": s.fallback_name}
                for s in self.steps
            ],
            "repeat_count": self.repeat_count,
            "reminder_seconds": self.reminder_seconds,
            "final": {"phone": self.final.phone, "instructions": self.final.instructions,
                      "channels": list(self.final.channels)},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CallPlanSnapshot:
        steps = tuple(
            StepRule(int(s["responder_id"]), str(s["responder_name"]), str(s["responder_kind"]),
                     tuple(s["channels"]), int(s["wait_seconds"]),
                     int(s.get("fallback_id") or 0), str(s.get("fallback_name") or ""))
            for s in data.get("steps", [])
        )
        final = data["final"]
        # Snapshots taken before reminders existed get the default interval.
        return cls(steps, int(data.get("repeat_count", 0)),
                   FinalRule(str(final["phone"]), str(final["instructions"]),
                             tuple(final.get("channels", ("sms", "voice")))),
                   int(data.get("reminder_seconds", DEFAULT_REMINDER_S)))


@dataclass(frozen=True)
class PlannedStep:
    seq: int  # position in the flattened plan, from 0
    round: int  # pass through the steps, from 1
    rule: StepRule | None  # None for the final step
    wait_seconds: int

    @property
    def is_final(self) -> bool:
        return self.rule is None


@dataclass(frozen=True)
class Timer:
    state: str
    next_seq: int
    next_at: datetime | None  # when step ``next_seq`` is due; None when nothing is


@dataclass(frozen=True)
class DueStep:
    step: PlannedStep
    due_at: datetime


def validate_call_plan(call_plan: CallPlanSnapshot) -> list[str]:
    """Problems that make a call plan unusable (Chinese, for the form)."""
    problems = []
    if not 0 <= call_plan.repeat_count <= MAX_REPEAT:
        problems.append(f"重复次数须在 0 到 {MAX_REPEAT} 之间。")
    for n, step in enumerate(call_plan.steps, 1):
        if not step.channels or any(c not in CHANNELS for c in step.channels):
            problems.append(f"第{n}步的通知方式无效。")
        if not MIN_WAIT_S <= step.wait_seconds <= MAX_WAIT_S:
            problems.append(f"第{n}步的等待时间须在 {MIN_WAIT_S} 到 {MAX_WAIT_S} 秒之间。")
    if call_plan.reminder_seconds and not (
            MIN_REMINDER_S <= call_plan.reminder_seconds <= MAX_REMINDER_S):
        problems.append(f"办结提醒间隔须在 {MIN_REMINDER_S // 60} 到 {MAX_REMINDER_S // 60} 分钟"
                        "之间（0 表示不提醒）。")
    if not call_plan.final.phone.strip():
        problems.append("必须填写最后一步的乡镇值班电话。")
    return problems


def plan(call_plan: CallPlanSnapshot) -> tuple[PlannedStep, ...]:
    """Every step in order: the steps ``1 + repeat_count`` times, then the final step."""
    planned: list[PlannedStep] = []
    for round_no in range(1, call_plan.repeat_count + 2):
        for rule in call_plan.steps:
            planned.append(PlannedStep(len(planned), round_no, rule, rule.wait_seconds))
    planned.append(PlannedStep(len(planned), call_plan.repeat_count + 1, None, 0))
    return tuple(planned)


def start(now: datetime) -> Timer:
    """A new incident: the first step is due at once."""
    return Timer(TRIGGERED, 0, now)


def advance(timer: Timer, call_plan: CallPlanSnapshot,
            now: datetime) -> tuple[list[DueStep], Timer]:
    """The steps due by ``now``, and the timer after them.

    A step that fell due goes out now, however late; the next one is due its full wait
    after ``now``. So after downtime one overdue step runs, not every step missed.
    """
    steps = plan(call_plan)
    due: list[DueStep] = []
    seq, at = timer.next_seq, timer.next_at
    if timer.state != TRIGGERED:
        return [], timer
    while at is not None and at <= now and seq < len(steps):
        step = steps[seq]
        due.append(DueStep(step, at))
        seq += 1
        at = now + timedelta(seconds=step.wait_seconds) if seq < len(steps) else None
    return due, replace(timer, next_seq=seq, next_at=at)


def escalate_now(timer: Timer, failed_seq: int, now: datetime) -> Timer:
    """Every attempt of step ``failed_seq`` failed: move on without waiting.

    Only the step being waited on counts; a failure reported for an older step changes
    nothing (its wait is already over).
    """
    if timer.state != TRIGGERED or timer.next_at is None or failed_seq != timer.next_seq - 1:
        return timer
    return replace(timer, next_at=min(timer.next_at, now))


def retry_final(timer: Timer, call_plan: CallPlanSnapshot, failed_seq: int, now: datetime) -> Timer:
    """Every attempt of the final step failed: run it again ``FINAL_RETRY`` from now.

    Only once the plan is used up (nothing else is due) and only for the final step.
    """
    final_seq = len(plan(call_plan)) - 1
    if (timer.state != TRIGGERED or failed_seq != final_seq or timer.next_at is not None
            or timer.next_seq != final_seq + 1):
        return timer
    return replace(timer, next_seq=final_seq, next_at=now + FINAL_RETRY)


def reminder_at(call_plan: CallPlanSnapshot, since: datetime) -> datetime | None:
    """When an acknowledged, unresolved call is next re-notified (None: never)."""
    if call_plan.reminder_seconds <= 0:
        return None
    return since + timedelta(seconds=call_plan.reminder_seconds)


def reply_code(taken: set[str]) -> str:
    """The smallest reply code not used by another open call: two digits (11–99) while
    they last, then three. Never "1" or one digit: a bare "1" means "the only call"."""
    for n in range(11, 1000):
        if str(n) not in taken:
            return str(n)
    raise ValueError("no reply code left")


def transition(state: str, action: str) -> str:
    """The state after ``action``, or TransitionRefused."""
    if state not in ALLOWED_FROM[action]:
        raise TransitionRefused(action, state)
    return RESULT_OF[action]


@dataclass(frozen=True)
class OpenIncident:
    state: str
    last_trigger_at: datetime


def classify_trigger(open_incident: OpenIncident | None, now: datetime) -> str:
    """What a new press means: "new" incident, "merged" quietly, or "renotify"."""
    if open_incident is None or open_incident.state not in OPEN:
        return "new"
    if open_incident.state == ACKNOWLEDGED and now - open_incident.last_trigger_at > MERGE_WINDOW:
        return "renotify"
    return "merged"


def device_test_due(last_test_at: datetime | None, created_at: datetime,
                interval_hours: int) -> datetime:
    """When a device's next test press is due."""
    return (last_test_at or created_at) + timedelta(hours=interval_hours)


def device_test_missed(last_test_at: datetime | None, created_at: datetime, interval_hours: int,
                now: datetime, grace: timedelta = timedelta(hours=1)) -> datetime | None:
    """The due time of a missed test, or None while the device is within its interval."""
    due = device_test_due(last_test_at, created_at, interval_hours)
    return due if now > due + grace else None
