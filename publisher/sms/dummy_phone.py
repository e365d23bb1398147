"""gammu's dummy phone, for demos and tests: a modem whose SMS memory is a directory.

With no real modem configured (see publisher.sms.gammu_config) gammu-smsd drives the
dummy phone in ``<spool>/dummy-phone``. ``DummyPhone.deliver`` makes a message "arrive"
on it (gammu-smsd then reads it like any received SMS); ``SmsDaemon`` runs gammu-smsd.

    python -m publisher.sms.dummy_phone 13800000001 "去向 张家村 走访低保户"
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from publisher import clock
from publisher.sms.smsd import RedactedDaemon, log_path

MAX_SINGLE_SMS = 70  # UCS-2 characters in one SMS; longer needs concatenation


def smsbackup(number: str, text: str, sent: datetime) -> str:
    """One received SMS in gammu's backup format (what the dummy phone stores)."""
    if len(text) > MAX_SINGLE_SMS:
        raise ValueError(f"the dummy phone takes single SMS only ({MAX_SINGLE_SMS} chars)")
    return (
        "[SMSBackup000]\n"
        'SMSC = "+8613800100500"\n'
        "State = UnRead\n"
        f'Number = "{number}"\n'
        "Coding = Unicode_No_Compression\n"
        "Folder = 1\n"
        f"Sent = {sent.astimezone(UTC):%Y%m%dT%H%M%S}\n"
        f"Text00 = {text.encode('utf-16-be').hex()}\n"
    )


class DummyPhone:
    def __init__(self, spool: Path) -> None:
        self.inbox = Path(spool) / "dummy-phone" / "sms" / "1"
        self.inbox.mkdir(parents=True, exist_ok=True)

    def deliver(self, number: str, text: str, sent: datetime | None = None) -> Path:
        """Put a received SMS in the phone's memory (renamed in, never half-written)."""
        content = smsbackup(number, text, sent or clock.now())
        for location in range(1, 1000):
            path = self.inbox / str(location)
            if path.exists():
                continue
            tmp = self.inbox / f".incoming-{os.getpid()}-{location}"
            tmp.write_text(content)
            try:
                os.link(tmp, path)  # fails if gammu or another writer took the slot
            except FileExistsError:
                continue
            finally:
                tmp.unlink()
            return path
        raise RuntimeError("dummy phone memory full")

    def pending(self) -> list[Path]:
        return [p for p in self.inbox.iterdir() if p.name.isdigit()]


class SmsDaemon(RedactedDaemon):
    """gammu-smsd on a generated config (its log redacted into ``<spool>/gammu-smsd.log``,
    as in production), stopped (TERM, then KILL) on exit."""

    def __init__(self, config: Path) -> None:
        super().__init__(config, log_path(Path(config).parent))

    def start(self) -> SmsDaemon:
        super().start()
        time.sleep(0.2)
        if self.process is not None and self.process.poll() is not None:
            self.wait(5)
            raise RuntimeError(f"gammu-smsd exited at once: {''.join(self.tail)[-500:]}")
        return self

    def __enter__(self) -> SmsDaemon:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str]) -> None:
    from publisher.config import load_config

    if len(argv) != 2:
        raise SystemExit("usage: python -m publisher.sms.dummy_phone NUMBER TEXT")
    spool = Path(load_config()["SMS_SPOOL_DIR"])
    path = DummyPhone(spool).deliver(argv[0], argv[1])
    sys.stdout.write(f"delivered to the dummy phone: {path}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
