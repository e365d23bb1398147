"""Several modems as routes: settings, one config per modem, and two real gammu-smsd
daemons sharing a burst through the queue without either outbox holding a backlog."""

import time
from pathlib import Path

import pytest

from publisher.sms.routes import build_routes, modems

from .conftest import T0


def test_modems_from_the_settings(tmp_path):
    config = {"SMS_SPOOL_DIR": tmp_path / "sms", "SMS_MODEMS": ["dummy", "/dev/ttyUSB1"],
              "GAMMU_CONNECTION": "at"}
    first, second = modems(config)
    assert (first.name, first.spool, first.device) == ("gammu", tmp_path / "sms", "")
    assert (second.name, second.spool, second.device) == (
        "gammu2", tmp_path / "sms2", "/dev/ttyUSB1")
    # No list: the one modem of VILLAGECAST_GAMMU_DEVICE, as before.
    (only,) = modems({"SMS_SPOOL_DIR": tmp_path / "sms", "GAMMU_DEVICE": "/dev/ttyUSB0"})
    assert (only.name, only.device) == ("gammu", "/dev/ttyUSB0")


def test_routes_modems_first_then_http_then_the_voice_webhook_last(tmp_path):
    routes = build_routes({"SMS_SPOOL_DIR": tmp_path / "sms", "SMS_MODEMS": ["", ""],
                           "SMS_HTTP_URL": "http://127.0.0.1:9/sms",
                           "EMERGENCY_WEBHOOK_URL": "http://127.0.0.1:9/call"})
    assert [(r.name, r.synchronous, r.last_resort) for r in routes] == [
        ("gammu", False, False), ("gammu2", False, False), ("http", True, False),
        ("voice", True, True)]
    assert (tmp_path / "sms2" / "outbox").is_dir()


def test_the_config_cli_writes_one_config_per_modem(tmp_path, monkeypatch, capsys):
    from publisher.sms import gammu_config

    monkeypatch.setenv("VILLAGECAST_DATA", str(tmp_path))
    monkeypatch.setenv("VILLAGECAST_SMS_MODEMS", "dummy,dummy")
    assert gammu_config.main(["2"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path == tmp_path / "sms2" / "gammu-smsdrc"
    assert f"outboxpath = {tmp_path / 'sms2' / 'outbox'}/" in path.read_text()
    assert gammu_config.main(["3"]) == 2  # not configured: refused


@pytest.mark.sms
def test_two_real_daemons_share_a_burst_in_order(app, tmp_path):
    from publisher.extensions import db
    from publisher.models import SmsMessage
    from publisher.sms import store
    from publisher.sms.dummy_phone import SmsDaemon
    from publisher.sms.gammu_config import write_config
    from publisher.sms.queue import FIRST, REPLY

    app.config.update(SMS_MODEMS=["dummy", "dummy"], SMS_SPOOL_DIR=tmp_path / "sms")
    spools = [tmp_path / "sms", tmp_path / "sms2"]
    with app.app_context():
        for n in range(6):
            store.queue_sms(f"1380000001{n}", f"消息{n}", priority=REPLY if n < 3 else FIRST,
                            now=T0)
        db.session.commit()
        most_in_outbox = 0
        with SmsDaemon(write_config(spools[0])), SmsDaemon(write_config(spools[1])):
            assert store.deliver_pending(T0) == 4  # two files per modem
            # The three first notifications before any reply, though queued after them.
            assert sorted(m.priority for m in db.session.query(SmsMessage)
                          .filter_by(status="queued")) == [FIRST, FIRST, FIRST, REPLY]
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                store.refresh_statuses(T0, timeout_s=30)
                store.deliver_pending(T0)
                most_in_outbox = max(most_in_outbox, *(
                    len(list((s / "outbox").iterdir())) for s in spools))
                if all(m.status == "sent" for m in db.session.query(SmsMessage)):
                    break
                time.sleep(0.1)
        rows = db.session.query(SmsMessage).order_by(SmsMessage.id).all()
        assert {m.status for m in rows} == {"sent"}
        assert {m.gateway for m in rows} == {"gammu", "gammu2"}
        assert most_in_outbox <= 2
        db.session.remove()
    assert len([p.name for s in spools for p in (s / "sent").iterdir()]) == 6
