"""Room kept on the data disk for emergency calls, and telling a full disk from other faults.

A press must be stored (the incident) and escalated (SMS rows, a spool file) even when
something else has filled the data disk. The clock keeps a file of zeros in the data
directory; when a write an emergency call needs fails because the disk is full, the file
is deleted and the write tried again, now with room. The clock makes the file again once
the disk has room for it and a good margin more, so taking the room back never fills it.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
from pathlib import Path

from renderer.atomic import replacing

log = logging.getLogger(__name__)
RESERVE_NAME = "emergency-reserve"
# One press with its escalation writes a few dozen database pages (and a rollback journal
# of as many) and spool files of under 2 kB: 16 MiB holds hundreds, and is small on any disk.
DEFAULT_RESERVE_BYTES = 16 * 1024 * 1024
# The reserve is made again only while this many times its size would still be free after.
REMAKE_MARGIN = 4
_CHUNK = 1024 * 1024
_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)


POSTGRES_DISK_FULL = "53100"


def is_disk_full(exc: BaseException | None) -> bool:
    """True if ``exc`` (or what caused it) says the disk or quota is full.

    SQLite reports it as SQLITE_FULL ("database or disk is full"), PostgreSQL as SQLSTATE
    53100 (disk_full); file writes as ENOSPC or EDQUOT. SQLAlchemy wraps the driver's error
    in ``.orig``.
    """
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
            return True
        if getattr(exc, "sqlstate", None) == POSTGRES_DISK_FULL:
            return True
        if isinstance(exc, sqlite3.Error) and (
                getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL"
                or "database or disk is full" in str(exc)):
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__
        seen += 1
    return False


def reserve_size(config: dict) -> int:
    """Bytes to keep: ``EMERGENCY_RESERVE_BYTES`` in the app config, else the environment's
    ``VILLAGECAST_EMERGENCY_RESERVE`` (a size such as ``16M``; ``0`` turns it off)."""
    from publisher.config import parse_size

    if "EMERGENCY_RESERVE_BYTES" in config:
        return int(config["EMERGENCY_RESERVE_BYTES"])
    from_env = os.environ.get("VILLAGECAST_EMERGENCY_RESERVE", "").strip()
    return parse_size(from_env) if from_env else DEFAULT_RESERVE_BYTES


def release(data_dir: Path) -> bool:
    """Give the reserve's room to the writes an emergency call needs. True if there was one."""
    path = Path(data_dir) / RESERVE_NAME
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    log.warning("data disk full: emergency reserve released (%s)", path)
    return True


def ensure(data_dir: Path, size: int) -> bool:
    """Make the reserve if it is missing and the disk has room to spare. True if it exists.

    Written with zeros (not ``fallocate``) and fsynced, so its blocks are really the
    reserve's and deleting it frees them on any file system.
    """
    path = Path(data_dir) / RESERVE_NAME
    if size <= 0:
        return False
    if path.exists() and path.stat().st_size >= size:
        return True
    if shutil.disk_usage(data_dir).free < size * (REMAKE_MARGIN + 1):
        return False
    try:
        with replacing(path) as tmp, open(tmp, "wb") as out:
            zeros = bytes(_CHUNK)
            for start in range(0, size, _CHUNK):
                out.write(zeros[:min(_CHUNK, size - start)])
    except OSError as exc:
        if not is_disk_full(exc):
            raise
        return False
    log.info("emergency reserve of %d bytes in place", size)
    return True
