"""A township with a vulnerable household, responders and a two-step call_plan; a clock
that tests move by hand; the gammu spool as the SMS gateway."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai
RELATIVE, DOCTOR, CADRE, HOUSEHOLD = "13800000002", "13800000003", "13800000001", "13900000009"
DUTY_PHONE = "09911234567"


@pytest.fixture(scope="session")
def migrated_db(migrated_template: Path) -> Path:
    """The suite's once-migrated SQLite template (tests/conftest.py), for tests that need a
    SQLite file of their own; the others take the suite's ``app`` (SQLite or PostgreSQL)."""
    return migrated_template


@pytest.fixture
def clock_start():
    """Where this folder's ``clock`` (tests/conftest.py) starts."""
    return T0


@pytest.fixture
def spool(app, tmp_path) -> Path:
    from publisher.sms.gammu_files import GammuFilesGateway

    path = tmp_path / "spool"
    app.config["SMS_SPOOL_DIR"] = path
    # settle 0: these tests write finished files themselves; the daemon tests use the default
    app.config["SMS_GATEWAY"] = GammuFilesGateway(path, settle_seconds=0)
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:8000"
    return path


@pytest.fixture
def world(app, township, make_user, clock, spool):
    """Ids of everything; the call plan: 李四 (relative, 300 s) → 王医生 (doctor, 300 s) → duty."""
    from publisher.emergency import registry, responders
    from publisher.extensions import db
    from publisher.models import Cadre, User, Village, cadre_village

    admin_id = make_user("boss", role="admin", township_id=township)
    editor_id = make_user("xiaoli", role="editor", township_id=township)
    with app.app_context():
        admin = db.session.get(User, admin_id)
        village = db.session.query(Village).filter_by(name="张家村").one()
        cadre = Cadre(township_id=township, name="张三", phone=CADRE, post="副乡长")
        db.session.add(cadre)
        db.session.flush()
        db.session.execute(cadre_village.insert().values(cadre_id=cadre.id, village_id=village.id))
        db.session.commit()
        relative = responders.save_responder(admin, township, responders.ResponderData(
            "李四", "relative", RELATIVE))
        doctor = responders.save_responder(admin, township, responders.ResponderData(
            "王医生", "doctor", DOCTOR))
        for r in (relative, doctor):
            responders.mark_verified(admin, r, clock())
        call_plan = responders.save_call_plan(admin, township, "空巢老人预案", [
            responders.StepData(relative.id, ("sms",), 300),
            responders.StepData(doctor.id, ("sms",), 300),
        ], final_phone=DUTY_PHONE, is_default=True)
        household = registry.save_household(admin, township, registry.HouseholdData(
            village_id=village.id, kind="空巢老人", name="王大爷", address="张家村3组12号",
            medical_notes="高血压，服用硝苯地平", call_plan_id=call_plan.id,
            phones=[("本人", HOUSEHOLD)],
            members=[registry.MemberData("王大爷", "本人", 1948, "110101194801010010")]))
        device, token = registry.add_device(admin, household, "床头呼救器", 24, clock())
        return SimpleNamespace(township=township, admin=admin_id, editor=editor_id,
                               village=village.id, cadre=cadre.id, relative=relative.id,
                               doctor=doctor.id, call_plan=call_plan.id, household=household.id,
                               device=device.id, token=token)


def outbound(app) -> list[tuple[str, str]]:
    """(number, text) of every outbound SMS row, in order."""
    from publisher.extensions import db
    from publisher.models import SmsMessage

    with app.app_context():
        rows = db.session.query(SmsMessage).filter_by(direction="out").order_by(SmsMessage.id)
        return [(r.number, r.text) for r in rows]


def numbers(app) -> list[str]:
    return [number for number, _ in outbound(app)]


def run_tick(app, clock) -> None:
    """One emergency clock tick plus handing queued SMS to the spool."""
    from publisher.emergency import escalation
    from publisher.extensions import db
    from publisher.sms import store

    with app.app_context():
        escalation.tick(clock())
        store.deliver_pending(clock())
        db.session.remove()


def trigger(app, clock, world, **kwargs):
    from publisher.emergency import incidents
    from publisher.extensions import db
    from publisher.models import Household

    with app.app_context():
        household = db.session.get(Household, world.household)
        result = incidents.trigger(household, source=kwargs.pop("source", "device"),
                                   now=clock(), **kwargs)
        db.session.remove()
        return result


def incident_state(app, incident_id: int) -> str:
    from publisher.extensions import db
    from publisher.models import Incident

    with app.app_context():
        return db.session.get(Incident, incident_id).state


def events(app, incident_id: int) -> list[tuple[str, str]]:
    from publisher.extensions import db
    from publisher.models.emergency import IncidentEvent

    with app.app_context():
        rows = db.session.query(IncidentEvent).filter_by(incident_id=incident_id).order_by(
            IncidentEvent.id)
        return [(e.kind, e.detail) for e in rows]


@pytest.fixture
def helpers():
    return SimpleNamespace(outbound=outbound, numbers=numbers, tick=run_tick, trigger=trigger,
                           state=incident_state, events=events)


@pytest.fixture
def gammu(app, spool):
    """A real gammu-smsd on the dummy phone, spooling to ``spool``."""
    from publisher.sms.dummy_phone import DummyPhone, SmsDaemon
    from publisher.sms.gammu_config import write_config
    from publisher.sms.gammu_files import GammuFilesGateway

    app.config["SMS_GATEWAY"] = GammuFilesGateway(spool)  # the real settle time
    with SmsDaemon(write_config(spool)) as daemon:
        yield SimpleNamespace(daemon=daemon, phone=DummyPhone(spool), spool=spool)


def full_tick(app, clock) -> None:
    """Everything the clock process does each tick, SMS side included."""
    from publisher.emergency import delivery, escalation
    from publisher.extensions import db
    from publisher.inbound import dispatcher
    from publisher.sms import store

    with app.app_context():
        store.poll_inbox(dispatcher.handle, clock())
        escalation.tick(clock())
        store.deliver_pending(clock())
        store.refresh_statuses(clock())
        delivery.sync_attempts(clock())
        db.session.remove()


def pump(app, clock, until, timeout: float = 15.0) -> None:
    """Tick (in real time, fake clock standing still) until ``until()`` holds."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        full_tick(app, clock)
        if until():
            return
        time.sleep(0.2)
    raise AssertionError("condition not reached in time")


def sent_files(spool: Path) -> list[tuple[str, str]]:
    """(recipient, text) of what gammu-smsd actually transmitted, by file."""
    out = []
    for path in sorted((spool / "sent").iterdir()):
        recipient = path.name.split("_")[3]
        out.append((recipient, path.read_bytes().decode("utf-16")))
    return out
