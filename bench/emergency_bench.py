"""Emergency escalation benchmark: real scheduler, real database, real spool, real time.

1. Trigger → first SMS queued: devices POST to the trigger URL one after another; the time
   until the first responder's SMS file is in gammu's outbox. Target: p95 ≤ 1 s.
2. 100 concurrent incidents: all triggered at once, four steps each (three responders
   3 s apart, then the duty phone); every step must be queued, none later than one clock
   tick after it was due.
3. A full data disk (a tmpfs this run mounts and fills; needs root): a press answered from
   the reserve's room, press → SMS in the outbox with the disk still full; then, with the
   reserve used up, a press kept in the journal (202), disk freed → SMS in the outbox.

    .venv/bin/python bench/emergency_bench.py
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LATENCY_TRIGGERS = 40
CONCURRENT = 100
STEP_WAIT_S = 3  # below the admin form's 30 s minimum, to keep the run short
STEPS = 3


def build_app(tmp: Path):
    from flask_migrate import upgrade

    from publisher import create_app

    app = create_app({"DATA_DIR": tmp / "data", "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
                      "SMS_SPOOL_DIR": tmp / "spool", "TESTING": True})
    with app.app_context():
        upgrade()
    return app


def seed(app, households: int) -> list[tuple[str, list[str]]]:
    """Households with their own responders; returns (device token, responder numbers)."""
    from publisher.emergency import crypto, registry
    from publisher.extensions import db
    from publisher.models import Township, User, Village
    from publisher.models.emergency import CallPlan, CallPlanStep, Responder

    with app.app_context():
        township = Township(name="监山乡", duty_phone="09911234567")
        db.session.add(township)
        db.session.flush()
        village = Village(township_id=township.id, name="张家村")
        admin = User(username="bench", display_name="bench", role="admin",
                     township_id=township.id, password_hash="x")
        db.session.add_all([village, admin])
        db.session.commit()
        out = []
        for n in range(households):
            numbers = [f"13{n:04d}{k:05d}" for k in range(STEPS)]
            policy = CallPlan(township_id=township.id, name=f"p{n}",
                                      final_phone=f"0991{n:07d}")
            db.session.add(policy)
            for k, number in enumerate(numbers):
                responder = Responder(township_id=township.id, name=f"R{n}-{k}",
                                      kind="relative", phone_enc=crypto.encrypt(number),
                                      phone_digest=crypto.digest(number),
                                      phone_verified_at=datetime.now(UTC))
                db.session.add(responder)
                db.session.flush()
                policy.steps.append(CallPlanStep(position=k, responder_id=responder.id,
                                                   channels="sms", wait_seconds=STEP_WAIT_S))
            db.session.flush()
            household = registry.save_household(admin, township.id, registry.HouseholdData(
                village_id=village.id, kind="空巢老人", name=f"户{n}", call_plan_id=policy.id))
            _device, token = registry.add_device(admin, household)
            out.append((token, numbers))
        return out


TICKS: list[datetime] = []  # the "now" of every emergency tick that ran


def record_ticks() -> None:
    """Note each tick's time, to tell whether a step waited for a later tick than needed."""
    from publisher.emergency import escalation

    real_tick = escalation.tick

    def tick(now: datetime) -> None:
        TICKS.append(now)
        real_tick(now)

    escalation.tick = tick


def start_clock(app):
    from apscheduler.schedulers.background import BackgroundScheduler

    from publisher.emergency import jobs as emergency_jobs
    from publisher.sms import jobs as sms_jobs

    scheduler = BackgroundScheduler(timezone=UTC, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": 30})
    record_ticks()
    emergency_jobs.register(scheduler, app)
    sms_jobs.register(scheduler, app)
    scheduler.start()
    return scheduler


def outbox_has(spool: Path, number: str) -> bool:
    return any(f"_{number}_" in p.name for p in (spool / "outbox").iterdir())


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench_latency(app, devices) -> list[float]:
    client = app.test_client()
    spool = Path(app.config["SMS_SPOOL_DIR"])
    latencies = []
    for n, (token, numbers) in enumerate(devices):
        time.sleep(random.uniform(0.05, 0.4))  # presses land anywhere within a tick
        start = time.perf_counter()
        response = client.post(f"/emergency/trigger/{token}",
                               headers={"Idempotency-Key": f"lat-{n}"})
        assert response.status_code == 201, response.get_data(as_text=True)
        while not outbox_has(spool, numbers[0]):
            if time.perf_counter() - start > 10:
                raise SystemExit(f"trigger {n}: no SMS after 10 s")
            time.sleep(0.005)
        latencies.append(time.perf_counter() - start)
    return latencies


def bench_concurrent(app, devices) -> dict[str, float]:
    from publisher.emergency.jobs import TICK_SECONDS
    from publisher.extensions import db
    from publisher.models import SmsMessage
    from publisher.models.emergency import NotificationAttempt

    client = app.test_client()
    started = time.perf_counter()
    incident_ids = set()
    for n, (token, _numbers) in enumerate(devices):
        response = client.post(f"/emergency/trigger/{token}", headers={"Idempotency-Key": f"c-{n}"})
        assert response.status_code == 201
        incident_ids.add(response.json["incident"])
    trigger_s = time.perf_counter() - started
    expected = len(devices) * (STEPS + 1)
    deadline = time.perf_counter() + STEPS * STEP_WAIT_S + 20
    while True:
        with app.app_context():
            done = db.session.query(NotificationAttempt).join(
                SmsMessage, NotificationAttempt.sms_message_id == SmsMessage.id).filter(
                NotificationAttempt.incident_id.in_(incident_ids),
                SmsMessage.status.in_(("queued", "sent"))).count()
            db.session.remove()
        if done >= expected or time.perf_counter() > deadline:
            break
        time.sleep(0.2)
    spool = Path(app.config["SMS_SPOOL_DIR"])
    with app.app_context():
        rows = db.session.query(NotificationAttempt, SmsMessage).join(
            SmsMessage, NotificationAttempt.sms_message_id == SmsMessage.id).filter(
            NotificationAttempt.incident_id.in_(incident_ids)).all()
        late, ran_late, skipped_ticks, missing_steps = [], [], [], 0
        per_incident: dict[int, set[int]] = {}
        for attempt, sms in rows:
            per_incident.setdefault(attempt.incident_id, set()).add(attempt.seq)
            path = spool / "outbox" / (sms.gateway_ref or "")
            if not path.exists():
                continue
            queued = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            late.append((queued - attempt.scheduled_at).total_seconds())
            # created_at is the "now" of the tick that ran the step
            ran_late.append((attempt.created_at - attempt.scheduled_at).total_seconds())
            # a tick that started after the step was due but did not run it
            skipped_ticks.append(sum(1 for t in TICKS
                                     if attempt.scheduled_at <= t < attempt.created_at))
        for steps in per_incident.values():
            missing_steps += (STEPS + 1) - len(steps)
        missing_steps += (len(devices) - len(per_incident)) * (STEPS + 1)
    return {"incidents": len(devices), "steps_expected": expected, "steps_queued": len(late),
            "steps_missing": missing_steps, "tick_s": TICK_SECONDS, "trigger_all_s": trigger_s,
            "late_p50": pct(late, 0.5), "late_p95": pct(late, 0.95), "late_max": max(late),
            "ran_p95": pct(ran_late, 0.95), "ran_max": max(ran_late),
            "ran_over_tick": sum(1 for x in ran_late if x > TICK_SECONDS),
            "not_first_tick": sum(1 for n in skipped_ticks if n > 0),
            "tick_gap_max": max(b - a for a, b in zip(TICKS, TICKS[1:], strict=False)
                                ).total_seconds()}


def stop_escalating(app) -> None:
    """Acknowledge the latency run's incidents so they do not load the second run."""
    from publisher.emergency import incidents
    from publisher.extensions import db
    from publisher.models import Incident

    with app.app_context():
        for incident in db.session.query(Incident).filter_by(state="triggered").all():
            incidents.change_state(incident, "acknowledge", now=datetime.now(UTC), by="bench")
        db.session.remove()


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as out:
        for size in (1024 * 1024, 4096, 1):
            chunk = bytes(size)
            try:
                while True:
                    out.write(chunk)
            except OSError:
                pass
    return filler


def wait_outbox(spool: Path, number: str, start: float) -> float:
    while not outbox_has(spool, number):
        if time.perf_counter() - start > 30:
            raise SystemExit(f"no SMS to {number} after 30 s")
        time.sleep(0.005)
    return time.perf_counter() - start


def bench_disk_full(tmp: Path) -> dict[str, object] | None:
    """Part 3 on a real full file system; None if one cannot be mounted here."""
    import subprocess

    from publisher.emergency.jobs import keep_reserve
    from publisher.emergency.reserve import RESERVE_NAME
    from publisher.extensions import db

    disk = tmp / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        return None
    try:
        app = build_app(disk)
        app.config["EMERGENCY_RESERVE_BYTES"] = 2 * 1024 * 1024
        devices = seed(app, 2)
        spool = Path(app.config["SMS_SPOOL_DIR"])
        keep_reserve(app)  # as the clock does at start …
        with app.app_context():
            from publisher.sms import get_gateway

            get_gateway()  # … and its SMS job, which makes the spool directories
        scheduler = start_clock(app)
        client = app.test_client()
        try:
            filler = fill(disk)
            start = time.perf_counter()
            first = client.post(f"/emergency/trigger/{devices[0][0]}",
                                headers={"Idempotency-Key": "full-1"})
            reserve_s = wait_outbox(spool, devices[0][1][0], start)
            stop_escalating(app)  # its later steps would only add errors to the output
            (app.config["DATA_DIR"] / RESERVE_NAME).unlink(missing_ok=True)
            filler.unlink()
            filler = fill(disk)
            second = client.post(f"/emergency/trigger/{devices[1][0]}",
                                 headers={"Idempotency-Key": "full-2"})
            time.sleep(2)  # the disk stays full a while: nothing can go out
            held = outbox_has(spool, devices[1][1][0])
            start = time.perf_counter()
            filler.unlink()
            journal_s = wait_outbox(spool, devices[1][1][0], start)
        finally:
            scheduler.shutdown(wait=True)
            with app.app_context():
                db.engine.dispose()
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
    return {"first_status": first.status_code, "reserve_s": reserve_s,
            "second_status": second.status_code, "held": held, "journal_s": journal_s}


def main() -> None:
    import logging

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    random.seed(7)
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        devices = seed(app, LATENCY_TRIGGERS + CONCURRENT)
        scheduler = start_clock(app)
        try:
            time.sleep(1)
            latencies = bench_latency(app, devices[:LATENCY_TRIGGERS])
            stop_escalating(app)
            result = bench_concurrent(app, devices[LATENCY_TRIGGERS:])
        finally:
            scheduler.shutdown(wait=True)
        TICKS.clear()
        full = bench_disk_full(Path(tmp))
    print("emergency bench (SQLite, gammu spool, APScheduler, real time)")
    print(f"trigger -> first SMS queued, {len(latencies)} triggers: "
          f"p50 {statistics.median(latencies):.3f} s, p95 {pct(latencies, 0.95):.3f} s, "
          f"max {max(latencies):.3f} s (target p95 <= 1 s: "
          f"{'OK' if pct(latencies, 0.95) <= 1 else 'MISSED'})")
    print(f"{result['incidents']} concurrent incidents, {STEPS} steps + final, "
          f"{STEP_WAIT_S} s apart, clock tick {result['tick_s']} s "
          f"(all triggered in {result['trigger_all_s']:.2f} s):")
    print(f"  steps queued {result['steps_queued']}/{result['steps_expected']}, "
          f"missed {result['steps_missing']}")
    ok = result["not_first_tick"] == 0 and result["steps_missing"] == 0
    print(f"  steps not run by the first tick after they were due: {result['not_first_tick']} "
          f"({'OK' if ok else 'MISSED'})")
    print(f"  due -> start of the tick that ran it: p95 {result['ran_p95']:.3f} s, "
          f"max {result['ran_max']:.3f} s (over {result['tick_s']} s: {result['ran_over_tick']}, "
          f"longest gap between ticks {result['tick_gap_max']:.3f} s)")
    print(f"  due -> SMS file in gammu's outbox (wall clock, includes working the whole "
          f"batch): p50 {result['late_p50']:.3f} s, p95 {result['late_p95']:.3f} s, "
          f"max {result['late_max']:.3f} s")

    if full is None:
        print("full data disk: skipped (cannot mount a tmpfs here; needs root)")
        return
    print(f"full data disk (16 MiB tmpfs filled to the last byte, 2 MiB reserve): press answered "
          f"{full['first_status']}, SMS in the outbox {full['reserve_s']:.3f} s after the press "
          f"with the disk still full")
    print(f"  reserve used up: press answered {full['second_status']} (kept in the journal), "
          f"SMS while full: {'yes' if full['held'] else 'none'}, SMS in the outbox "
          f"{full['journal_s']:.3f} s after the disk was freed")


if __name__ == "__main__":
    main()
