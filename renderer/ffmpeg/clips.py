"""ffmpeg and ffprobe command lines for uploaded clips (video and recorded audio).

Pure builders returning ``list[str]``, like :mod:`renderer.ffmpeg.commands`; running them is
:mod:`renderer.ffmpeg.runner`'s business.
"""

from __future__ import annotations

from pathlib import Path

from renderer.ffmpeg.commands import FFPROBE


def upload_probe_cmd(src: Path) -> list[str]:
    """ffprobe an upload as JSON, reading every packet (``-count_packets``) without decoding.

    Counting packets reads the whole file, so a truncated file shows fewer packets than its
    header declares (and a "partial file" error), and the real frame count is known."""
    return [FFPROBE, "-hide_banner", "-loglevel", "error", "-count_packets",
            "-of", "json", "-show_streams", "-show_format", str(src)]  # fmt: skip
