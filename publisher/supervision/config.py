"""The supervisord configuration, derived from the Procfile (pure: text in, text out)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SOCKET_NAME = "supervisor.sock"
CONFIG_NAME = "supervisord.conf"
# A process that exits within this long of starting counted as a failed start.
START_SECONDS = 1
# supervisord gives up (FATAL) after this many failed starts in a row, waiting one second
# longer before each: 60 tries cover about half an hour of, say, a missing disk.
START_RETRIES = 60
# What supervisord waits after SIGTERM before SIGKILL: playout flushes its UDP relay.
STOP_WAIT_SECONDS = 10
# The heartbeat-reading event listener: supervisord sends it a TICK every 5 s.
WATCHDOG = "watchdog"

_PROCFILE_LINE = re.compile(r"^(?P<name>[A-Za-z0-9_-]+):\s*(?P<command>\S.*)$")


@dataclass(frozen=True)
class Process:
    """One line of the Procfile."""

    name: str
    command: str


class ProcfileError(ValueError):
    """A Procfile line that is neither blank, a comment nor ``name: command``."""


def parse_procfile(text: str) -> list[Process]:
    """The processes of a Procfile, in order."""
    processes: list[Process] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _PROCFILE_LINE.match(stripped)
        if match is None:
            raise ProcfileError(f"Procfile line {number}: expected 'name: command', got {line!r}")
        processes.append(Process(match["name"], match["command"]))
    names = [p.name for p in processes]
    if len(set(names)) != len(names) or WATCHDOG in names:
        raise ProcfileError(f"Procfile: process names must be unique and not {WATCHDOG!r}")
    return processes


def _escape(value: str) -> str:
    """supervisord expands ``%(name)s`` in its values: a literal % is written %%."""
    return value.replace("%", "%%")


def _shell(command: str) -> str:
    """Run a Procfile command through bash (for ``${PORT:-8000}``), exec'd so that the
    supervised pid is the process itself and a signal reaches it, not a shell."""
    quoted = command.replace("\\", "\\\\").replace('"', '\\"')
    return f'/bin/bash -c "exec {quoted}"'


def render_config(
    processes: list[Process],
    *,
    root: Path,
    data_dir: Path,
    console_logs: bool,
    watchdog_command: str = "villagecast watchdog",
) -> str:
    """supervisord's configuration for ``processes``, run from ``root``.

    With ``console_logs`` (``make run``) every process writes to supervisord's own stdout,
    so a developer sees all of them in one terminal as honcho showed them; otherwise each
    process gets a rotated log file under ``data_dir/logs`` (production).
    """
    logs = data_dir / "logs"
    lines = [
        "; Written by `villagecast supervise` from the Procfile; edits are overwritten.",
        "[supervisord]",
        "nodaemon=true",
        f"logfile={_escape(str(logs / 'supervisord.log'))}",
        "logfile_maxbytes=10MB",
        "logfile_backups=5",
        f"pidfile={_escape(str(data_dir / 'supervisord.pid'))}",
        f"childlogdir={_escape(str(logs))}",
        "",
        "[unix_http_server]",
        f"file={_escape(str(data_dir / SOCKET_NAME))}",
        "chmod=0700",
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{_escape(str(data_dir / SOCKET_NAME))}",
    ]
    for process in processes:
        lines += [
            "",
            f"[program:{process.name}]",
            f"command={_escape(_shell(process.command))}",
            f"directory={_escape(str(root))}",
            "autostart=true",
            "autorestart=true",
            f"startsecs={START_SECONDS}",
            f"startretries={START_RETRIES}",
            "stopsignal=TERM",
            f"stopwaitsecs={STOP_WAIT_SECONDS}",
            # Helpers (ffmpeg, the UDP sender) go down with their process on a stop.
            "stopasgroup=true",
            "killasgroup=true",
            "redirect_stderr=true",
            *_log_lines(process.name, logs, console_logs),
        ]
    lines += [
        "",
        f"[eventlistener:{WATCHDOG}]",
        f"command={_escape(watchdog_command)}",
        f"directory={_escape(str(root))}",
        "events=TICK_5,PROCESS_STATE",
        "autorestart=true",
        "buffer_size=50",
        # An event listener's stdout is its protocol channel: its log goes to stderr.
        f"stderr_logfile={_escape(str(logs / 'watchdog.log'))}",
        "stderr_logfile_maxbytes=5MB",
        "stderr_logfile_backups=2",
    ]
    return "\n".join(lines) + "\n"


def _log_lines(name: str, logs: Path, console: bool) -> list[str]:
    if console:
        return ["stdout_logfile=/dev/stdout", "stdout_logfile_maxbytes=0"]
    return [
        f"stdout_logfile={_escape(str(logs / f'{name}.log'))}",
        "stdout_logfile_maxbytes=20MB",
        "stdout_logfile_backups=5",
    ]
