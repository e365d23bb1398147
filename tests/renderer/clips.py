"""Small clips made with ffmpeg's test sources, shaped like what phones and WeChat export.

The portrait clip is filmed "upright" as a picture whose top half is red and bottom half is
blue, then stored the way a phone sensor stores it (landscape, turned a quarter) with a
rotation tag telling players to turn it back; the channel must show red on top.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

FF = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]

# Upright portrait picture: red top half, blue bottom half, a moving test pattern in between
# so frames differ (a sequence of distinct units, not one still).
PORTRAIT_UPRIGHT = (
    "color=c=red:s=360x320:r=30[top];color=c=blue:s=360x320:r=30[bottom];"
    "[top][bottom]vstack[bg];testsrc2=s=200x120:r=30[pat];[bg][pat]overlay=80:260"
)


def _ff(*args: str) -> None:
    subprocess.run([*FF, *args], check=True, capture_output=True, timeout=120)


def tone_args(seconds: float, level_db: float = -12.0) -> list[str]:
    """A 1 kHz-ish tone with a wobble (so loudness is real programme-like), stereo 44.1 kHz."""
    expr = f"{10 ** (level_db / 20):.4f}*sin(2*PI*660*t)*(0.6+0.4*sin(2*PI*0.5*t))"
    return ["-f", "lavfi", "-t", str(seconds), "-i", f"aevalsrc={expr}|{expr}:s=44100"]


def portrait_rotated(out: Path, seconds: float = 4.0) -> Path:
    """A phone's portrait clip: stored 640x360 (turned clockwise), tagged to turn back upright."""
    stored = out.with_suffix(".stored.mp4")
    _ff("-f", "lavfi", "-t", str(seconds), "-i", PORTRAIT_UPRIGHT, *tone_args(seconds),
        "-vf", "transpose=clock", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-shortest", str(stored))  # fmt: skip
    # ffmpeg 5.1 writes the tag as a display matrix; players turn the picture anticlockwise.
    _ff("-i", str(stored), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(out))
    stored.unlink()
    return out


def landscape(out: Path, seconds: float = 3.0, size: str = "640x360", rate: int = 30) -> Path:
    _ff("-f", "lavfi", "-t", str(seconds), "-i", f"testsrc2=s={size}:r={rate}",
        *tone_args(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-shortest", str(out))  # fmt: skip
    return out


def vfr(out: Path, seconds: float = 3.0) -> Path:
    """Variable frame rate: 30 fps with frames unevenly dropped (as a phone does in low light)."""
    _ff("-f", "lavfi", "-t", str(seconds), "-i", "testsrc2=s=480x270:r=30", *tone_args(seconds),
        "-vf", "select='not(eq(mod(n\\,7)\\,3))*not(eq(mod(n\\,5)\\,1))'", "-fps_mode", "vfr",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
        "-shortest", str(out))  # fmt: skip
    return out


def amr_3gp(out: Path, seconds: float = 3.0) -> Path:
    """A 3GP with AMR-NB speech-band audio (old phones, WeChat voice): ffmpeg has no AMR
    encoder here, so the AMR stream is written by hand in the RFC 4867 storage format, 12.2
    kbit/s frames with a fixed pseudo-random payload (the decoder turns it into noise)."""
    amr = out.with_suffix(".amr")
    rng = random.Random(17)
    frames = round(seconds / 0.02)
    amr.write_bytes(b"#!AMR\n" + b"".join(b"\x3c" + rng.randbytes(31) for _ in range(frames)))
    _ff("-f", "lavfi", "-t", str(seconds), "-i", "testsrc2=s=352x288:r=15", "-i", str(amr),
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "copy",
        "-shortest", str(out))  # fmt: skip
    amr.unlink()
    return out


def webm(out: Path, seconds: float = 2.0) -> Path:
    _ff("-f", "lavfi", "-t", str(seconds), "-i", "testsrc2=s=320x240:r=25", *tone_args(seconds),
        "-c:v", "libvpx", "-deadline", "realtime", "-b:v", "300k", "-c:a", "libopus",
        "-ar", "48000", "-shortest", str(out))  # fmt: skip
    return out


def audio_only(out: Path, seconds: float = 2.0) -> Path:
    _ff(*tone_args(seconds), "-c:a", "aac", str(out))
    return out


def text_as_mp4(out: Path) -> Path:
    out.write_text("这不是视频，是一份通知的文字。\n" * 20, encoding="utf-8")
    return out


def truncated(src: Path, out: Path) -> Path:
    """A clip cut off mid-upload (index at the front, so the header still reads)."""
    full = out.with_suffix(".full.mp4")
    _ff("-i", str(src), "-c", "copy", "-movflags", "+faststart", str(full))
    data = full.read_bytes()
    out.write_bytes(data[: len(data) * 2 // 3])
    full.unlink()
    return out


def huge_dimensions(out: Path) -> Path:
    """One flat frame declaring 8192x8192 pixels (a decompression bomb's header)."""
    _ff("-f", "lavfi", "-i", "color=c=gray:s=8192x8192:r=1", "-frames:v", "1",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(out))  # fmt: skip
    return out


def frame_rate_bomb(out: Path) -> Path:
    """Tiny frames at 1000 fps: few bytes, but a frame count no camera makes."""
    _ff("-f", "lavfi", "-i", "color=c=gray:s=32x32:r=1000", "-t", "2",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(out))  # fmt: skip
    return out


def large(out: Path, seconds: float = 6.0) -> Path:
    """A clip past the app's 10 MB upload limit for photos (lossless H.264, ~2 MB a second)."""
    _ff("-f", "lavfi", "-t", str(seconds), "-i", "testsrc2=s=1280x720:r=30", *tone_args(seconds),
        "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-shortest", str(out))  # fmt: skip
    return out
