"""Keys at rest: files 0600, the key outside the data directory, rotation on a populated
database, and migration 0009 encrypting rows written before it."""

from __future__ import annotations

import stat

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import text

from tests.emergency.conftest import HOUSEHOLD, RELATIVE


def _mode(path) -> int:  # noqa: ANN001
    return stat.S_IMODE(path.stat().st_mode)


def _tokens(app) -> list[str]:  # noqa: ANN001
    """Every ciphertext in the database."""
    from publisher.extensions import db
    from publisher.security.key_rotation import encrypted_columns

    with app.app_context():
        found = [token for table, columns in encrypted_columns().items()
                 for row in db.session.execute(table.select()).mappings()
                 for token in (row[c] for c in columns) if token]
        db.session.remove()
    return found


def _opens(key: str, token: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


@pytest.fixture
def populated(app, world, clock, helpers, spool):
    """A call by SMS, its alert queued and acknowledged: every kind of encrypted row."""
    from publisher.extensions import db
    from publisher.inbound import dispatcher
    from publisher.models import SmsMessage
    from publisher.sms import store

    (spool / "inbox" / f"IN20261123_073000_00_+86{HOUSEHOLD}_00.txt").write_bytes(
        "\ufeff救命".encode("utf-16-le"))
    with app.app_context():
        store.poll_inbox(dispatcher.handle, clock())
        db.session.remove()
    helpers.tick(app, clock)
    (spool / "inbox" / f"IN20261123_073100_00_+86{RELATIVE}_00.txt").write_bytes(
        "\ufeff1".encode("utf-16-le"))
    with app.app_context():
        store.poll_inbox(dispatcher.handle, clock())
        assert db.session.query(SmsMessage).filter_by(handled_as="ack").count() == 1
        db.session.remove()
    return world


def _rotate(app, *args: str):  # noqa: ANN001, ANN202
    from publisher.security.key_rotation import rotate_key

    return app.test_cli_runner().invoke(rotate_key, list(args))


def test_key_file_is_private(app, tmp_path):
    key_file = app.config["KEY_FILE"]
    assert key_file == tmp_path / "data" / "encryption_key"
    assert _mode(key_file) == 0o600


@pytest.mark.sqlite_file
def test_database_file_is_private(app, tmp_path):
    assert _mode(tmp_path / "test.db") == 0o600


def test_key_file_outside_the_data_directory(tmp_path, monkeypatch):
    from publisher.config import load_config

    monkeypatch.delenv("VILLAGECAST_ENCRYPTION_KEY", raising=False)
    monkeypatch.setenv("VILLAGECAST_KEY_FILE", str(tmp_path / "keys" / "villagecast.keys"))
    config = load_config({"DATA_DIR": tmp_path / "data", "SECRET_KEY": "x"})
    assert not (tmp_path / "data" / "encryption_key").exists()
    key_file = tmp_path / "keys" / "villagecast.keys"
    assert _mode(key_file) == 0o600 and _mode(key_file.parent) == 0o700
    assert config["ENCRYPTION_KEY"] in key_file.read_text()
    # A key file left world-readable by an older version is narrowed on start.
    key_file.chmod(0o644)
    assert load_config({"DATA_DIR": tmp_path / "data", "SECRET_KEY": "x"})["ENCRYPTION_KEY"] \
        == config["ENCRYPTION_KEY"]
    assert _mode(key_file) == 0o600


def test_a_key_file_in_the_data_directory_moves_out_when_a_key_file_is_configured(
        tmp_path, monkeypatch):
    from publisher.config import load_config

    monkeypatch.delenv("VILLAGECAST_ENCRYPTION_KEY", raising=False)
    monkeypatch.delenv("VILLAGECAST_KEY_FILE", raising=False)
    before = load_config({"DATA_DIR": tmp_path / "data", "SECRET_KEY": "x"})
    monkeypatch.setenv("VILLAGECAST_KEY_FILE", str(tmp_path / "keys" / "villagecast.keys"))
    after = load_config({"DATA_DIR": tmp_path / "data", "SECRET_KEY": "x"})
    assert (after["ENCRYPTION_KEY"], after["DIGEST_KEY"]) == (before["ENCRYPTION_KEY"],
                                                               before["DIGEST_KEY"])
    assert not (tmp_path / "data" / "encryption_key").exists()
    assert _mode(tmp_path / "keys" / "villagecast.keys") == 0o600


def test_rotate_key_reencrypts_everything_and_keeps_lookups(app, populated, monkeypatch):
    from publisher.emergency.registry import household_by_phone
    from publisher.extensions import db
    from publisher.models import SmsMessage
    from publisher.models.emergency import Household, Incident
    from publisher.vault import keys

    monkeypatch.delenv("VILLAGECAST_ENCRYPTION_KEY", raising=False)
    key_file = app.config["KEY_FILE"]
    before = keys.read(key_file)
    tokens = _tokens(app)
    assert len(tokens) >= 10 and all(_opens(before.fernet_keys[0], t) for t in tokens)
    with app.app_context():
        acked_by = db.session.query(Incident).one().acknowledged_digest
        db.session.remove()
    assert acked_by

    result = _rotate(app, "--retire-old")
    assert result.exit_code == 0, result.output
    assert "old keys retired" in result.output
    after = keys.read(key_file)
    assert len(after.fernet_keys) == 1 and after.fernet_keys[0] not in before.fernet_keys
    assert after.mac_key() == before.mac_key()  # the digest key survives a rotation
    assert _mode(key_file) == 0o600
    rotated = _tokens(app)
    assert len(rotated) == len(tokens)
    assert all(_opens(after.fernet_keys[0], t) for t in rotated)
    assert not any(_opens(before.fernet_keys[0], t) for t in rotated)
    with app.app_context():
        assert household_by_phone(HOUSEHOLD).name == "王大爷"
        assert db.session.query(Household).one().address == "张家村3组12号"
        assert db.session.query(SmsMessage).filter(SmsMessage.number == RELATIVE).count() >= 2
        assert db.session.query(Incident).one().acknowledged_digest == acked_by
        db.session.remove()


def test_new_digest_key_is_refused_while_a_call_is_open(app, populated, monkeypatch):
    monkeypatch.delenv("VILLAGECAST_ENCRYPTION_KEY", raising=False)
    result = _rotate(app, "--new-digest-key")
    assert result.exit_code == 2 and "a call is open" in result.output


def test_new_digest_key_recomputes_every_digest(app, populated, clock, monkeypatch):
    from publisher.emergency.registry import household_by_phone
    from publisher.extensions import db
    from publisher.models import SmsMessage
    from publisher.models.emergency import Incident, NotificationAttempt
    from publisher.vault import keys

    monkeypatch.delenv("VILLAGECAST_ENCRYPTION_KEY", raising=False)
    with app.app_context():
        db.session.execute(text("UPDATE incident SET state = 'resolved', open_key = NULL, "
                                "open_code = NULL"))
        db.session.commit()
        old_digest = db.session.query(NotificationAttempt).first().address_digest
        db.session.remove()
    before = keys.read(app.config["KEY_FILE"])
    result = _rotate(app, "--new-digest-key")
    assert result.exit_code == 0, result.output
    assert "digests recomputed" in result.output and "cleared" not in result.output
    after = keys.read(app.config["KEY_FILE"])
    assert after.mac_key() != before.mac_key()
    assert len(after.fernet_keys) == len(before.fernet_keys) + 1  # old keys kept by default
    with app.app_context():
        assert household_by_phone(HOUSEHOLD) is not None
        assert db.session.query(SmsMessage).filter(SmsMessage.number == HOUSEHOLD).count() >= 1
        attempt = db.session.query(NotificationAttempt).first()
        assert attempt.address_digest != old_digest
        incident = db.session.query(Incident).one()
        assert incident.acknowledged_digest == attempt.address_digest  # mapped old → new
        db.session.remove()


def test_keys_from_the_environment_are_not_rotated_behind_its_back(app, monkeypatch):
    monkeypatch.setenv("VILLAGECAST_ENCRYPTION_KEY", app.config["ENCRYPTION_KEY"])
    result = _rotate(app)
    assert result.exit_code == 2 and "VILLAGECAST_ENCRYPTION_KEY" in result.output


def test_migration_0009_encrypts_rows_written_before_it(tmp_path):
    from flask_migrate import downgrade, upgrade

    from publisher import create_app
    from publisher.extensions import db
    from publisher.models import SmsMessage
    from publisher.models.emergency import Household

    path = tmp_path / "old.db"
    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "SECRET_KEY": "t",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade(revision="0008")
        db.session.execute(text(
            "INSERT INTO township (id, name, county, timezone, self_approval, "
            "checkin_deadline_hour, duty_phone, created_at) VALUES (1, '监山乡', '乾元县', "
            "'Asia/Shanghai', 0, 10, '', '2026-11-23 00:00:00')"))
        db.session.execute(text("INSERT INTO village (id, township_id, name, kind) "
                                "VALUES (1, 1, '张家村', '村')"))
        db.session.execute(text(
            "INSERT INTO household (id, township_id, village_id, kind, name, address, notes, "
            "medical_notes_enc, active, created_at, updated_at) VALUES (1, 1, 1, '空巢老人', "
            "'王大爷', '张家村3组12号', '儿子在外地打工', '', 1, '2026-11-23 00:00:00', "
            "'2026-11-23 00:00:00')"))
        db.session.execute(text(
            "INSERT INTO sms_message (id, direction, number, text, status, handled_as, "
            "related_type, priority, gateway, gateway_ref, error, raw, created_at) VALUES "
            f"(1, 'in', '{HOUSEHOLD}', '救命', 'handled', 'trigger', '', 'C', 'gammu', "
            f"'IN20261123_073000_00_+86{HOUSEHOLD}_00.txt', '', 'raw {HOUSEHOLD}', "
            "'2026-11-23 00:00:00')"))
        db.session.commit()
        upgrade(revision="0009")
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.remove()
        message = db.session.get(SmsMessage, 1)
        assert (message.number, message.text, message.raw) == (HOUSEHOLD, "救命",
                                                                f"raw {HOUSEHOLD}")
        assert db.session.query(SmsMessage).filter(
            SmsMessage.gateway == "gammu",
            SmsMessage.gateway_ref == f"IN20261123_073000_00_+86{HOUSEHOLD}_00.txt").count() == 1
        household = db.session.get(Household, 1)
        assert (household.name, household.notes) == ("王大爷", "儿子在外地打工")
        db.session.remove()
        data = b"".join(p.read_bytes() for p in tmp_path.glob("old.db*"))
        for plain in (HOUSEHOLD, "王大爷", "张家村3组12号", "儿子在外地打工"):
            assert plain.encode() not in data, plain
        downgrade(revision="0008")
        row = db.session.execute(text("SELECT number, text, gateway_ref FROM sms_message")).one()
        assert tuple(row) == (HOUSEHOLD, "救命", f"IN20261123_073000_00_+86{HOUSEHOLD}_00.txt")
        db.session.remove()


def test_encrypted_attributes_compare_by_digest_or_refuse(app, world):
    from sqlalchemy import select

    from publisher.extensions import db
    from publisher.models import SmsMessage
    from publisher.models.emergency import Household
    from publisher.vault.fields import NotComparable

    with app.app_context():
        db.session.add(SmsMessage(direction="in", number=HOUSEHOLD, text="测试",
                                  status="received"))
        db.session.commit()
        found = db.session.scalars(select(SmsMessage).where(
            SmsMessage.number.in_([HOUSEHOLD, RELATIVE]))).all()
        assert [m.text for m in found] == ["测试"]
        assert db.session.scalar(select(SmsMessage).where(SmsMessage.gateway_ref == None)  # noqa: E711
                                 ).number == HOUSEHOLD
        with pytest.raises(NotComparable, match="Household.name is encrypted"):
            select(Household).where(Household.name == "王大爷")
        db.session.remove()
