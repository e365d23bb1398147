"""The production runner of gammu-smsd (scripts/gammu-smsd.sh → publisher.sms.smsd): its
log is redacted on the way to disk and a stop signal reaches the daemon."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest


@pytest.mark.sms
def test_runner_redacts_the_log_and_passes_the_stop_signal_on(tmp_path):
    from publisher.sms.dummy_phone import DummyPhone

    env = dict(os.environ, VILLAGECAST_DATA=str(tmp_path), SECRET_KEY="test")
    env.pop("VILLAGECAST_SMS_MODEMS", None)
    runner = subprocess.Popen([sys.executable, "-m", "publisher.sms.smsd", "1"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    log = tmp_path / "sms" / "gammu-smsd.log"
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and "Starting phone" not in (
                log.read_text() if log.exists() else ""):
            time.sleep(0.1)
        DummyPhone(tmp_path / "sms").deliver("+8613800000005", "测试")
        while time.monotonic() < deadline and "Received" not in log.read_text():
            time.sleep(0.1)
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(10) == 0
    finally:
        if runner.poll() is None:
            runner.kill()
    out = runner.stdout.read().decode()
    text = log.read_text()
    assert "Received" in text and "138****0005" in text and "Stopping Gammu smsd" in text
    assert "13800000005" not in text and "13800000005" not in out
    assert "138****0005" in out  # supervisord's copy, redacted the same way


def _gammu_smsd_pids(config_dir) -> list[int]:  # noqa: ANN001
    """The gammu-smsd processes running on a config file under ``config_dir``."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                argv = fh.read().split(b"\0")
            with open(f"/proc/{entry}/stat") as fh:
                zombie = fh.read().rsplit(")", 1)[1].split()[0] == "Z"
        except OSError:
            continue
        if argv[0].endswith(b"gammu-smsd") and str(config_dir).encode() in b" ".join(argv) \
                and not zombie:
            pids.append(int(entry))
    return pids


@pytest.mark.sms
def test_a_runner_killed_with_sigkill_takes_its_gammu_smsd_with_it(tmp_path):
    """supervisord restarts a killed runner at once: an orphaned daemon would work the same
    modem and spool beside the new one."""
    env = dict(os.environ, VILLAGECAST_DATA=str(tmp_path), SECRET_KEY="test")
    env.pop("VILLAGECAST_SMS_MODEMS", None)
    runner = subprocess.Popen([sys.executable, "-m", "publisher.sms.smsd", "1"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not _gammu_smsd_pids(tmp_path):
            time.sleep(0.1)
        daemons = _gammu_smsd_pids(tmp_path)
        assert len(daemons) == 1
        runner.kill()
        runner.wait(5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _gammu_smsd_pids(tmp_path):
            time.sleep(0.1)
        assert _gammu_smsd_pids(tmp_path) == []
    finally:
        if runner.poll() is None:
            runner.kill()
        for pid in _gammu_smsd_pids(tmp_path):
            os.kill(pid, signal.SIGKILL)
