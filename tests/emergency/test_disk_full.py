"""Issue 9: a full data disk, made for real. The data directory (SQLite database and SMS
spool) sits on a small tmpfs the test mounts and then fills to the last byte: an emergency
press is stored and escalated, or the device is told to retry (503, never a bare 500), and
the call reaches gammu's outbox; logins get a clear 503 page."""

from __future__ import annotations

import errno
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import RELATIVE

DISK_SIZE = "8m"
RESERVE = 1024 * 1024


@pytest.fixture
def small_disk(tmp_path) -> Path:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_SIZE}", "tmpfs",
                           str(mount)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def app(small_disk, migrated_db):
    """The emergency suite's app, with everything it writes on the small disk."""
    from publisher import create_app
    from publisher.extensions import db

    data = small_disk / "data"
    data.mkdir()
    shutil.copy(migrated_db, data / "villagecast.db")
    app = create_app({"TESTING": True, "DATA_DIR": data, "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{data / 'villagecast.db'}",
                      "EMERGENCY_RESERVE_BYTES": RESERVE})
    yield app
    with app.app_context():
        db.engine.dispose()  # no open database file left on the disk being unmounted


@pytest.fixture
def spool(app) -> Path:
    from publisher.sms.gammu_files import GammuFilesGateway

    path = app.config["DATA_DIR"] / "sms"
    app.config["SMS_SPOOL_DIR"] = path
    app.config["SMS_GATEWAY"] = GammuFilesGateway(path, settle_seconds=0)
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:8000"
    return path


def fill(disk: Path) -> Path:
    """Write a file until not one more byte fits; returns it (delete it to free the disk)."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as out:
        for size in (1024 * 1024, 64 * 1024, 4096, 1):
            chunk = bytes(size)
            while True:
                try:
                    out.write(chunk)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
                    break
    return filler


def press(client, world, key: str = "press-1"):
    return client.post(f"/emergency/trigger/{world.token}", json={},
                       headers={"Idempotency-Key": key})


def outbox_to(spool: Path, number: str) -> list[str]:
    return [p.name for p in (spool / "outbox").iterdir() if f"_{number}_" in p.name]


def clock_tick(app) -> None:
    """What the clock process runs every half second on the emergency side."""
    from publisher.emergency.jobs import escalation_tick

    escalation_tick(app)


def incidents(app) -> int:
    from publisher.extensions import db
    from publisher.models import Incident

    with app.app_context():
        return db.session.query(Incident).count()


def test_a_press_on_a_full_disk_is_stored_and_escalated_at_once(app, world, client,
                                                                small_disk, spool):
    from publisher.emergency.jobs import keep_reserve
    from publisher.emergency.reserve import RESERVE_NAME

    keep_reserve(app)  # as the clock does when it starts
    reserve = app.config["DATA_DIR"] / RESERVE_NAME
    assert reserve.stat().st_size == RESERVE
    filler = fill(small_disk)
    assert shutil.disk_usage(small_disk).free < 4096

    response = press(client, world)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert not reserve.exists()  # its room took the press
    clock_tick(app)
    assert outbox_to(spool, RELATIVE)  # the first responder's SMS, with the disk still full
    assert press(client, world).get_json()["outcome"] == "duplicate"  # a device's retry

    filler.unlink()
    keep_reserve(app)  # the clock's minute job: room again, so the reserve is made again
    assert reserve.stat().st_size == RESERVE


def test_with_the_reserve_used_up_the_press_is_kept_and_escalated_once_space_returns(
        app, world, client, small_disk, spool):
    """The reserve went to an earlier call; the press still fits in the journal written in
    advance: the device hears 202 (no need to press again), and the clock stores and
    escalates it as soon as the disk has room."""
    from publisher.emergency.jobs import keep_reserve
    from publisher.emergency.reserve import RESERVE_NAME

    keep_reserve(app)
    (app.config["DATA_DIR"] / RESERVE_NAME).unlink()  # used up
    filler = fill(small_disk)
    response = press(client, world)
    assert response.status_code == 202, response.get_data(as_text=True)
    assert response.get_json()["outcome"] == "kept"
    clock_tick(app)  # the database still takes nothing
    assert incidents(app) == 0 and outbox_to(spool, RELATIVE) == []

    filler.unlink()
    clock_tick(app)
    assert incidents(app) == 1
    assert outbox_to(spool, RELATIVE)
    assert press(client, world).get_json()["outcome"] == "duplicate"  # the device's retry
    clock_tick(app)
    assert incidents(app) == 1 and len(outbox_to(spool, RELATIVE)) == 1


def test_when_nothing_fits_the_device_is_told_to_retry(app, world, client, small_disk,
                                                       spool):
    """No reserve and no journal (the clock never had room to make them): the press cannot
    be kept, so the device hears 503 with Retry-After and a Chinese reason; its retry, once
    there is room, starts the escalation."""
    filler = fill(small_disk)
    response = press(client, world)
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "存储空间不足" in response.get_json()["error"]
    assert incidents(app) == 0  # honestly not stored

    filler.unlink()
    response = press(client, world)  # the device tries again with the same key
    assert response.status_code == 201
    clock_tick(app)
    assert outbox_to(spool, RELATIVE)


def test_disk_full_before_the_clock_escalates_then_space_returns(app, world, client,
                                                                small_disk, spool):
    """The press got in, then the disk filled: the clock's writes fail, nothing is lost,
    and the SMS goes out once there is room."""
    assert press(client, world).status_code == 201
    filler = fill(small_disk)
    clock_tick(app)  # fails on the full disk (logged), no reserve to release
    assert outbox_to(spool, RELATIVE) == []
    filler.unlink()
    clock_tick(app)
    assert outbox_to(spool, RELATIVE)


def test_an_sms_that_cannot_be_spooled_stays_pending(app, world, client, tmp_path):
    """The spool on a disk of its own (``VILLAGECAST_SMS_SPOOL``), and that disk full: the
    SMS row stays pending, not failed (which would skip the responder), and is handed over
    at the next try once there is room, with no half-written file left behind."""
    from publisher.clock import now
    from publisher.emergency import escalation
    from publisher.extensions import db
    from publisher.models import SmsMessage
    from publisher.sms import store
    from publisher.sms.gammu_files import GammuFilesGateway

    spool_disk = tmp_path / "spool-disk"
    spool_disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(spool_disk)],
                   check=True)
    try:
        spool = spool_disk / "sms"
        app.config["SMS_GATEWAY"] = GammuFilesGateway(spool, settle_seconds=0)
        assert press(client, world).status_code == 201
        filler = fill(spool_disk)
        with app.app_context():
            queued = escalation.run_due(now())
            assert store.deliver_pending(now(), ids=queued) == 0
            assert db.session.query(SmsMessage).one().status == "pending"
            db.session.remove()
        assert list((spool / "outbox").iterdir()) == []
        assert list((spool / "tmp").iterdir()) == []
        filler.unlink()
        with app.app_context():
            assert store.deliver_pending(now()) == 1  # the same instant: no reclaim wait
            assert db.session.query(SmsMessage).one().status == "queued"
        assert outbox_to(spool, RELATIVE)
    finally:
        subprocess.run(["umount", "-l", str(spool_disk)], check=False)


def test_login_on_a_full_disk_is_a_clear_503_page(app, world, auth, small_disk):
    fill(small_disk)
    response = auth.login("boss")  # world's admin; the login is recorded, which cannot fit
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "系统存储空间不足" in response.get_data(as_text=True)


@pytest.mark.slow
def test_the_real_clock_process_escalates_a_press_made_on_a_full_disk(app, world, client,
                                                                      small_disk, spool,
                                                                      tmp_path):
    """``villagecast clock`` itself: it makes the reserve and the journal when it starts,
    and escalates a press the web stored on the full disk."""
    import time

    from playlists.clock import REAL
    from publisher.clock import install
    from publisher.emergency.press_journal import JOURNAL_NAME
    from publisher.emergency.reserve import RESERVE_NAME

    from .test_clock_kill import _start_clock, _wait_for

    install(app, REAL)  # the clock process runs on real time
    data = app.config["DATA_DIR"]
    clock = _start_clock(app, tmp_path / "clock.log",
                         VILLAGECAST_EMERGENCY_RESERVE=str(RESERVE))
    try:
        _wait_for(lambda: (data / RESERVE_NAME).exists() and (data / JOURNAL_NAME).exists(),
                  "the reserve and the journal made at start")
        fill(small_disk)
        started = time.monotonic()
        assert press(client, world).status_code == 201
        _wait_for(lambda: outbox_to(spool, RELATIVE), "the first SMS in gammu's outbox")
        print(f"press on a full disk -> SMS in the outbox: {time.monotonic() - started:.2f} s")
    finally:
        import os
        import signal

        os.killpg(clock.pid, signal.SIGKILL)
        clock.wait()
