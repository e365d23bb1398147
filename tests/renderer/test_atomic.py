"""One way to put a file in place: whole or not at all, flushed, temporaries recognisable."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from renderer import atomic


def test_write_atomic_puts_the_whole_file_in_place_and_leaves_no_temporary(
    tmp_path: Path,
) -> None:
    path = tmp_path / "deep" / "er" / "unit.h264"
    assert atomic.write_atomic(path, b"\x00\x00\x01\x09whole") == path
    assert path.read_bytes() == b"\x00\x00\x01\x09whole"
    assert sorted(p.name for p in path.parent.iterdir()) == ["unit.h264"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_write_atomic_replaces_and_can_keep_a_secret_private(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    atomic.write_atomic(path, b"old")
    atomic.write_atomic(path, b"new", mode=0o600)
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_failed_write_keeps_the_old_file_and_removes_its_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "plan.json"
    atomic.write_atomic(path, b"old")

    def power_cut(src: object, dst: object) -> None:
        raise OSError("no space left on device")

    monkeypatch.setattr(atomic.os, "replace", power_cut)
    with pytest.raises(OSError, match="no space"):
        atomic.write_atomic(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


def test_the_file_and_its_directory_are_flushed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fsync on the file before the rename and on the directory after it."""
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync-dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync-file")
        real_fsync(fd)

    def replace(src: object, dst: object) -> None:
        events.append("rename")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "replace", replace)
    atomic.write_atomic(tmp_path / "a", b"x")
    assert events == ["fsync-file", "rename", "fsync-dir"]


def test_temporaries_are_named_so_a_sweep_finds_them(tmp_path: Path) -> None:
    made = [atomic.temp_beside(tmp_path / "page.png"),
            atomic.temp_beside(tmp_path / "batch.h264", ".h264"),
            atomic.temp_beside(tmp_path / "template.m2v", ".flat.png")]
    assert all(atomic.is_temporary(p.name) for p in made)
    assert made[1].suffix == ".h264" and made[2].name.endswith(".flat.png")


@pytest.mark.parametrize(("name", "temporary"), [
    (".batch.h264.k2j3l4.tmp.h264", True),
    (".ab12.h264.x7y8z9.tmp", True),
    (".tmp-abc123.png", True),  # the page cache's older naming
    ("secret_key.tmp", True),  # with_suffix(".tmp") writers
    ("ab12.h264", False),
    ("template.h264", False),
    ("index.m3u8", False),
    (".hls-state.json", False),
    ("OUTC20261122_101500_00_13800000000_ref.txt", False),
    ("villagecast.db-journal", False),
])  # fmt: skip
def test_is_temporary(name: str, temporary: bool) -> None:
    assert atomic.is_temporary(name) is temporary


def _record_flushes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync-dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync-file")
        real_fsync(fd)

    def replace(src: object, dst: object) -> None:
        events.append("rename")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "replace", replace)
    return events


def test_a_writer_that_needs_a_name_gets_the_same_put_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``replacing``: a tool writes the temporary by name; on success it is flushed, renamed
    and its directory flushed, as write_atomic does."""
    events = _record_flushes(monkeypatch)
    out = tmp_path / "listen.aac"
    with atomic.replacing(out, suffix=".aac") as tmp:
        assert tmp.parent == tmp_path and tmp.name.endswith(".tmp.aac")
        tmp.write_bytes(b"aac")
    assert out.read_bytes() == b"aac" and [p.name for p in tmp_path.iterdir()] == [out.name]
    assert events == ["fsync-file", "rename", "fsync-dir"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_a_writer_that_fails_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    out = tmp_path / "review.mp4"
    out.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic.replacing(out, suffix=".mp4") as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("ffmpeg failed")
    assert out.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == [out.name]


def test_fsync_is_an_explicit_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``durable=False`` (heartbeats, playlists rewritten every few seconds): renamed, never
    flushed."""
    events = _record_flushes(monkeypatch)
    atomic.write_atomic(tmp_path / "heartbeat", b"x", durable=False)
    with atomic.replacing(tmp_path / "index.m3u8", durable=False) as tmp:
        tmp.write_bytes(b"#EXTM3U")
    tmp = atomic.temp_beside(tmp_path / "upload")
    tmp.write_bytes(b"clip")
    atomic.put_in_place(tmp, tmp_path / "clip.mp4", durable=False)
    assert events == ["rename", "rename", "rename"]
    assert (tmp_path / "clip.mp4").read_bytes() == b"clip"
