"""Encryption, masking, verification of responders, device health tasks."""

from datetime import timedelta

import pytest

from .conftest import CADRE, RELATIVE


@pytest.mark.parametrize(("raw", "norm"), [
    ("+86 138-0013-8000", "13800138000"), ("008613800138000", "13800138000"),
    ("8613800138000", "13800138000"), ("13800138000", "13800138000"),
    ("0991-1234567", "09911234567"), ("８６１３８００１３８０００", "13800138000"),
    ("+4412345", "+4412345"), ("", ""),
])
def test_normalize_number(raw, norm):
    from publisher.sms.numbers import normalize_number

    assert normalize_number(raw) == norm


@pytest.mark.parametrize(("value", "masked"), [
    ("13800138000", "138****8000"), ("09911234567", "099****4567"), ("12345", "1**45"),
    ("", ""),
])
def test_mask_phone(value, masked):
    from publisher.emergency.crypto import mask_phone

    assert mask_phone(value) == masked


def test_encryption_round_trip_and_digest_needs_the_key(app):
    from publisher.emergency import crypto

    with app.app_context():
        token = crypto.encrypt("110101194801010010")
        assert "1101" not in token and crypto.decrypt(token) == "110101194801010010"
        assert crypto.digest("+8613800138000") == crypto.digest("138 0013 8000")
        app.config["ENCRYPTION_KEY"] = "not-a-key"
        with pytest.raises(crypto.CryptoError):
            crypto.decrypt(token)


def test_key_is_generated_once_into_the_data_dir(tmp_path, monkeypatch):
    from publisher.config import load_config

    monkeypatch.delenv("VILLAGECAST_ENCRYPTION_KEY", raising=False)
    first = load_config({"DATA_DIR": tmp_path, "SECRET_KEY": "x"})["ENCRYPTION_KEY"]
    second = load_config({"DATA_DIR": tmp_path, "SECRET_KEY": "x"})["ENCRYPTION_KEY"]
    assert first == second and len(first) == 44
    assert (tmp_path / "encryption_key").stat().st_mode & 0o777 == 0o600


def test_responder_verifies_by_replying_the_code(app, world, clock):
    import re

    from publisher.emergency import responders
    from publisher.extensions import db
    from publisher.inbound import dispatcher
    from publisher.models import SmsMessage, User
    from publisher.models.emergency import Responder

    with app.app_context():
        admin = db.session.get(User, world.admin)
        responder = responders.save_responder(admin, world.township, responders.ResponderData(
            "赵邻居", "neighbour", "13700000007"))
        assert responder.phone_verified_at is None
        responders.start_verification(admin, responder, clock())
        text = db.session.query(SmsMessage).filter_by(number="13700000007").one().text
        code = re.search(r"\d{6}", text).group(0)
        wrong = SmsMessage(direction="in", number="13700000007", text="000000", status="received")
        right = SmsMessage(direction="in", number="13700000007", text=code, status="received")
        for message in (wrong, right):
            db.session.add(message)
            db.session.flush()
            dispatcher.handle(message, clock())
        db.session.commit()
        assert db.session.get(Responder, responder.id).phone_verified_at is not None
        assert (wrong.status, right.handled_as) == ("unmatched", "verify")


def test_changing_a_phone_needs_verifying_again(app, world):
    from publisher.emergency import responders
    from publisher.extensions import db
    from publisher.models import User
    from publisher.models.emergency import Responder

    with app.app_context():
        admin = db.session.get(User, world.admin)
        responder = db.session.get(Responder, world.relative)
        responders.save_responder(admin, world.township, responders.ResponderData(
            "李四", "relative", RELATIVE), responder)
        assert responder.phone_verified_at is not None  # same number: still verified
        responders.save_responder(admin, world.township, responders.ResponderData(
            "李四", "relative", "13700000009"), responder)
        assert responder.phone_verified_at is None


def test_editor_cannot_change_the_registry(app, world):
    from publisher.emergency import registry
    from publisher.extensions import db
    from publisher.models import Household, User
    from publisher.services.errors import NotAllowed

    with app.app_context():
        editor = db.session.get(User, world.editor)
        with pytest.raises(NotAllowed):
            registry.reveal(editor, db.session.get(Household, world.household))


def test_missed_device_test_raises_one_task_for_the_village_cadre(app, world, clock):
    from publisher.emergency import health
    from publisher.extensions import db
    from publisher.models import SmsMessage
    from publisher.models.emergency import Device, DeviceTask

    with app.app_context():
        assert health.check_devices(clock()) == 0
        clock.advance(hours=24, minutes=30)
        assert health.check_devices(clock()) == 0  # within the hour of grace
        clock.advance(minutes=31)
        assert health.check_devices(clock()) == 1
        assert health.check_devices(clock() + timedelta(minutes=5)) == 0  # once per miss
        (task,) = db.session.query(DeviceTask).all()
        assert task.cadre_id == world.cadre and task.done_at is None
        (sms,) = db.session.query(SmsMessage).all()
        assert sms.number == CADRE and "床头呼救器" in sms.text and "测试" in sms.text
        assert health.record_test(db.session.get(Device, world.device), clock(), "t1") == "test"
        assert db.session.get(DeviceTask, task.id).done_at == clock()
        assert health.record_test(db.session.get(Device, world.device), clock(),
                                  "t1") == "duplicate"


def test_household_test_sms_is_not_an_emergency(app, world, clock):
    from publisher.extensions import db
    from publisher.inbound import dispatcher
    from publisher.models import Incident, SmsMessage

    with app.app_context():
        message = SmsMessage(direction="in", number="13900000009", text="测试", status="received")
        db.session.add(message)
        db.session.flush()
        dispatcher.handle(message, clock())
        db.session.commit()
        assert message.handled_as == "test" and db.session.query(Incident).count() == 0
        reply = db.session.query(SmsMessage).filter_by(direction="out").one()
        assert "测试已收到" in reply.text


@pytest.mark.parametrize("raw", ["1390917", "12345", "0991000", "138001380001", "电话"])
def test_household_and_responder_phones_follow_the_common_rule(raw):
    from publisher.emergency.registry import check_phone
    from publisher.services.errors import FieldError

    with pytest.raises(FieldError):
        check_phone(raw)


@pytest.mark.parametrize(("raw", "dialled"), [
    ("+86 138-0013-8000", "13800138000"),
    ("0991-1234567", "09911234567"),
    ("400 800 1234", "4008001234"),
])
def test_valid_phones_are_stored_as_the_digits_to_dial(raw, dialled):
    from publisher.emergency.registry import check_phone

    assert check_phone(raw) == dialled
