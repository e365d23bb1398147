"""gammu-smsd's FILES backend: the spool directories are the interface.

Layout under the spool directory (the same paths go into the generated smsdrc, see
publisher.sms.gammu_config): ``inbox/`` (gammu writes), ``outbox/`` (we write, gammu
takes), ``sent/`` and ``error/`` (gammu moves outbox files there), ``tmp/`` (our
half-written files) and ``processed/`` (inbox files we stored). The names and contents of
files in ``processed/``, ``sent/`` and ``error/`` carry phone numbers: the clock deletes
each as soon as the database holds its result (publisher.sms.spool).

File names follow gammu-smsd-files(7):
  outbound  OUT<priority><YYYYMMDD>_<HHMMSS>_<serial>_<recipient>_<note>.txt
  inbound   IN<YYYYMMDD>_<HHMMSS>_<serial>_<sender>_<part>.txt
Outbound files are UTF-16 with a byte-order mark ("Unicode"), so gammu needs no locale to
read Chinese; inbound files are UTF-16 with a BOM when InboxFormat is ``unicode`` (the
default) and are read as UTF-8 (else GB18030) otherwise.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import secrets
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from publisher import clock
from publisher.sms.gateway import GatewayError, InboundSms, SendStatus, SmsGateway, check_outbound
from renderer.atomic import put_in_place

SPOOL_DIRS = ("inbox", "outbox", "sent", "error", "tmp", "processed")
_IN_NAME = re.compile(r"^IN(\d{8})_(\d{6})_(\d{2})_(.+)_(\d{2})\.(txt|bin)$")
_REF = re.compile(r"^[A-Za-z0-9-]{1,40}$")
# gammu writes inbox files in place (not renamed in), so a file is read only once it
# has not changed for this long; it also lets every part of a long message arrive.
SETTLE_SECONDS = 1.0


def decode_inbox_file(data: bytes) -> str:
    """The text of one inbox file: UTF-16 with BOM, else UTF-8, else GB18030."""
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
    return text.replace("\x00", "").strip("\ufeff")


def outbox_name(number: str, ref: str, at: datetime, priority: str = "C") -> str:
    """The outbox file name for one message (deterministic: same inputs, same name)."""
    if not (len(priority) == 1 and "A" <= priority <= "Z"):
        raise GatewayError(f"优先级无效：{priority!r}")
    if not _REF.match(ref):
        raise GatewayError(f"消息编号无效：{ref!r}")
    stamp = at.astimezone(UTC).strftime("%Y%m%d_%H%M%S")
    return f"OUT{priority}{stamp}_00_{number}_{ref}.txt"


class GammuFilesGateway(SmsGateway):
    name = "gammu"

    def __init__(self, spool: Path, settle_seconds: float = SETTLE_SECONDS) -> None:
        self.spool = Path(spool)
        self.settle_seconds = settle_seconds
        for sub in SPOOL_DIRS:
            (self.spool / sub).mkdir(parents=True, exist_ok=True)

    def _dir(self, sub: str) -> Path:
        return self.spool / sub

    # -- sending -----------------------------------------------------------------

    def send(self, number: str, text: str, *, ref: str | None = None,
             priority: str = "C", at: datetime | None = None) -> str:
        check_outbound(number, text)
        name = outbox_name(number, ref or secrets.token_hex(6), at or clock.now(),
                           priority)
        if self._where(name) is not None:
            return name  # already handed over (or sent) by an earlier try
        tmp = self._dir("tmp") / f".{name}.{secrets.token_hex(4)}"
        try:
            tmp.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
            # Atomic: gammu never sees half a file. Not fsynced, as before: SMS are handed
            # over on the clock's one-second tick, and an fsync under disk load can take seconds.
            put_in_place(tmp, self._dir("outbox") / name, durable=False)
        except OSError:
            tmp.unlink(missing_ok=True)  # a full disk: nothing half-written is left behind
            raise
        return name

    def _where(self, name: str) -> str | None:
        # gammu renames outbox → sent/error: look where it goes first, then where it was,
        # then again, so a rename between two looks cannot hide the file.
        for sub in ("sent", "error", "outbox", "sent", "error"):
            if (self._dir(sub) / name).exists():
                return sub
        return None

    def status(self, gateway_id: str) -> SendStatus:
        where = self._where(gateway_id)
        if where == "sent":
            return SendStatus.SENT
        if where == "outbox":
            return SendStatus.QUEUED
        return SendStatus.FAILED  # in error/, or vanished

    def cancel(self, gateway_id: str) -> bool:
        try:
            os.replace(self._dir("outbox") / gateway_id, self._dir("error") / gateway_id)
        except FileNotFoundError:
            return False
        return True

    # -- receiving ---------------------------------------------------------------

    def receive(self) -> list[InboundSms]:
        groups: dict[tuple[str, ...], list[tuple[int, Path]]] = defaultdict(list)
        now = time.time()  # compared with files' mtimes (the settle time), not domain time
        for path in self._dir("inbox").iterdir():
            match = _IN_NAME.match(path.name)
            if not match:
                continue
            date, hms, serial, sender, part, _ext = match.groups()
            groups[(date, hms, serial, sender)].append((int(part), path))
        messages = []
        for key, parts in sorted(groups.items()):
            parts.sort()
            try:
                newest = max(p.stat().st_mtime for _, p in parts)
            except FileNotFoundError:
                continue  # acknowledged by a concurrent poller
            if now - newest < self.settle_seconds:
                continue
            messages.append(self._read_group(key, [p for _, p in parts]))
        return messages

    def _read_group(self, key: tuple[str, ...], paths: list[Path]) -> InboundSms:
        date, hms, _serial, sender = key
        texts, raws = [], []
        for path in paths:
            data = path.read_bytes()
            if path.suffix == ".bin":  # 8-bit data message: nothing to read as text
                texts.append("")
                raws.append(f"{path.name}: {data.hex()}")
            else:
                texts.append(decode_inbox_file(data))
                raws.append(f"{path.name}: {data.hex()}")
        try:
            received = datetime.strptime(date + hms, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        except ValueError:
            received = None
        # The whole group is one message: its ref lists every file, so ack moves them all.
        return InboundSms(number=sender, text="".join(texts), received_at=received,
                          ref="|".join(p.name for p in paths), raw="\n".join(raws))

    def ack(self, message: InboundSms) -> None:
        for name in message.ref.split("|"):
            src = self._dir("inbox") / name
            dest = self._dir("processed") / name
            if dest.exists():
                dest = dest.with_name(f"{name}.{secrets.token_hex(3)}")
            with contextlib.suppress(FileNotFoundError):  # already moved
                os.replace(src, dest)


    def handled_files(self) -> dict[str, list[Path]]:
        """Files whose message left our hands: {"processed"|"sent"|"error": paths}."""
        found: dict[str, list[Path]] = {}
        for sub in ("processed", "sent", "error"):
            try:
                found[sub] = [p for p in self._dir(sub).iterdir() if p.is_file()]
            except FileNotFoundError:
                found[sub] = []
        return found


def spool_paths(spool: Path) -> dict[str, Path]:
    """Absolute spool directories, for the smsdrc."""
    spool = Path(spool).resolve()
    return {sub: spool / sub for sub in SPOOL_DIRS}
