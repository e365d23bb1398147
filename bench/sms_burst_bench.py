"""SMS burst benchmark (issue 12): 100 households press at once; do the messages get out?

Real gammu-smsd daemons on the dummy driver, the real clock jobs (APScheduler), SQLite, the
SMS queue (publisher.sms.queue) and real time. Each household's call plan has three
responders 30 s apart and the duty phone last, so repeats fall due while the first
notifications are still waiting. A message "left" when its file appeared in a daemon's
sent/ folder (watched every 50 ms) or the HTTP gateway answered 2xx.

Runs:
  0. the dummy daemon alone: files written straight into its outbox, its send rate;
  1. one modem;
  2. two modems and the HTTP gateway (a local server on 127.0.0.1 taking HTTP_DELAY_S a
     message, like a slow operator platform);
  3. the same with the second modem's daemon killed KILL_AFTER_S into the burst.
Each reports when the last first notification left, whether any repeat left before a
first notification, how many messages expired or failed (goal: none), how many changed
route, and how long a single call pressed into the backlog waited for its first message.

    .venv/bin/python bench/sms_burst_bench.py [--drain]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import emergency_bench  # noqa: E402  (the seeding and clock of the emergency benchmark)

CALLS = 100
STEP_WAIT_S = 30
LATE_CALL_AFTER_S = 20  # the single call pressed into the backlog
HTTP_DELAY_S = 0.1
RATE_FILES = 20
RUN_LIMIT_S = 400
KILL_AFTER_S = 5  # run 3: a modem dies; its messages must move on, not expire
# --drain: keep going until every step of every call has left (about 400 messages: some
# minutes with one modem), to show that none of them expires on the way.
DRAIN = "--drain" in sys.argv
DRAIN_LIMIT_S = 900


class SentWatcher:
    """Notes when each file first shows in any of the given sent/ folders."""

    def __init__(self, spools: list[Path]) -> None:
        self.spools, self.seen = spools, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.time()
            for spool in self.spools:
                for path in (spool / "sent").iterdir():
                    self.seen.setdefault((spool.name, path.name), now)
            time.sleep(0.05)

    def __enter__(self) -> SentWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class Platform(BaseHTTPRequestHandler):
    """A slow, well-behaved SMS platform: POST → {"id"} after HTTP_DELAY_S."""

    sent: dict[str, float] = {}

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        time.sleep(HTTP_DELAY_S)
        Platform.sent.setdefault(body["ref"], time.time())
        self._answer({"id": body["ref"], "status": "sent"})

    def do_GET(self) -> None:  # noqa: N802
        self._answer({"messages": []} if self.path.endswith("/inbox") else {"status": "sent"})

    def _answer(self, data: dict) -> None:
        raw = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: object) -> None:
        pass


def daemon_rate(tmp: Path) -> float:
    """Messages a second the dummy daemon sends from a full outbox (no queue)."""
    from publisher.sms.dummy_phone import SmsDaemon
    from publisher.sms.gammu_config import write_config
    from publisher.sms.gammu_files import GammuFilesGateway

    spool = tmp / "rate"
    gateway = GammuFilesGateway(spool)
    config = write_config(spool)
    with SmsDaemon(config):
        start = time.time()
        for n in range(RATE_FILES):
            gateway.send(f"1390000{n:04d}", "【应急呼救】测试发送速度", ref=f"r{n}")
        while len(list((spool / "sent").iterdir())) < RATE_FILES:
            if time.time() - start > 120:
                break
            time.sleep(0.05)
        took = time.time() - start
    return len(list((spool / "sent").iterdir())) / took


def run(tmp: Path, modems: int, http: bool, kill_after_s: float | None = None
        ) -> dict[str, object]:
    from publisher.extensions import db
    from publisher.models import SmsMessage
    from publisher.models.emergency import Incident, NotificationAttempt
    from publisher.sms.dummy_phone import SmsDaemon
    from publisher.sms.gammu_config import write_config
    from publisher.sms.routes import modems as configured_modems

    emergency_bench.STEP_WAIT_S = STEP_WAIT_S
    emergency_bench.TICKS.clear()
    app = emergency_bench.build_app(tmp)
    app.config["SMS_MODEMS"] = ["dummy"] * modems
    server = None
    if http:
        Platform.sent = {}
        server = ThreadingHTTPServer(("127.0.0.1", 0), Platform)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        app.config["SMS_HTTP_URL"] = f"http://127.0.0.1:{server.server_port}/sms"
    devices = emergency_bench.seed(app, CALLS + 1)
    spools = [m.spool for m in configured_modems(app.config)]
    daemons = [SmsDaemon(write_config(spool)).start() for spool in spools]
    scheduler = emergency_bench.start_clock(app)
    client = app.test_client()
    try:
        with SentWatcher(spools) as watcher:
            time.sleep(1)
            started = time.time()
            for n, (token, _numbers) in enumerate(devices[:CALLS]):
                response = client.post(f"/emergency/trigger/{token}",
                                       headers={"Idempotency-Key": f"burst-{n}"})
                assert response.status_code == 201, response.get_data(as_text=True)
            pressed_s = time.time() - started
            if kill_after_s is not None:  # the second modem's daemon dies mid-burst
                threading.Timer(max(0.0, started + kill_after_s - time.time()),
                                daemons[-1].stop).start()
            time.sleep(max(0.0, started + LATE_CALL_AFTER_S - time.time()))
            late_pressed = time.time()
            response = client.post(f"/emergency/trigger/{devices[CALLS][0]}",
                                   headers={"Idempotency-Key": "late"})
            late_incident = response.json["incident"]

            def firsts_left() -> tuple[list[tuple[int, float | None]], dict]:
                with app.app_context():
                    # The gateway reference is encrypted: read through the row, not a column.
                    rows = [SimpleNamespace(incident_id=incident_id, seq=seq, id=m.id,
                                            gateway=m.gateway, gateway_ref=m.gateway_ref,
                                            status=m.status)
                            for incident_id, seq, m in db.session.execute(
                        db.select(NotificationAttempt.incident_id, NotificationAttempt.seq,
                                  SmsMessage)
                        .join(SmsMessage, NotificationAttempt.sms_message_id == SmsMessage.id)
                        .where(NotificationAttempt.purpose.in_(("alert", "final")))).all()]
                    db.session.remove()
                return rows

            def left_at(gateway: str, ref: str | None) -> float | None:
                if gateway == "http":
                    return Platform.sent.get(ref or "")
                spool = next((s for s, m in zip(spools, configured_modems(app.config),
                                                 strict=True) if m.name == gateway), None)
                return watcher.seen.get((spool.name, ref)) if spool else None

            while time.time() - started < RUN_LIMIT_S:
                rows = firsts_left()
                firsts = [r for r in rows if r.seq == 0]
                if len(firsts) >= CALLS + 1 and all(left_at(r.gateway, r.gateway_ref)
                                                    for r in firsts):
                    break
                time.sleep(0.5)
            rows = firsts_left()
            drained_s = None
            if DRAIN:  # every step of every call, until nothing waits any more
                while time.time() - started < DRAIN_LIMIT_S:
                    with app.app_context():
                        busy = db.session.query(SmsMessage).filter(
                            SmsMessage.direction == "out",
                            SmsMessage.status.in_(("pending", "sending", "queued"))).count()
                        open_steps = db.session.query(Incident).filter(
                            Incident.state == "triggered",
                            Incident.next_action_at.is_not(None)).count()
                        db.session.remove()
                    if not busy and not open_steps:
                        drained_s = time.time() - started
                        break
                    time.sleep(1)
        with app.app_context():
            # Counted before the calls are closed (closing withdraws what still waits).
            messages = db.session.query(SmsMessage).filter_by(direction="out").all()
            failed = sum(1 for m in messages if m.status == "failed")
            waiting = sum(1 for m in messages if m.status in ("pending", "sending", "queued"))
            rerouted = sum(1 for m in messages if (m.raw or "").count("\n") > 1)
            by_route: dict[str, int] = {}
            for m in messages:
                if m.status == "sent" or left_at(m.gateway, m.gateway_ref):
                    by_route[m.gateway] = by_route.get(m.gateway, 0) + 1
            from publisher.emergency import incidents

            for incident in db.session.query(Incident).filter_by(state="triggered"):
                incidents.change_state(incident, "acknowledge", now=datetime.now(UTC),
                                       by="bench")
            db.session.remove()
    finally:
        scheduler.shutdown(wait=True)
        for daemon in daemons:
            daemon.stop()
        if server is not None:
            server.shutdown()
    error_files = sum(len(list((s / "error").iterdir())) for s in spools)
    firsts = {r.incident_id: left_at(r.gateway, r.gateway_ref) for r in rows if r.seq == 0}
    repeats = [left_at(r.gateway, r.gateway_ref) for r in rows if r.seq > 0]
    burst_firsts = [t for i, t in firsts.items() if i != late_incident]
    last_first = max((t for t in burst_firsts if t), default=None)
    waits = [t - started for t in burst_firsts if t]
    return {
        "modems": modems, "http": http, "pressed_s": pressed_s,
        "firsts_left": sum(1 for t in burst_firsts if t), "calls": CALLS,
        "last_first_s": (last_first - started) if last_first else None,
        "first_wait_median_s": statistics.median(waits) if waits else None,
        "repeats_left": sum(1 for t in repeats if t),
        "repeats_before_last_first": sum(1 for t in repeats if t and last_first
                                         and t < last_first),
        "late_wait_s": (firsts[late_incident] - late_pressed) if firsts.get(late_incident)
        else None,
        "failed": failed, "waiting": waiting, "drained_s": drained_s,
        "error_files": error_files, "rerouted": rerouted,
        "by_route": by_route,
    }


def _s(value: float | None) -> str:
    return f"{value:.1f} s" if value is not None else "never"


def main() -> None:
    import logging

    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        rate = daemon_rate(Path(tmp))
    print(f"sms burst bench: {CALLS} calls pressed at once, 3 responders {STEP_WAIT_S} s apart "
          f"then the duty phone; gammu-smsd dummy driver, real time")
    print(f"dummy daemon alone, {RATE_FILES} files in its outbox: {rate:.2f} messages/s")
    for modems, http, kill in ((1, False, None), (2, True, None), (2, True, KILL_AFTER_S)):
        with tempfile.TemporaryDirectory() as tmp:
            result = run(Path(tmp), modems, http, kill)
        label = f"{modems} modem{'s' if modems > 1 else ''}" + (
            f" + HTTP gateway ({HTTP_DELAY_S * 1000:.0f} ms a message)" if http else "") + (
            f", modem 2's daemon killed {kill:.0f} s in" if kill else "")
        print(f"{label} (all {CALLS} pressed in {result['pressed_s']:.1f} s):")
        print(f"  first notifications left: {result['firsts_left']}/{result['calls']}, "
              f"the last {_s(result['last_first_s'])} after the presses "
              f"(median {_s(result['first_wait_median_s'])})")
        print(f"  repeats that left before the last first notification: "
              f"{result['repeats_before_last_first']} (of {result['repeats_left']} repeats "
              f"that left by then)")
        print(f"  a single call pressed {LATE_CALL_AFTER_S} s into the burst: first message "
              f"left after {_s(result['late_wait_s'])}")
        print(f"  expired or failed: {result['failed']} (files in gammu's error/: "
              f"{result['error_files']}); moved to another route: {result['rerouted']}; "
              f"still queued when the last first notification left: {result['waiting']}")
        print(f"  messages left by route: {result['by_route']}")
        if DRAIN:
            print(f"  every message of every step left after {_s(result['drained_s'])}; "
                  f"expired or failed on the way: {result['failed']}")


if __name__ == "__main__":
    main()
