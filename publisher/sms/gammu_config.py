"""The gammu-smsd configuration (smsdrc) for our spool, and a CLI that writes it.

``python -m publisher.sms.gammu_config [N]`` writes modem N's ``<spool>/gammu-smsdrc``
(publisher.sms.routes: one spool per modem) and prints its path; scripts/gammu-smsd.sh
runs it and then gammu-smsd. Tests use the same function, so
the daemon under test is configured exactly like the one in production.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from publisher.sms.gammu_files import SPOOL_DIRS, spool_paths
from renderer.atomic import write_atomic


def smsdrc(spool: Path, *, device: str = "", connection: str = "at",
           loop_sleep: int = 1, log_file: str = "") -> str:
    """The smsdrc text. No ``device``: gammu's dummy phone in ``<spool>/dummy-phone``
    (a demo or test modem whose SMS memory is a directory: ``sms/1`` is its inbox)."""
    paths = spool_paths(spool)
    if device:
        gammu = f"device = {device}\nconnection = {connection}\n"
    else:
        gammu = f"model = dummy\nconnection = none\ndevice = {Path(spool).resolve()}/dummy-phone\n"
    return (
        "[gammu]\n"
        + gammu
        + "\n[smsd]\n"
        "service = files\n"
        # To stderr, which publisher.sms.smsd redacts into <spool>/gammu-smsd.log: gammu's
        # own log names every number it sends to or receives from.
        f"logfile = {log_file or 'stderr'}\n"
        "debuglevel = 0\n"
        # Poll the outbox and the phone every loop: emergency SMS must not wait 30 s.
        "commtimeout = 1\n"
        "receivefrequency = 1\n"
        f"loopsleep = {loop_sleep}\n"
        "statusfrequency = 0\n"
        "checkbattery = 0\n"
        "checksignal = 0\n"
        "checknetwork = 0\n"
        "multiparttimeout = 30\n"
        # One folder per state, trailing slash required by gammu.
        f"inboxpath = {paths['inbox']}/\n"
        f"outboxpath = {paths['outbox']}/\n"
        f"sentsmspath = {paths['sent']}/\n"
        f"errorsmspath = {paths['error']}/\n"
        "inboxformat = unicode\n"
        "outboxformat = unicode\n"
        "transmitformat = auto\n"
    )


def write_config(spool: Path, **kwargs: object) -> Path:
    spool = Path(spool)
    spool.mkdir(parents=True, exist_ok=True)
    # Messages in transit (inbox, outbox) carry numbers in their names: owner only.
    with contextlib.suppress(PermissionError):
        spool.chmod(0o700)
    for sub in SPOOL_DIRS:
        (spool / sub).mkdir(parents=True, exist_ok=True)
    if not kwargs.get("device"):
        (spool / "dummy-phone").mkdir(exist_ok=True)
    path = spool / "gammu-smsdrc"
    return write_atomic(path, smsdrc(spool, **kwargs).encode())  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    """Write the smsdrc of modem N (``argv[0]``, from 1; default 1) and print its path."""
    from publisher.config import load_config
    from publisher.sms.routes import modems

    args = sys.argv[1:] if argv is None else argv
    number = int(args[0]) if args else 1
    configured = modems(load_config())
    if not 1 <= number <= len(configured):
        sys.stderr.write(f"modem {number} is not configured (VILLAGECAST_SMS_MODEMS lists "
                         f"{len(configured)})\n")
        return 2
    modem = configured[number - 1]
    path = write_config(modem.spool, device=modem.device, connection=modem.connection)
    sys.stdout.write(f"{path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
