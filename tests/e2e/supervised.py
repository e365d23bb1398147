"""The whole site as `make run` starts it: every Procfile process under a real supervisord.

Used by the fault tests (kill -9 each process, hang one, play through a restart) and by
``bench/recovery_bench.py``, which times the same recoveries.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SLUG = "jianshan"
_MEDIA_SEQUENCE = re.compile(r"#EXT-X-MEDIA-SEQUENCE:(\d+)")
_SEGMENT_LINE = re.compile(r"^(?!#)(\S+\.ts)$", re.M)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Playlist:
    media_sequence: int
    segments: list[str]
    text: str

    @property
    def last_msn(self) -> int:
        return self.media_sequence + len(self.segments) - 1

# Run on the site's own environment, like the seed: every channel's narration switched off.
_NARRATION_OFF = """
from sqlalchemy import update
from publisher import create_app
from publisher.extensions import db
from publisher.models import Channel
with create_app().app_context():
    db.session.execute(update(Channel).values(narration=False))
    db.session.commit()
"""


@dataclass
class SupervisedSite:
    """A migrated, seeded data dir and supervisord running the Procfile on it."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    stale_s: float = 15.0  # the watchdog's hang threshold (30 s in production)
    # The demo channel reads its pages aloud; reading the whole demo (every item rendered
    # before the first plan) is most of the minute or two before it is on air. False:
    # switched off, as a township may, for tests that do not listen to the channel.
    narration: bool = True
    proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "VILLAGECAST_DATA": str(self.data_dir),
            "PORT": str(self.port),
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            "VILLAGECAST_WATCHDOG_STALE_S": str(self.stale_s),
            "VILLAGECAST_PUBLIC_URL": self.base_url,
        })
        return env

    def start(self) -> SupervisedSite:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for args in (["db", "upgrade"], ["seed"]):
            subprocess.run([str(BIN / "villagecast"), *args], cwd=ROOT, env=self.env,
                           check=True, capture_output=True, timeout=120)
        if not self.narration:
            subprocess.run([str(BIN / "python"), "-c", _NARRATION_OFF], cwd=ROOT, env=self.env,
                           check=True, capture_output=True, timeout=120)
        self.proc = subprocess.Popen(
            [str(BIN / "villagecast"), "supervise", "--log-files"], cwd=ROOT, env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        return self

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        # A process killed -9 by a test leaves its own children behind (the sms process's
        # gammu-smsd): they would go on using a core through every later test.
        left = self.stragglers()
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if left:
            print(f"killed what the site left running: {left}")

    def stragglers(self) -> list[int]:
        """Processes still running on this site's data directory (named in their command
        line or their environment)."""
        marks = (str(self.data_dir).encode(), f"VILLAGECAST_DATA={self.data_dir}\0".encode())
        found = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit() or int(proc.name) == os.getpid():
                continue
            try:
                seen = (proc / "cmdline").read_bytes() + b"\0" + (proc / "environ").read_bytes()
            except OSError:
                continue
            if any(mark in seen for mark in marks):
                found.append(int(proc.name))
        return found

    # --- looking at it from outside ------------------------------------------------------

    def rpc(self):  # noqa: ANN201
        from supervisor.xmlrpc import SupervisorTransport

        transport = SupervisorTransport(None, None, f"unix://{self.data_dir / 'supervisor.sock'}")
        return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport)

    def process(self, name: str) -> dict:
        return self.rpc().supervisor.getProcessInfo(name)

    def running_pid(self, name: str) -> int | None:
        try:
            info = self.process(name)
        except (OSError, xmlrpc.client.Error):
            return None
        return info["pid"] if info["statename"] == "RUNNING" else None

    def get(self, path: str, timeout: float = 2.0) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, b""
        except (OSError, urllib.error.URLError):
            return 0, b""

    def playlist(self) -> Playlist | None:
        status, body = self.get(f"/live/{SLUG}/index.m3u8")
        if status != 200:
            return None
        text = body.decode()
        match = _MEDIA_SEQUENCE.search(text)
        if not match:
            return None
        return Playlist(int(match[1]), _SEGMENT_LINE.findall(text), text)

    def web_answers(self) -> bool:
        return self.get("/login")[0] == 200

    def wait_on_air(self, timeout_s: float = 180) -> Playlist:
        """Wait until the playlist has advanced at least twice (the feed really runs)."""
        seen: set[int] = set()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            playlist = self.playlist()
            if playlist and playlist.segments:
                seen.add(playlist.last_msn)
                if len(seen) >= 3:
                    return playlist
            time.sleep(0.5)
        raise AssertionError(f"the channel was not on air within {timeout_s:.0f} s")

    def kill_and_time(self, name: str, timeout_s: float = 60) -> dict[str, float]:
        """SIGKILL ``name``; seconds until it runs again, the web answers and the feed moves.

        "The feed moves" means the playlist lists a segment newer than any listed at the
        moment of the kill, as a player polling it would see.
        """
        pid = self.running_pid(name)
        assert pid, f"{name} is not running"
        before = self.playlist()
        last = before.last_msn if before else -1
        t0 = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        times: dict[str, float] = {}
        while time.monotonic() - t0 < timeout_s and len(times) < 3:
            now = time.monotonic() - t0
            new_pid = self.running_pid(name)
            if "process" not in times and new_pid and new_pid != pid:
                times["process"] = now
            if "web" not in times and self.web_answers():
                times["web"] = now
            playlist = self.playlist()
            if "feed" not in times and playlist and playlist.last_msn > last:
                times["feed"] = now
            time.sleep(0.1)
        missing = {"process", "web", "feed"} - set(times)
        assert not missing, f"after kill -9 of {name}: no {', '.join(sorted(missing))} " \
                            f"within {timeout_s:.0f} s"
        return times

    def log_text(self, name: str) -> str:
        path = self.data_dir / "logs" / f"{name}.log"
        return path.read_text("utf-8", "replace") if path.exists() else ""


# --- a real player ------------------------------------------------------------------------

VLC_SEGMENT = re.compile(r'"GET /live/\w+/(\S+\.ts) HTTP[^"]*" 200 .*"VLC/')


def vlc_command(url: str) -> list[str]:
    """Headless VLC playing ``url`` (as nobody when we are root: VLC refuses root)."""
    command = ["cvlc", "--intf", "dummy", "--vout", "dummy", "--aout", "dummy",
               "--no-video-title-show", "-v", url]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "nobody", "--", *command]
    return command


def vlc_segments(site: SupervisedSite) -> list[str]:
    """The segments VLC fetched, from the web's access log, in order."""
    return VLC_SEGMENT.findall(site.log_text("web"))
