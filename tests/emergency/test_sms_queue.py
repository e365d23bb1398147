"""The SMS queue (publisher.sms.queue): priority order kept at the modem by a small
window, nothing expiring silently, the next route taking what one route could not send,
and the incident's log telling it. Spool files are moved by hand where gammu-smsd would
move them (tests/sms and the benchmark run the real daemon)."""

import os
from datetime import timedelta

from publisher.sms import store
from publisher.sms.gammu_files import GammuFilesGateway
from publisher.sms.gateway import GatewayError
from publisher.sms.queue import FIRST, REMINDER, REPEAT, REPLY, step_priority
from publisher.sms.routes import Route, WebhookSms

from .conftest import T0


def _queue(app, *messages):
    """Queue (number, priority) pairs; returns their ids."""
    from publisher.extensions import db

    with app.app_context():
        ids = [store.queue_sms(number, f"消息{n}", priority=priority, now=T0).id
               for n, (number, priority) in enumerate(messages)]
        db.session.commit()
        return ids


def _outbox(spool):
    return sorted(p.name for p in (spool / "outbox").iterdir())


def _gammu_sends_all(spool):
    """What gammu-smsd does with each outbox file: send it and move it to sent/."""
    for path in (spool / "outbox").iterdir():
        os.replace(path, spool / "sent" / path.name)


def _tick(app, at, timeout_s=30):
    from publisher.extensions import db

    with app.app_context():
        store.refresh_statuses(at, timeout_s=timeout_s)
        store.deliver_pending(at)
        db.session.remove()


def _rows(app):
    from publisher.extensions import db
    from publisher.models import SmsMessage

    with app.app_context():
        rows = db.session.query(SmsMessage).filter_by(direction="out").order_by(SmsMessage.id)
        out = [(r.id, r.status, r.gateway, r.error, r.raw) for r in rows]
        db.session.remove()
        return out


def _routes(app, *routes):
    app.config["SMS_ROUTES"] = list(routes)


def test_step_priority():
    assert step_priority(0) == FIRST
    assert step_priority(1) == REPEAT and step_priority(0, round_no=2) == REPEAT
    assert FIRST < REPEAT < REMINDER < REPLY  # the queue sorts by the letter


def test_the_modem_gets_two_files_at_a_time_in_priority_order(app, tmp_path):
    modem = GammuFilesGateway(tmp_path / "m1", settle_seconds=0)
    _routes(app, Route("gammu", modem, 2))
    ids = _queue(app, ("13800000001", REPLY), ("13800000002", REMINDER),
                 ("13800000003", REPEAT), ("13800000004", FIRST), ("13800000005", FIRST))
    order = []
    for second in range(5):
        _tick(app, T0 + timedelta(seconds=second))
        names = _outbox(tmp_path / "m1")
        assert len(names) <= 2  # the window: never a backlog in gammu's own outbox
        order += [int(n.rsplit("_m", 1)[1].split(".")[0]) for n in names]
        _gammu_sends_all(tmp_path / "m1")
    assert order == [ids[3], ids[4], ids[2], ids[1], ids[0]]  # A, A, B, C, D
    _tick(app, T0 + timedelta(seconds=6))
    assert {status for _id, status, *_ in _rows(app)} == {"sent"}


def test_a_stuck_modem_hands_its_messages_to_the_next_and_the_incident_says_so(
        app, world, clock, helpers, tmp_path):
    dead = GammuFilesGateway(tmp_path / "dead", settle_seconds=0)
    alive = GammuFilesGateway(tmp_path / "alive", settle_seconds=0)
    _routes(app, Route("gammu", dead, 2), Route("gammu2", alive, 2))
    _queue(app, ("13800000011", REPLY), ("13800000012", REPLY))
    result = helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    # The call's first notification went first, to the first modem (whose daemon is down).
    assert len(_outbox(tmp_path / "dead")) == 2 and len(_outbox(tmp_path / "alive")) == 1
    assert any("_13800000002_" in name for name in _outbox(tmp_path / "dead"))
    _gammu_sends_all(tmp_path / "alive")
    # Nobody sends from the dead modem: after the route timeout they move on, not expire.
    _tick(app, clock() + timedelta(seconds=31))
    assert _outbox(tmp_path / "dead") == []
    assert len(list((tmp_path / "dead" / "error").iterdir())) == 2  # taken back
    assert len(_outbox(tmp_path / "alive")) == 2
    _gammu_sends_all(tmp_path / "alive")
    _tick(app, clock() + timedelta(seconds=32))
    rows = _rows(app)
    assert {status for _id, status, *_ in rows} == {"sent"}
    moved = [raw for _id, _s, _g, _e, raw in rows if raw.count("\n") == 2]
    assert len(moved) == 2 and all(r.startswith("gammu\t") for r in moved)
    details = [d for kind, d in helpers.events(app, result.incident_id) if kind == "status"]
    assert any("短信未能经短信猫发出" in d and "138****0002" in d for d in details)
    assert "短信改由短信猫2发送：138****0002" in details
    assert not any("13800000002" in d for d in details)  # numbers stay masked


class Refusing(WebhookSms):
    name = "http"

    def __init__(self):
        super().__init__("")
        self.calls = 0

    def send(self, number, text, **kwargs):
        self.calls += 1
        raise GatewayError("网关返回错误 HTTP 503")


class Recording(WebhookSms):
    def __init__(self):
        super().__init__("")
        self.sent = []

    def send(self, number, text, **kwargs):
        self.sent.append(number)
        return kwargs.get("ref") or ""


def test_when_every_route_fails_the_message_fails_saying_which(app, tmp_path):
    failing = GammuFilesGateway(tmp_path / "m1", settle_seconds=0)
    http = Refusing()
    _routes(app, Route("gammu", failing, 2), Route("http", http, 8, synchronous=True))
    (message_id,) = _queue(app, ("13800000001", REPLY))
    _tick(app, T0)
    (name,) = _outbox(tmp_path / "m1")
    os.replace(tmp_path / "m1" / "outbox" / name, tmp_path / "m1" / "error" / name)
    _tick(app, T0 + timedelta(seconds=1))  # gammu failed it: the HTTP gateway is next …
    _tick(app, T0 + timedelta(seconds=2))  # … and refuses too
    ((_id, status, _gateway, error, raw),) = _rows(app)
    assert status == "failed" and http.calls == 1
    assert error.startswith("所有线路均未能发出") and "HTTP 503" in error
    assert raw.splitlines()[0].startswith("gammu\t")


def test_the_voice_webhook_is_a_last_resort_for_emergency_messages_only(app, tmp_path):
    http, voice = Refusing(), Recording()
    _routes(app, Route("http", http, 8, synchronous=True),
            Route("voice", voice, 8, synchronous=True, last_resort=True))
    _queue(app, ("13800000001", FIRST), ("13800000002", REPLY))
    _tick(app, T0)
    _tick(app, T0 + timedelta(seconds=1))
    rows = _rows(app)
    assert voice.sent == ["13800000001"]
    assert [(status, gateway) for _id, status, gateway, *_ in rows] == [
        ("sent", "voice"), ("failed", "http")]


def test_the_http_gateway_runs_beside_a_busy_modem(app, tmp_path):
    modem, http = GammuFilesGateway(tmp_path / "m1", settle_seconds=0), Recording()
    http.name = "http"
    _routes(app, Route("gammu", modem, 1), Route("http", http, 8, synchronous=True))
    _queue(app, *[(f"1380000000{n}", FIRST) for n in range(4)])
    _tick(app, T0)
    assert len(_outbox(tmp_path / "m1")) == 1 and len(http.sent) == 3
    assert [s for _id, s, *_ in _rows(app)] == ["queued", "sent", "sent", "sent"]
