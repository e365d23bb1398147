"""Running gammu-smsd with its log redacted.

gammu-smsd logs every message's file name and number ("Transmitted OUTC…_13800138000_m7.txt
… to 13800138000"). Our smsdrc sends its log to stderr (publisher.sms.gammu_config); this
module runs the daemon, passes each line through the one redaction
(publisher.emergency.logredact) and writes it to ``<spool>/gammu-smsd.log`` and to stdout
(supervisord's log), so no file on disk ever holds the plain number.

    python -m publisher.sms.smsd [N]     # modem N (default 1): scripts/gammu-smsd.sh
"""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from publisher.vault.redact import redact

LOG_NAME = "gammu-smsd.log"
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def log_path(spool: Path) -> Path:
    return Path(spool) / LOG_NAME


def pump(lines: Iterable[bytes], sinks: list[IO[str]], tail: deque[str] | None = None) -> None:
    """Write each line, redacted, to every sink (flushed: a crash loses nothing)."""
    for raw in lines:
        line = redact(raw.decode("utf-8", errors="replace"))
        if tail is not None:
            tail.append(line)
        for sink in sinks:
            sink.write(line)
            sink.flush()


def _die_with_parent(parent: int) -> None:
    """In the forked child, before gammu-smsd starts: stop it when this runner dies.

    A runner killed with SIGKILL cannot stop its daemon, and supervisord starts a new runner
    at once: without this, a second gammu-smsd would work the same modem and spool beside the
    orphan (two daemons sending one outbox). Linux only (prctl PR_SET_PDEATHSIG)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the runner died before the request took effect
        os._exit(1)


class RedactedDaemon:
    """gammu-smsd on ``config``, its stderr redacted into ``log`` (and ``echo``)."""

    def __init__(self, config: Path, log: Path, *, echo: IO[str] | None = None) -> None:
        self.config, self.log, self.echo = Path(config), Path(log), echo
        self.process: subprocess.Popen | None = None
        self.tail: deque[str] = deque(maxlen=20)
        self._thread: threading.Thread | None = None

    def start(self) -> RedactedDaemon:
        self.process = subprocess.Popen(["gammu-smsd", "-c", str(self.config)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        preexec_fn=functools.partial(_die_with_parent, os.getpid()))
        log = open(self.log, "a", encoding="utf-8")  # noqa: SIM115 - closed by the thread
        sinks = [log, *([self.echo] if self.echo else [])]

        def run() -> None:
            with log:
                pump(self.process.stderr, sinks, self.tail)  # type: ignore[union-attr]

        self._thread = threading.Thread(target=run, name="gammu-smsd-log", daemon=True)
        self._thread.start()
        return self

    def wait(self, timeout: float | None = None) -> int:
        assert self.process is not None
        code = self.process.wait(timeout)
        if self._thread is not None:
            self._thread.join(5)
        return code

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.wait(5)


def main(argv: list[str] | None = None) -> int:
    """Write modem N's smsdrc, run its gammu-smsd until it exits or we are stopped."""
    from publisher.config import load_config
    from publisher.sms.gammu_config import write_config
    from publisher.sms.routes import modems

    args = sys.argv[1:] if argv is None else argv
    number = int(args[0]) if args else 1
    configured = modems(load_config())
    if not 1 <= number <= len(configured):
        sys.stderr.write(f"modem {number} is not configured (VILLAGECAST_SMS_MODEMS lists "
                         f"{len(configured)})\n")
        return 2
    modem = configured[number - 1]
    config = write_config(modem.spool, device=modem.device, connection=modem.connection)
    sys.stdout.write(f"gammu-smsd (modem {number}): config {config}\n")
    sys.stdout.flush()
    daemon = RedactedDaemon(config, log_path(modem.spool), echo=sys.stdout).start()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: daemon.process.send_signal(signum))
    return daemon.wait()


if __name__ == "__main__":
    sys.exit(main())
