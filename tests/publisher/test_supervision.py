"""Supervision's pure parts: the config from the Procfile, hang detection, restart counts."""

from __future__ import annotations

import configparser
import json
import shlex
from datetime import UTC, datetime
from pathlib import Path

import pytest

from publisher.supervision.config import ProcfileError, parse_procfile, render_config
from publisher.supervision.heartbeat import Beater, Heartbeat, read_heartbeat, write_heartbeat
from publisher.supervision.watchdog import ProcessView, is_hung, parse_payload, record_event
from tests.publisher import test_content_support as support

ROOT = Path(__file__).resolve().parents[2]
login, office = support.login, support.office


def test_the_procfile_of_the_repo_parses():
    names = [p.name for p in parse_procfile((ROOT / "Procfile").read_text())]
    assert names == ["web", "clock", "playout", "sms"]


@pytest.mark.parametrize("text", ["web gunicorn", "web: a\nweb: b", "watchdog: x", ": x"])
def test_bad_procfiles_are_refused(text: str):
    with pytest.raises(ProcfileError):
        parse_procfile(text)


def _config(tmp_path: Path, console: bool) -> configparser.RawConfigParser:
    procs = parse_procfile("# comment\n\nweb: gunicorn --bind 127.0.0.1:${PORT:-8000} 'x:y()' \n"
                           "clock: villagecast clock --at 50%\n")
    text = render_config(procs, root=tmp_path, data_dir=tmp_path / "data", console_logs=console)
    parser = configparser.RawConfigParser()
    parser.read_string(text)
    return parser


def test_config_runs_each_process_exec_d_through_bash_and_restarts_it(tmp_path: Path):
    parser = _config(tmp_path, console=False)
    web = parser["program:web"]
    argv = shlex.split(web["command"])
    assert argv[:2] == ["/bin/bash", "-c"]
    assert argv[2] == "exec gunicorn --bind 127.0.0.1:${PORT:-8000} 'x:y()'"
    assert web["autorestart"] == "true"
    assert web["killasgroup"] == "true"
    assert web["stdout_logfile"] == str(tmp_path / "data/logs/web.log")
    # supervisord expands %(…)s itself: a literal percent sign is doubled.
    assert parser["program:clock"]["command"].endswith('--at 50%%"')
    assert parser["eventlistener:watchdog"]["events"] == "TICK_5,PROCESS_STATE"
    assert parser["unix_http_server"]["chmod"] == "0700"


def test_console_logs_go_to_supervisords_stdout(tmp_path: Path):
    assert _config(tmp_path, console=True)["program:web"]["stdout_logfile"] == "/dev/stdout"


def _view(state: str = "RUNNING", pid: int = 10, uptime: float = 100.0) -> ProcessView:
    return ProcessView("clock", state, pid, uptime)


def _beat(pid: int = 10, at: float = 90.0) -> Heartbeat:
    now = datetime.now(UTC)
    return Heartbeat("clock", pid, now, now, at)


@pytest.mark.parametrize(
    ("view", "beat", "hung"),
    [
        (_view(), _beat(at=95.0), False),  # beat 5 s ago
        (_view(), _beat(at=60.0), True),  # beat 40 s ago
        (_view(uptime=20.0), None, False),  # just started: time to write a first beat
        (_view(uptime=40.0), None, True),  # running 40 s and never beat
        (_view(), _beat(pid=9, at=99.0), True),  # the fresh beat is an earlier process's
        (_view(state="BACKOFF", uptime=0.0), None, False),  # not running: supervisord's job
    ],
)
def test_hang_detection(view: ProcessView, beat: Heartbeat | None, hung: bool):
    assert is_hung(view, beat, monotonic_now=100.0, stale_s=30.0) is hung


def test_restarts_and_unexpected_exits_are_counted():
    events: dict = {}
    now = datetime(2026, 12, 6, tzinfo=UTC)
    first = parse_payload("processname:playout groupname:playout from_state:STOPPED tries:0")
    assert record_event(events, "PROCESS_STATE_STARTING", first, now) is False
    crash = parse_payload("processname:playout groupname:playout from_state:RUNNING "
                          "expected:0 pid:4242")
    assert record_event(events, "PROCESS_STATE_EXITED", crash, now)
    again = parse_payload("processname:playout groupname:playout from_state:EXITED tries:0")
    assert record_event(events, "PROCESS_STATE_STARTING", again, now)
    assert events["playout"] == {"restarts": 1, "last_exit_at": now.isoformat(), "hung_kills": 0}


def test_heartbeat_round_trip_and_the_beater_stops_beating_when_not_alive(tmp_path: Path):
    beat = _beat()
    write_heartbeat(tmp_path, beat)
    assert read_heartbeat(tmp_path, "clock") == beat
    alive = [False]
    beater = Beater(tmp_path, "playout", alive=lambda: alive[0], every_s=0.01)
    beater.start()
    beater._stop.wait(0.1)  # noqa: SLF001
    assert read_heartbeat(tmp_path, "playout") is None
    alive[0] = True
    beater._stop.wait(0.1)  # noqa: SLF001
    beater.stop()
    written = read_heartbeat(tmp_path, "playout")
    assert written is not None and written.pid > 0
    raw = json.loads((tmp_path / "processes/playout.json").read_text())
    assert raw["name"] == "playout"


def test_dashboard_shows_processes_to_admins_only(app, login):  # noqa: ANN001
    Beater(Path(app.config["STATUS_DIR"]), "clock").beat()
    page = login("county").get("/").get_data(as_text=True)
    assert 'id="process-health"' in page and 'data-process="clock"' in page
    assert "没有在 supervisord 下运行" in page  # the truth: nothing restarts them here
    for user in ("admin", "editor"):  # a township's staff: the site's processes are not theirs
        assert 'id="process-health"' not in login(user).get("/").get_data(as_text=True)
