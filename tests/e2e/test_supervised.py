"""Faults caused for real on the whole site under supervisord (as `make run` starts it).

Each process is killed with SIGKILL in turn and must come back on its own while the
others run on; a hung process (SIGSTOP) is found by the watchdog through its stale
heartbeat and restarted; VLC playing the live channel keeps playing through a restart of
playout. The recovery times themselves are printed by ``bench/recovery_bench.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.stream import wait_for
from tests.e2e.supervised import SLUG, SupervisedSite, vlc_command, vlc_segments

pytestmark = [pytest.mark.slow, pytest.mark.ffmpeg, pytest.mark.sms]

PROCESSES = ("playout", "clock", "web", "sms")
# Generous limits: they catch a process that stays down, not a slow machine.
RECOVERY_LIMIT_S = 60


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SupervisedSite]:
    # Nothing here listens to the channel: its narration is off, so the first render (the
    # whole demo, before the first plan) is not spent reading it aloud.
    site = SupervisedSite(tmp_path_factory.mktemp("supervised") / "data", narration=False).start()
    try:
        site.wait_on_air()
        yield site
    finally:
        site.stop()


def _window_ok(site: SupervisedSite) -> None:
    playlist = site.playlist()
    assert playlist is not None
    # RFC 8216 6.2.2: a live playlist lists at least three target durations.
    assert len(playlist.segments) >= 3, playlist.text


def test_each_killed_process_is_restarted_and_the_feed_comes_back(site: SupervisedSite):
    seen_msns: dict[str, int] = {}
    for name in PROCESSES:
        others = {n: site.running_pid(n) for n in PROCESSES if n != name}
        times = site.kill_and_time(name, RECOVERY_LIMIT_S)
        assert set(times) == {"process", "web", "feed"}
        # The others ran on: supervisord restarted only the killed one.
        assert {n: site.running_pid(n) for n in others} == others, name
        _window_ok(site)
        playlist = site.playlist()
        assert playlist is not None
        # A segment name keeps its media sequence number for as long as it is listed.
        for offset, segment in enumerate(playlist.segments):
            msn = playlist.media_sequence + offset
            assert seen_msns.setdefault(segment, msn) == msn, (segment, playlist.text)
    events = json.loads((site.data_dir / "status/processes/supervision.json").read_text())
    for name in PROCESSES:
        assert events[name]["restarts"] >= 1, events


def test_a_hung_clock_is_killed_by_the_watchdog_and_restarted(site: SupervisedSite):
    pid = wait_for(lambda: site.running_pid("clock"), RECOVERY_LIMIT_S, "the clock running")
    # The clock must have run longer than the hang threshold for a stale beat to count.
    wait_for(lambda: site.process("clock")["now"] - site.process("clock")["start"]
             > site.stale_s, RECOVERY_LIMIT_S, "the clock to run past the threshold")
    os.kill(pid, signal.SIGSTOP)  # alive to the kernel and to supervisord, but doing nothing
    try:
        new_pid = wait_for(lambda: (p := site.running_pid("clock")) and p != pid and p,
                           RECOVERY_LIMIT_S, "the watchdog to restart the hung clock")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)
    assert new_pid != pid
    events = json.loads((site.data_dir / "status/processes/supervision.json").read_text())
    assert events["clock"]["hung_kills"] >= 1
    assert "has not beaten" in (site.data_dir / "logs/watchdog.log").read_text()


def test_vlc_keeps_playing_through_a_playout_kill(site: SupervisedSite, tmp_path: Path):
    url = f"{site.base_url}/live/{SLUG}/index.m3u8"
    log_path = tmp_path / "vlc.log"
    with log_path.open("wb") as log:
        vlc = subprocess.Popen(vlc_command(url), stdout=log, stderr=log,
                               cwd="/tmp")
    try:
        wait_for(lambda: len(vlc_segments(site)) >= 2, RECOVERY_LIMIT_S, "VLC fetching segments")
        site.kill_and_time("playout", RECOVERY_LIMIT_S)
        before = set(vlc_segments(site))
        wait_for(lambda: len(set(vlc_segments(site)) - before) >= 4, RECOVERY_LIMIT_S,
                 "VLC fetching four new segments after the restart")
        assert vlc.poll() is None, log_path.read_text("utf-8", "replace")[-2000:]
    finally:
        vlc.terminate()
        try:
            vlc.wait(10)
        except subprocess.TimeoutExpired:
            vlc.kill()
    text = log_path.read_text("utf-8", "replace")
    assert "Could not update anymore" not in text
