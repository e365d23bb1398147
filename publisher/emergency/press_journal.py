"""Presses kept on a full disk: a small file written in advance, drained by the clock.

When a device's press cannot be stored in the database even with the reserve's room
(publisher.emergency.reserve), it is written into one slot of this file instead. The file
is made full size with zeros while there is room, so writing a slot later takes no new
space: it works on a disk with not one byte free. The clock turns each kept press into a
trigger as soon as the database takes it, then clears the slot; the device's idempotency
key makes that safe to repeat (after a crash, or if the device pressed again meanwhile).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from renderer.atomic import write_atomic

log = logging.getLogger(__name__)
JOURNAL_NAME = "emergency-presses"
# A press is under 200 bytes as JSON; 256 households pressing while the disk is full and
# before the clock drains any (it drains every half second once the database has room)
# is far beyond one township.
SLOT_BYTES, SLOTS = 512, 256
_MAGIC = b"P"


@dataclass(frozen=True)
class KeptPress:
    slot: int
    device_id: int
    key: str
    at: datetime


def _path(data_dir: Path) -> Path:
    return Path(data_dir) / JOURNAL_NAME


def ensure(data_dir: Path) -> bool:
    """Make the journal full size if it is missing (needs room). True if it exists."""
    path = _path(data_dir)
    if path.exists() and path.stat().st_size >= SLOT_BYTES * SLOTS:
        return True
    try:
        write_atomic(path, bytes(SLOT_BYTES * SLOTS))
    except OSError:
        log.exception("cannot make the emergency press journal")
        return False
    return True


def _encode(device_id: int, key: str, at: datetime) -> bytes:
    body = json.dumps({"device": device_id, "key": key, "at": at.isoformat()},
                      separators=(",", ":")).encode()
    record = _MAGIC + f"{zlib.crc32(body):08x}".encode() + body
    if len(record) > SLOT_BYTES:
        raise ValueError("press record too long for a slot")
    return record.ljust(SLOT_BYTES, b"\0")


def _decode(slot: int, raw: bytes) -> KeptPress | None:
    """The press in a slot; None if the slot is free or its record is torn."""
    if raw[:1] != _MAGIC:
        return None
    body = raw[9:].rstrip(b"\0")
    try:
        if int(raw[1:9], 16) != zlib.crc32(body):
            return None
        data = json.loads(body)
        return KeptPress(slot, int(data["device"]), str(data["key"]),
                         datetime.fromisoformat(data["at"]))
    except (ValueError, KeyError, TypeError):
        return None


@contextmanager
def _locked(data_dir: Path) -> Iterator[int]:
    """The journal open for reading and writing, locked against every other process."""
    fd = os.open(_path(data_dir), os.O_RDWR)  # never O_CREAT: it must exist, full size
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def _read_all(fd: int) -> list[KeptPress | None]:
    data = os.pread(fd, SLOT_BYTES * SLOTS, 0)
    return [_decode(n, data[n * SLOT_BYTES:(n + 1) * SLOT_BYTES]) for n in range(SLOTS)]


def keep(data_dir: Path, device_id: int, key: str, at: datetime) -> bool:
    """Write a press into a free slot and flush it to disk. False if it could not be kept."""
    try:
        with _locked(data_dir) as fd:
            slots = _read_all(fd)
            if any(p and p.device_id == device_id and p.key == key for p in slots):
                return True  # the device pressed again with the same key
            free = next((n for n, p in enumerate(slots) if p is None), None)
            if free is None:
                return False
            os.pwrite(fd, _encode(device_id, key, at), free * SLOT_BYTES)
            os.fdatasync(fd)
    except OSError:
        log.exception("cannot keep a press in the journal")
        return False
    log.warning("data disk full: press of device %s kept in the journal", device_id)
    return True


def kept(data_dir: Path) -> list[KeptPress]:
    """The presses waiting in the journal, oldest first."""
    with suppress(FileNotFoundError), _locked(data_dir) as fd:
        return sorted((p for p in _read_all(fd) if p), key=lambda p: p.at)
    return []


def clear(data_dir: Path, press: KeptPress) -> None:
    """Free a slot once its press is stored (only if it still holds that press)."""
    with _locked(data_dir) as fd:
        current = _read_all(fd)[press.slot]
        if current == press:
            os.pwrite(fd, bytes(SLOT_BYTES), press.slot * SLOT_BYTES)
            os.fdatasync(fd)
