"""What the data directory holds that pruning may remove: listing and removing (I/O).

The decisions are :mod:`publisher.services.storage`; this module only walks the directories
(never following symlinks) and removes what it is told to.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from renderer.atomic import is_temporary

Kind = Literal["page", "unit", "manifest", "audio", "speech", "hls", "sms"]
# The SMS spool folders whose files are handled: gammu sent them, gave up, or we stored them.
SMS_HANDLED = ("sent", "error", "processed")
SMS_TEMP_DIR = "tmp"  # the SMS gateway's half-written files (not named *.tmp)


@dataclass(frozen=True)
class Stored:
    """One prunable thing on disk: a cache file, a channel's HLS directory, an SMS file."""

    path: Path
    kind: Kind
    name: str  # page key (cache), channel slug (hls), file name (sms)
    size: int
    mtime: datetime  # newest write (for a directory: of anything in it)
    refs: tuple[str, ...] = ()  # a manifest's page keys


def mtime_of(st: os.stat_result) -> datetime:
    """A stat's modification time as an aware UTC datetime."""
    return datetime.fromtimestamp(st.st_mtime, UTC)


def files(root: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """Every regular file under ``root`` (symlinks not followed), with its stat."""
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = Path(dirpath) / name
            try:
                st = path.lstat()
            except FileNotFoundError:
                continue  # removed while we looked
            if stat.S_ISREG(st.st_mode):
                yield path, st


def data_roots(config: Mapping[str, Any]) -> list[Path]:
    """The data directory, and the SMS spool when it lives elsewhere."""
    data = Path(config["DATA_DIR"])
    roots = [data]
    spool = spool_dir(config)
    if not spool.resolve().is_relative_to(data.resolve()):
        roots.append(spool)
    return roots


def spool_dir(config: Mapping[str, Any]) -> Path:
    """The SMS gateway's spool directory."""
    return Path(config.get("SMS_SPOOL_DIR") or Path(config["DATA_DIR"]) / "sms")


def _cache_entries(cache_dir: Path) -> Iterator[Stored]:
    """Pages, units, manifests, page narration tracks and synthesised speech:
    ``<dir>/<key[:2]>/<key>.<ext>`` files only, so unit templates
    (``units/<tag>/template.*``) and the audio beds are never listed."""
    layouts: list[tuple[Kind, Path, int]] = [
        ("page", cache_dir / "pages", 1), ("manifest", cache_dir / "items", 1),
        ("unit", cache_dir / "units", 2), ("audio", cache_dir / "audio" / "pages", 1),
        ("speech", cache_dir / "speech", 1),
    ]
    for kind, base, depth in layouts:
        pattern = "/".join(["*"] * (depth + 1))
        for path in base.glob(pattern):
            name = path.name
            key = name.split(".", 1)[0]
            if is_temporary(name) or not key.startswith(path.parent.name):
                continue
            try:
                st = path.lstat()
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            refs: tuple[str, ...] = ()
            if kind == "manifest":
                refs = _manifest_keys(path)
            yield Stored(path, kind, key, st.st_size, mtime_of(st), refs)


def _manifest_keys(path: Path) -> tuple[str, ...]:
    try:
        pages = json.loads(path.read_text("utf-8"))
        return tuple(str(p["key"]) for p in pages)
    except (OSError, ValueError, KeyError, TypeError):
        return ()  # unreadable: nothing can use it, so it may go


def _hls_entries(hls_dir: Path) -> Iterator[Stored]:
    if not hls_dir.is_dir():
        return
    for channel_dir in hls_dir.iterdir():
        if not channel_dir.is_dir() or channel_dir.is_symlink():
            continue
        found = list(files(channel_dir))
        newest = max((st.st_mtime for _, st in found), default=channel_dir.stat().st_mtime)
        yield Stored(channel_dir, "hls", channel_dir.name, sum(st.st_size for _, st in found),
                     datetime.fromtimestamp(newest, UTC))


def _sms_entries(spool: Path) -> Iterator[Stored]:
    for sub in SMS_HANDLED:
        folder = spool / sub
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            try:
                st = path.lstat()
            except FileNotFoundError:
                continue  # gammu moved it while we looked
            if stat.S_ISREG(st.st_mode):
                yield Stored(path, "sms", path.name, st.st_size, mtime_of(st))


def survey(config: Mapping[str, Any]) -> tuple[list[Stored], int]:
    """The prunable things on disk, and the bytes the data directory holds in all."""
    entries = [
        *_cache_entries(Path(config["CACHE_DIR"])),
        *_hls_entries(Path(config["HLS_DIR"])),
        *_sms_entries(spool_dir(config)),
    ]
    total = sum(st.st_size for root in data_roots(config) for _, st in files(root))
    return entries, total


def remove(entry: Stored) -> bool:
    """Remove a file (an HLS folder with all it holds); False if it was already gone."""
    try:
        if entry.kind == "hls":
            shutil.rmtree(entry.path)
        else:
            entry.path.unlink()
    except FileNotFoundError:
        return False
    return True
