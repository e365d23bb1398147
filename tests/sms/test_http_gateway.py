"""The HTTP gateway against a tiny SMS platform on 127.0.0.1, and swapping by config."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from publisher.sms import build_gateway
from publisher.sms.gateway import GatewayError, SendStatus
from publisher.sms.http_gateway import HttpGateway


class Platform:
    """Implements the contract documented in publisher.sms.http_gateway."""

    def __init__(self) -> None:
        self.sent: dict[str, dict] = {}
        self.by_ref: dict[str, str] = {}
        self.inbox = [{"id": "in-1", "from": "+8613800000001", "text": "去向 张家村",
                       "received_at": "2026-11-23T08:00:00+08:00"},
                      {"id": "in-2"}]  # malformed: skipped
        self.fail_next = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                if outer.fail_next:
                    outer.fail_next = False
                    return self._json(503, {"error": "busy"})
                if self.path == "/sms":
                    key = self.headers.get("Idempotency-Key")
                    if key not in outer.by_ref:
                        outer.by_ref[key] = f"g{len(outer.sent) + 1}"
                        outer.sent[outer.by_ref[key]] = body
                    return self._json(200, {"id": outer.by_ref[key], "status": "queued"})
                if self.path.endswith("/ack"):
                    ident = self.path.split("/")[-2]
                    outer.inbox = [m for m in outer.inbox if m["id"] != ident]
                    return self._json(200, {})
                return self._json(404, {})

            def do_GET(self):  # noqa: N802
                if self.path == "/sms/inbox":
                    return self._json(200, {"messages": outer.inbox})
                ident = self.path.rsplit("/", 1)[-1]
                if ident in outer.sent:
                    return self._json(200, {"status": "sent"})
                return self._json(404, {})

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def platform():
    platform = Platform()
    yield platform
    platform.server.shutdown()


def test_send_status_receive_ack(platform):
    gateway = HttpGateway(platform.url)
    ident = gateway.send("13800000001", "已登记去向", ref="m1", priority="A")
    assert platform.sent[ident] == {"to": "13800000001", "text": "已登记去向", "ref": "m1",
                                    "priority": "A"}
    assert gateway.send("13800000001", "已登记去向", ref="m1") == ident  # idempotent
    assert len(platform.sent) == 1
    assert gateway.status(ident) == SendStatus.SENT
    (message,) = gateway.receive()
    assert (message.number, message.text, message.ref) == ("+8613800000001", "去向 张家村", "in-1")
    assert message.received_at.utcoffset().total_seconds() == 8 * 3600
    gateway.ack(message)
    assert gateway.receive() == []


def test_errors_become_gateway_errors(platform):
    gateway = HttpGateway(platform.url)
    platform.fail_next = True
    with pytest.raises(GatewayError, match="503"):
        gateway.send("13800000001", "x", ref="m2")
    with pytest.raises(GatewayError, match="404"):
        gateway.status("nope")
    with pytest.raises(GatewayError, match="无法连接"):
        HttpGateway("http://127.0.0.1:9/sms", timeout=1).send("13800000001", "x")


def test_unconfigured_url_is_refused():
    with pytest.raises(GatewayError, match="SMS_HTTP_URL"):
        HttpGateway("")


def test_backend_is_chosen_by_config(platform, tmp_path):
    from publisher.sms.gammu_files import GammuFilesGateway

    assert isinstance(build_gateway({"SMS_BACKEND": "http", "SMS_HTTP_URL": platform.url}),
                      HttpGateway)
    assert isinstance(build_gateway({"SMS_BACKEND": "gammu", "SMS_SPOOL_DIR": tmp_path}),
                      GammuFilesGateway)
    with pytest.raises(GatewayError):
        build_gateway({"SMS_BACKEND": "pigeon"})


def test_whole_check_in_path_works_over_http(app, platform, cadre, clock):
    """The same store/dispatcher code with the HTTP backend: check-in in, reply out."""
    from publisher.extensions import db
    from publisher.inbound import dispatcher
    from publisher.models import SmsMessage, Whereabouts
    from publisher.sms import store

    app.config.update(SMS_BACKEND="http", SMS_HTTP_URL=platform.url)
    with app.app_context():
        assert store.poll_inbox(dispatcher.handle, clock()) == 1
        store.deliver_pending(clock())
        assert db.session.query(Whereabouts).one().source == "sms"
        reply = db.session.query(SmsMessage).filter_by(direction="out").one()
        # The platform's 2xx means the message left our hands (publisher.sms.routes).
        assert reply.status == "sent" and reply.gateway == "http"
    assert platform.inbox == [{"id": "in-2"}]
    assert "已登记" in next(iter(platform.sent.values()))["text"]
