"""Files that hold secrets or personal data are readable by their owner only."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE = 0o600
# SQLite creates these beside the database, with the database file's own mode.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def make_private(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 if missing, else narrow it to 0600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(PRIVATE)
    else:
        os.close(fd)
    return path


def private_sqlite(database: str | None) -> None:
    """The SQLite database file (and its WAL/SHM files) 0600, created so before SQLite
    opens it, which then gives its WAL file the same mode."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    make_private(path)
    for suffix in SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists() and companion.stat().st_mode & 0o077:
            companion.chmod(PRIVATE)
