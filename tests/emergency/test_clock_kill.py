"""Issue 9: ``kill -9`` of the real ``villagecast clock`` process, again and again, in the
middle of an escalation. Each restart resumes at the right step: every step goes out once,
in order, none skipped or repeated, each a full wait after the one before it actually went
out, and every SMS reaches gammu's outbox exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

WAIT_S = 3  # below the form's 30 s minimum (set in the incident's snapshot) to keep it short
REPEAT = 1  # two rounds of two responders, then the duty phone: five steps
OUTAGE_S = WAIT_S + 1  # longer than a wait, so a step falls due while the clock is dead
CONDITION_LIMIT_S = 60  # a row killed mid hand-over is reclaimed after store.RECLAIM_AFTER


def _start_clock(app, log: Path, **extra_env: str) -> subprocess.Popen:
    env = dict(os.environ, **extra_env, VILLAGECAST_DATA=str(app.config["DATA_DIR"]),
               DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY="test",
               VILLAGECAST_SMS_SPOOL=str(app.config["SMS_SPOOL_DIR"]),
               VILLAGECAST_SMS_BACKEND="gammu", VILLAGECAST_SMS_SEND_TIMEOUT="3600",
               VILLAGECAST_PUBLIC_URL="http://127.0.0.1:8000",
               # No gammu-smsd empties the outbox here: let it hold every step's SMS.
               VILLAGECAST_SMS_MODEM_WINDOW="100")
    command = [str(Path(sys.executable).with_name("villagecast")), "clock"]
    return subprocess.Popen(command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def _wait_for(condition, what: str):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + CONDITION_LIMIT_S
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not reached: {what}")


def _attempts(app) -> list[tuple[int, object]]:
    from publisher.extensions import db
    from publisher.models.emergency import NotificationAttempt

    with app.app_context():
        rows = db.session.query(NotificationAttempt.seq, NotificationAttempt.created_at).filter(
            NotificationAttempt.seq.is_not(None)).order_by(NotificationAttempt.id).all()
        db.session.remove()
        return [tuple(r) for r in rows]


def _sms(app) -> list[tuple[int, str, str]]:
    from publisher.extensions import db
    from publisher.models import SmsMessage

    with app.app_context():
        rows = db.session.query(SmsMessage.id, SmsMessage.status, SmsMessage.dedupe_key).filter(
            SmsMessage.direction == "out").order_by(SmsMessage.id).all()
        db.session.remove()
        return [tuple(r) for r in rows]


def test_kill_9_of_the_clock_mid_escalation_skips_and_repeats_nothing(app, world, spool,
                                                                        tmp_path):
    from playlists.clock import REAL
    from publisher.clock import install
    from publisher.emergency import engine, incidents
    from publisher.extensions import db
    from publisher.models import Household, Incident, utcnow

    install(app, REAL)  # the clock process runs on real time: so do we
    with app.app_context():
        result = incidents.trigger(db.session.get(Household, world.household),
                                   source="device", now=utcnow())
        incident = db.session.get(Incident, result.incident_id)
        call_plan = engine.CallPlanSnapshot.from_json(incident.call_plan_snapshot)
        steps = tuple(engine.StepRule(s.responder_id, s.responder_name, s.responder_kind,
                                      s.channels, WAIT_S) for s in call_plan.steps)
        call_plan = engine.CallPlanSnapshot(steps, REPEAT, call_plan.final)
        incident.call_plan_snapshot = call_plan.to_json()
        db.session.commit()
        db.session.remove()
    total = len(engine.plan(call_plan))
    log = tmp_path / "clock.log"
    clock = _start_clock(app, log)
    kills = 0
    try:
        seen = 0
        while seen < total:
            seen = _wait_for(lambda s=seen: len({q for q, _ in _attempts(app)}) > s and
                             len({q for q, _ in _attempts(app)}), f"step {seen + 1} sent")
            if seen == total:
                break
            # Kill at once (maybe between storing a step and handing its SMS over) or in
            # the middle of the wait; stay dead past the next due time.
            time.sleep(0 if kills % 2 == 0 else WAIT_S / 2)
            os.killpg(clock.pid, signal.SIGKILL)
            clock.wait()
            kills += 1
            time.sleep(OUTAGE_S)
            clock = _start_clock(app, log)
        _wait_for(lambda: all(status == "queued" for _, status, _ in _sms(app)) and
                  len(_sms(app)) == total, "every SMS handed to gammu")
    finally:
        os.killpg(clock.pid, signal.SIGKILL)
        clock.wait()

    attempts = _attempts(app)
    assert [seq for seq, _ in attempts] == list(range(total)), log.read_text()[-3000:]
    sent_at = [at for _, at in attempts]
    for before, after in zip(sent_at, sent_at[1:], strict=False):
        assert after - before >= timedelta(seconds=WAIT_S)  # a full wait, even after an outage
    rows = _sms(app)
    assert len({key for _, _, key in rows}) == total
    outbox = sorted(p.name for p in (spool / "outbox").iterdir())
    assert len(outbox) == total
    assert {name.rsplit("_", 1)[1] for name in outbox} == {f"m{i}.txt" for i, _, _ in rows}
    assert kills >= total - 1
