"""Personal data at rest, tried as an auditor would: the database file's bytes, the SMS
spool after a send and a receive, the logs; and a number registered in two townships."""

from __future__ import annotations

import io
import logging
import os
import time
from pathlib import Path

import pytest

from tests.emergency.conftest import CADRE, DOCTOR, HOUSEHOLD, RELATIVE

SECRETS = {"number": HOUSEHOLD, "relative": RELATIVE, "doctor": DOCTOR, "name": "王大爷",
           "address": "张家村3组12号", "medical": "硝苯地平"}


def _forms(value: str) -> list[bytes]:
    """How a value could sit in a file: UTF-8, UTF-16 (gammu's files), hex of either."""
    forms = [value.encode(), value.encode("utf-16-le"), value.encode("utf-16-be")]
    return forms + [f.hex().encode() for f in forms]


def _found(data: bytes) -> list[str]:
    return [k for k, v in SECRETS.items() if any(f in data for f in _forms(v))]


def _db_bytes(tmp_path: Path) -> bytes:
    # The WAL holds the newest pages until a checkpoint: read it too.
    return b"".join(p.read_bytes() for p in tmp_path.glob("test.db*"))


def _arrive(spool: Path, number: str, text: str, stamp: str = "073000") -> None:
    name = f"IN20261123_{stamp}_00_{number}_00.txt"
    (spool / "inbox" / name).write_bytes(("\ufeff" + text).encode("utf-16-le"))


def _sms_tick(app) -> None:  # noqa: ANN001
    from publisher.inbound.jobs import sms_tick

    sms_tick(app)


def _gammu_sends_all(spool: Path) -> None:
    for path in (spool / "outbox").iterdir():
        os.replace(path, spool / "sent" / path.name)


def test_database_file_holds_no_plain_number_name_or_address(app, world, clock, helpers,
                                                              spool, tmp_path):
    from publisher.extensions import db
    from publisher.models import Household, SmsMessage

    _arrive(spool, "+86" + HOUSEHOLD, "救命 摔倒了")
    _sms_tick(app)  # stored, a call opened, the receipt queued
    helpers.tick(app, clock)  # the first responder alerted
    _sms_tick(app)
    with app.app_context():
        rows = db.session.query(SmsMessage).order_by(SmsMessage.id).all()
        assert [(m.direction, m.number) for m in rows][:1] == [("in", HOUSEHOLD)]
        assert {m.number for m in rows if m.direction == "out"} >= {HOUSEHOLD, RELATIVE}
        household = db.session.get(Household, world.household)
        assert (household.name, household.address) == ("王大爷", "张家村3组12号")
        assert household.members[0].name == "王大爷"
        # Found by digest, never by the plain value.
        assert db.session.query(SmsMessage).filter(SmsMessage.number == HOUSEHOLD).count() >= 2
        db.session.remove()
    data = _db_bytes(tmp_path)
    assert _found(data) == []
    # The scan does see the rows: a cadre's work phone (public, on the channel) is plain.
    assert CADRE.encode() in data


def test_spool_files_go_once_their_result_is_recorded(app, world, clock, helpers, spool):
    from publisher.extensions import db
    from publisher.models import SmsMessage

    _arrive(spool, "+86" + HOUSEHOLD, "救命")
    _sms_tick(app)
    helpers.tick(app, clock)
    _sms_tick(app)  # the alert and the receipt handed to the modem
    outbox = sorted(p.name for p in (spool / "outbox").iterdir())
    assert len(outbox) == 2 and any(RELATIVE in n for n in outbox)  # gammu needs the number
    _gammu_sends_all(spool)
    _sms_tick(app)  # sent recorded, then swept
    with app.app_context():
        assert {m.status for m in db.session.query(SmsMessage).filter_by(direction="out")
                } == {"sent"}
        db.session.remove()
    left = [p for p in spool.rglob("*") if p.is_file() and p.name != "gammu-smsdrc"]
    assert [p.name for p in left if any(n in p.name for n in (HOUSEHOLD, RELATIVE))] == []
    assert [p.name for p in left if _found(p.read_bytes())] == []


def test_a_file_still_in_flight_is_kept(app, world, clock, helpers, spool):
    """A message gammu moved to sent/ whose result is not recorded yet keeps its file: the
    queue reads the result from it."""
    from publisher.sms import spool as sweeper
    from publisher.sms import store
    from publisher.sms.routes import get_routes

    helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    with app.app_context():
        store.deliver_pending(clock())
        _gammu_sends_all(spool)
        assert sweeper.sweep(get_routes()) == 0  # still "queued" in the database
        assert len(list((spool / "sent").iterdir())) == 1
        store.refresh_statuses(clock())
        assert sweeper.sweep(get_routes()) == 1
        assert list((spool / "sent").iterdir()) == []


@pytest.mark.sms
def test_real_daemon_leaves_no_number_in_the_spool_or_its_log(app, world, clock, gammu):
    from publisher.emergency import delivery, escalation
    from publisher.extensions import db
    from publisher.models import SmsMessage

    gammu.phone.deliver("+86" + HOUSEHOLD, "救命 摔倒了")
    deadline = time.monotonic() + 20
    done = False
    while time.monotonic() < deadline and not done:
        _sms_tick(app)
        with app.app_context():
            escalation.tick(clock())
            delivery.sync_attempts(clock())
            rows = db.session.query(SmsMessage).filter_by(direction="out").all()
            done = len(rows) >= 2 and all(m.status == "sent" for m in rows)
            db.session.remove()
        time.sleep(0.2)
    assert done
    _sms_tick(app)
    files = [p for p in gammu.spool.rglob("*") if p.is_file() and p.name != "gammu-smsdrc"]
    assert [p.name for p in files if any(n in p.name for n in (HOUSEHOLD, RELATIVE))] == []
    assert [p.name for p in files if _found(p.read_bytes())] == []
    log = (gammu.spool / "gammu-smsd.log").read_text()
    assert "Received" in log and "Transmitted" in log
    assert gammu.spool.stat().st_mode & 0o777 == 0o700  # messages in transit: owner only
    assert HOUSEHOLD not in log and RELATIVE not in log


def test_every_log_record_is_redacted(app):
    from publisher.emergency.logredact import redact

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("publisher.test_redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("SMS to %s failed", "+86" + RELATIVE)
        try:
            raise ValueError(f"号码无效：'{DOCTOR}'")
        except ValueError:
            logger.exception("sending to %s", HOUSEHOLD)
        logger.info("trigger POST /emergency/trigger/SECRETTOKEN123 from 0991-1234567")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "138****0002" in text and "139****0009" in text and "138****0003" in text
    for plain in (RELATIVE, DOCTOR, HOUSEHOLD, "SECRETTOKEN123", "1234567"):
        assert plain not in text
    assert redact("ts 1733459200000, 20261123_073000") == "ts 1733459200000, 20261123_073000"


@pytest.fixture
def second_township(app, make_user):
    """Another township whose household registered the same phone as ``world``'s."""
    from publisher.emergency import registry, responders
    from publisher.extensions import db
    from publisher.models import Township, User, Village

    with app.app_context():
        other = Township(name="河口镇", county="乾元县", duty_phone="0991-7654321")
        db.session.add(other)
        db.session.flush()
        village = Village(township_id=other.id, name="河口村")
        db.session.add(village)
        db.session.commit()
        other_id, village_id = other.id, village.id
    admin_id = make_user("hekou", role="admin", township_id=other_id)
    with app.app_context():
        admin = db.session.get(User, admin_id)
        son = responders.save_responder(admin, other_id, responders.ResponderData(
            "王小二", "relative", "13600000006"))
        responders.mark_verified(admin, son)
        call_plan = responders.save_call_plan(admin, other_id, "河口预案", [
            responders.StepData(son.id, ("sms",), 300)], is_default=True)
        household = registry.save_household(admin, other_id, registry.HouseholdData(
            village_id=village_id, kind="空巢老人", name="王奶奶", call_plan_id=call_plan.id,
            phones=[("儿子", HOUSEHOLD)]))
        return other_id, household.id


def test_a_number_of_households_in_two_townships_calls_both(app, world, clock, spool,
                                                            second_township):
    from publisher.extensions import db
    from publisher.models import SmsMessage
    from publisher.models.emergency import Incident, IncidentEvent

    other_township, other_household = second_township
    _arrive(spool, "+86" + HOUSEHOLD, "救命")
    _sms_tick(app)
    with app.app_context():
        incidents = db.session.query(Incident).order_by(Incident.id).all()
        assert {(i.township_id, i.household_id) for i in incidents} == {
            (world.township, world.household), (other_township, other_household)}
        for incident in incidents:
            notes = [e.detail for e in db.session.query(IncidentEvent).filter_by(
                incident_id=incident.id)]
            assert any("登记在 2 户（2 个乡镇）" in n for n in notes)
        receipt = db.session.query(SmsMessage).filter_by(direction="out").one()
        assert receipt.number == HOUSEHOLD and "已同时通知各户联系人" in receipt.text
        db.session.remove()


def test_a_check_in_from_a_number_of_cadres_in_two_townships_is_refused(app, world, clock,
                                                                        spool):
    from publisher.extensions import db
    from publisher.models import Cadre, SmsMessage, Township, Whereabouts

    with app.app_context():
        other = Township(name="河口镇", county="乾元县")
        db.session.add(other)
        db.session.flush()
        db.session.add(Cadre(township_id=other.id, name="张三", phone="13800000001"))
        db.session.commit()
    _arrive(spool, "+8613800000001", "去向 张家村 走访")
    _sms_tick(app)
    with app.app_context():
        assert db.session.query(Whereabouts).count() == 0
        inbound = db.session.query(SmsMessage).filter_by(direction="in").one()
        assert (inbound.status, inbound.township_id) == ("unmatched", None)
        reply = db.session.query(SmsMessage).filter_by(direction="out").one()
        assert "多个乡镇" in reply.text and "未登记" in reply.text
        db.session.remove()
