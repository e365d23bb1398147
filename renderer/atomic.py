"""The one way files are put in place: write beside, fsync, rename, fsync the directory.

Bytes in hand: :func:`write_atomic`. A writer that needs a file name (ffmpeg, a copy, a
file written in chunks): :func:`replacing`, or :func:`temp_beside` then
:func:`put_in_place` when the final name is known only after the file is checked (uploads).

A reader sees the old file or the whole new one, never half, and after a power cut the
rename cannot survive without the data it names: the file's blocks are flushed before the
rename, and the directory entry after it. Every temporary file is named so that
:func:`is_temporary` recognises it; an orphan left by a crash is swept at the next start.

This module sits at the bottom of the import layers so the renderer, playlists and the
publisher can all use it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def temp_beside(path: Path, suffix: str = "") -> Path:
    """A new empty file in ``path``'s directory: ``.<name>.<random>.tmp[<suffix>]``.

    ``suffix`` is for tools that pick a format by extension (ffmpeg, Pillow). The directory
    is created if missing.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                               suffix=TEMP_SUFFIX + suffix)
    os.close(fd)
    return Path(tmp)


def fsync_dir(directory: Path) -> None:
    """Flush a directory's entries (a rename into it) to disk."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def put_in_place(tmp: Path, path: Path, *, durable: bool = True,
                 mode: int | None = None) -> Path:
    """Rename a finished temporary file (from :func:`temp_beside`) onto ``path``.

    ``durable`` (the fsync option): the file's data is flushed before the rename and the
    directory entry after it. ``durable=False`` skips both, for files rewritten every few
    seconds whose loss in a power cut costs nothing (heartbeats, playlists): under heavy
    disk load an fsync can take seconds.

    ``mode`` sets the permissions before the file becomes visible (``0o600`` for secrets;
    otherwise the temporary file's private ``0o600`` is widened to the usual ``0o644``).
    """
    path = Path(path)
    if durable:
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    os.chmod(tmp, 0o644 if mode is None else mode)
    os.replace(tmp, path)
    if durable:
        fsync_dir(path.parent)
    return path


@contextmanager
def replacing(path: Path, *, suffix: str = "", durable: bool = True,
              mode: int | None = None) -> Iterator[Path]:
    """A temporary file beside ``path`` for a writer that needs a name (ffmpeg, a copy, a
    file written in chunks); put in place when the block ends, removed if it raises::

        with replacing(out, suffix=".aac") as tmp:
            ffmpeg.run(encode_cmd(tmp))
    """
    path = Path(path)
    tmp = temp_beside(path, suffix)
    try:
        yield tmp
        put_in_place(tmp, path, durable=durable, mode=mode)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes, *, mode: int | None = None,
                 durable: bool = True) -> Path:
    """Put ``data`` at ``path`` atomically (and, unless ``durable=False``, durably; see
    :func:`put_in_place`); returns ``path``."""
    path = Path(path)
    tmp = temp_beside(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        # Flushed above while the file was open: no second fsync.
        put_in_place(tmp, path, durable=False, mode=mode)
        if durable:
            fsync_dir(path.parent)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def is_temporary(name: str) -> bool:
    """Whether a file name is a temporary one: ours, or an older writer's naming.

    Ours are ``.<name>.<random>.tmp[.<ext>]``. Older writers left ``<name>.tmp`` and
    ``.tmp-<random>.<ext>``; an orphan of those is swept too.
    """
    if name.endswith(TEMP_SUFFIX):
        return True
    if not name.startswith("."):
        return False
    return name.startswith(".tmp-") or f"{TEMP_SUFFIX}." in name
