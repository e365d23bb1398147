"""The HTTP webhook notifier (voice-call or other SMS gateways), against a real local
HTTP server: one POST per attempt, failures escalate at once, the duty phone's call
says nobody answered."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from .conftest import DOCTOR, DUTY_PHONE, RELATIVE


@pytest.fixture
def webhook(app):
    """A voice gateway on localhost; ``status`` is what it answers."""
    seen = SimpleNamespace(calls=[], status=200)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.calls.append((self.headers["Idempotency-Key"], json.loads(body)))
            self.send_response(seen.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.config["EMERGENCY_WEBHOOK_URL"] = f"http://127.0.0.1:{server.server_port}/call"
    yield seen
    server.shutdown()


@pytest.fixture
def voice_first(app, world):
    """李四 is called (voice only), then 王医生 texted, then the duty phone."""
    from publisher.emergency import responders
    from publisher.extensions import db
    from publisher.models import User
    from publisher.models.emergency import CallPlan

    with app.app_context():
        responders.save_call_plan(
            db.session.get(User, world.admin), world.township, "先打电话", [
                responders.StepData(world.relative, ("voice",), 300),
                responders.StepData(world.doctor, ("sms",), 300)],
            final_phone=DUTY_PHONE, is_default=True,
            call_plan=db.session.get(CallPlan, world.call_plan))
    return world


def _attempts(app):
    from publisher.extensions import db
    from publisher.models.emergency import NotificationAttempt

    with app.app_context():
        return [(a.channel, a.purpose, a.status) for a in
                db.session.query(NotificationAttempt).order_by(NotificationAttempt.id)]


def test_voice_step_posts_once_per_attempt(app, voice_first, clock, helpers, webhook):
    result = helpers.trigger(app, clock, voice_first)
    helpers.tick(app, clock)
    helpers.tick(app, clock)  # a second tick does not call again
    ((key, payload),) = webhook.calls
    assert key.startswith("attempt-") and payload["kind"] == "call"
    assert payload["to"] == RELATIVE and payload["incident_id"] == result.incident_id
    assert payload["text"].startswith("【应急呼救】") and "/emergency/ack/" in payload["ack_url"]
    from publisher.extensions import db
    from publisher.models import Incident

    with app.app_context():
        code = db.session.get(Incident, result.incident_id).reply_code
    assert code and payload["text"].endswith(f"回复{code}确认")  # the call's own code
    assert payload["is_drill"] is False
    assert helpers.numbers(app) == []  # voice only: no SMS to 李四
    assert _attempts(app) == [("voice", "alert", "sent")]
    assert ("status", "电话通知已发出：李四") in helpers.events(app, result.incident_id)


def test_failed_call_escalates_instead_of_waiting(app, voice_first, clock, helpers, webhook):
    webhook.status = 500
    result = helpers.trigger(app, clock, voice_first)
    helpers.tick(app, clock)
    helpers.tick(app, clock)  # same moment: the 300 s wait is not served
    assert helpers.numbers(app) == [DOCTOR]
    assert _attempts(app)[0] == ("voice", "alert", "failed")
    assert any("立即进入下一步" in d for _, d in helpers.events(app, result.incident_id))
    assert len(webhook.calls) == 1


def test_duty_phone_call_says_nobody_answered(app, voice_first, clock, helpers, webhook):
    helpers.trigger(app, clock, voice_first)
    helpers.tick(app, clock)
    for _ in range(2):
        clock.advance(seconds=300)
        helpers.tick(app, clock)
    assert helpers.numbers(app) == [DOCTOR, DUTY_PHONE]
    final = [p for _, p in webhook.calls if p["to"] == DUTY_PHONE]
    assert len(final) == 1 and "无人接警" in final[0]["text"] and "120" in final[0]["text"]
    assert "已通知2人" in final[0]["text"]
