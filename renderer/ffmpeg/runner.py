"""Running the built commands: the only place ffmpeg and ffprobe are started.

:func:`run` runs a command to completion and :func:`spawn` starts a long-running one;
:func:`probe` and :func:`frame_hashes` build, run and read a command in one call. A failure
is always one :class:`FFmpegError` carrying the tail of stderr, so callers never parse
subprocess errors themselves.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from renderer.ffmpeg.commands import FFPROBE, ebur128_cmd, frame_hashes_cmd, probe_cmd

STDERR_TAIL_CHARS = 2000  # enough for ffmpeg's last few lines, short enough for a log line


class FFmpegError(RuntimeError):
    """ffmpeg or ffprobe failed; ``stderr`` holds the tail of what it said."""

    def __init__(self, cmd: list[str], returncode: int | None, stderr: str) -> None:
        self.cmd = cmd
        self.returncode = returncode
        self.stderr = stderr[-STDERR_TAIL_CHARS:]
        super().__init__(f"{Path(cmd[0]).name} exited {returncode}: {self.stderr.strip()}")


@dataclass(frozen=True)
class RunResult:
    stdout: bytes
    stderr: str


def run(cmd: list[str], *, stdin: bytes | None = None, timeout: float | None = None) -> RunResult:
    """Run a built command to completion; raise :class:`FFmpegError` on failure."""
    try:
        done = subprocess.run(
            cmd,
            input=stdin,
            capture_output=True,
            timeout=timeout,
            check=False,
            stdin=None if stdin is not None else subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        err = (exc.stderr or b"").decode("utf-8", "replace")
        raise FFmpegError(cmd, None, f"timed out after {timeout}s\n{err}") from exc
    except OSError as exc:
        raise FFmpegError(cmd, None, str(exc)) from exc
    stderr = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        raise FFmpegError(cmd, done.returncode, stderr)
    return RunResult(done.stdout, stderr)


def spawn(cmd: list[str]) -> subprocess.Popen[bytes]:
    """Start a long-running command fed on stdin; stderr is a pipe the caller drains."""
    try:
        return subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
    except OSError as exc:
        raise FFmpegError(cmd, None, str(exc)) from exc


def probe(target: str | Path, *, packets: bool = False, timeout: float = 120) -> dict[str, Any]:
    """ffprobe a file or URL and return its JSON (streams, format, optionally packets)."""
    result = run(probe_cmd(str(target), packets=packets), timeout=timeout)
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise FFmpegError([FFPROBE], 0, f"unreadable JSON: {exc}") from exc


def frame_hashes(src: Path) -> list[str]:
    """The MD5 of every decoded video frame, in order."""
    out = run(frame_hashes_cmd(src), timeout=120).stdout.decode()
    return [line.rsplit(",", 1)[1].strip() for line in out.splitlines() if line[:1].isdigit()]


@dataclass(frozen=True)
class Loudness:
    """An ``ebur128`` measurement: integrated loudness (LUFS), loudness range (LU), true
    peak (dBTP), and the momentary loudness every 100 ms when asked for (LUFS)."""

    integrated: float
    lra: float
    true_peak: float
    momentary: tuple[float, ...] = ()


_SUMMARY_I = re.compile(r"Integrated loudness:\s+I:\s+(-?[\d.]+|-inf) LUFS")
_SUMMARY_LRA = re.compile(r"Loudness range:\s+LRA:\s+(-?[\d.]+) LU")
_SUMMARY_TP = re.compile(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS")
_FRAME_M = re.compile(r"\] t: *[\d.]+ .*?M: *(-?[\d.]+|-inf|nan)")


def parse_ebur128(stderr: str) -> Loudness:
    """Read the summary (and any frame log) ``ebur128`` printed; raise FFmpegError if none."""
    found = [r.findall(stderr) for r in (_SUMMARY_I, _SUMMARY_LRA, _SUMMARY_TP)]
    if not all(found):
        raise FFmpegError(["ffmpeg"], 0, f"no ebur128 summary in: {stderr[-500:]}")
    i, lra, tp = (float(f[-1]) for f in found)
    momentary = tuple(float(m) for m in _FRAME_M.findall(stderr))
    return Loudness(i, lra, tp, momentary)


def measure_loudness(
    src: str | Path | None = None,
    *,
    pcm: bytes | None = None,
    channels: int = 2,
    framelog: bool = False,
    timeout: float = 600,
) -> Loudness:
    """Measure a file (``src``) or raw 48 kHz float32 (``pcm``) with ffmpeg's ``ebur128``."""
    cmd = ebur128_cmd(None if pcm is not None else src, channels, framelog=framelog)
    return parse_ebur128(run(cmd, stdin=pcm, timeout=timeout).stderr)
