"""Each process's health for the admin: supervisord's view, heartbeats and restarts."""

from __future__ import annotations

import contextlib
import threading
import time
import xmlrpc.client
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

from publisher.supervision.config import SOCKET_NAME
from publisher.supervision.heartbeat import STALE_SECONDS, read_heartbeat
from publisher.supervision.watchdog import read_events

# The admin must load even when supervisord hangs: its answer is waited for this long.
RPC_TIMEOUT_S = 2.0
PROCESS_LABELS = {  # name -> (what staff call it, what it does)
    "web": (_l("网页服务"), _l("后台与直播地址")),
    "clock": (_l("调度时钟"), _l("生成画面、呼救升级")),
    "playout": (_l("播出"), _l("HLS 与 UDP 输出")),
    "sms": (_l("短信网关"), _l("收发短信")),
    "watchdog": (_l("看门狗"), _l("发现卡死的进程并重启")),
}
STATE_LABELS = {
    "RUNNING": _l("运行中"),
    "STARTING": _l("正在启动"),
    "BACKOFF": _l("启动失败，稍后重试"),
    "EXITED": _l("已退出"),
    "STOPPING": _l("正在停止"),
    "STOPPED": _l("已停止"),
    "FATAL": _l("多次启动失败，已放弃"),
    "UNKNOWN": _l("未知"),
}
HEARTBEAT_PROCESSES = ("clock", "playout")


@dataclass(frozen=True)
class ProcessHealth:
    name: str
    label: str
    role: str
    state: str | None  # supervisord's state name; None when not run under supervisord
    pid: int | None
    started_at: datetime | None
    beat_age_s: float | None  # None for processes without a heartbeat
    restarts: int
    last_exit_at: datetime | None
    hung_kills: int

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(self.state or "UNKNOWN", self.state or ""))

    @property
    def problem(self) -> bool:
        if self.state is not None and self.state != "RUNNING":
            return True
        return self.beat_age_s is not None and self.beat_age_s > STALE_SECONDS


def supervisor_processes(data_dir: Path, timeout_s: float = RPC_TIMEOUT_S) -> list[dict] | None:
    """``supervisor.getAllProcessInfo()`` over the data dir's socket; None if unreachable."""
    socket_path = data_dir / SOCKET_NAME
    if not socket_path.exists():
        return None
    result: list[Any] = []

    def call() -> None:
        from supervisor.xmlrpc import SupervisorTransport

        transport = SupervisorTransport(None, None, f"unix://{socket_path}")
        proxy = xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport)
        with contextlib.suppress(OSError, xmlrpc.client.Error):
            result.append(proxy.supervisor.getAllProcessInfo())

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(timeout_s)
    return result[0] if result else None


def process_health(data_dir: Path, status_dir: Path) -> list[ProcessHealth]:
    """One row per supervised process (or per heartbeat when supervisord is not used)."""
    infos = supervisor_processes(data_dir)
    events = read_events(status_dir)
    now = time.monotonic()
    rows: list[ProcessHealth] = []
    names = [i["name"] for i in infos] if infos is not None else list(HEARTBEAT_PROCESSES)
    by_name = {i["name"]: i for i in infos or []}
    order = list(PROCESS_LABELS)
    for name in sorted(names, key=lambda n: order.index(n) if n in order else len(order)):
        info = by_name.get(name)
        beat = read_heartbeat(status_dir, name)
        if infos is None and beat is None:
            continue
        counted = events.get(name, {})
        running = info is not None and info["statename"] == "RUNNING"
        rows.append(ProcessHealth(
            name=name,
            label=str(PROCESS_LABELS[name][0]) if name in PROCESS_LABELS else name,
            role=str(PROCESS_LABELS[name][1]) if name in PROCESS_LABELS else "",
            state=info["statename"] if info else None,
            pid=(info["pid"] if running else None) if info else (beat.pid if beat else None),
            started_at=(datetime.fromtimestamp(info["start"], UTC) if running else None)
            if info else (beat.started_at if beat else None),
            beat_age_s=beat.age_s(now) if beat and name in HEARTBEAT_PROCESSES else None,
            restarts=int(counted.get("restarts", 0)),
            last_exit_at=_when(counted.get("last_exit_at")),
            hung_kills=int(counted.get("hung_kills", 0)),
        ))
    return rows


def _when(raw: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None
