"""The one door to ffmpeg and ffprobe.

Every command the project runs is built by a pure function returning ``list[str]``
(:mod:`.commands`, most through ``ffmpeg-python``), and run by :func:`run`, :func:`spawn` or
:func:`probe` (:mod:`.runner`, the only code that starts a process). A failure is always one
:class:`FFmpegError` carrying the tail of stderr, so callers never parse subprocess errors
themselves.

The names below are the door: callers write ``from renderer import ffmpeg`` and
``ffmpeg.run(ffmpeg.units_cmd(...))``, and never import the submodules, so how the package
is laid out inside stays its own business.
"""

from renderer.ffmpeg.clips import (
    ClipCut,
    clip_loudness_cmd,
    clip_poster_cmd,
    clip_transcode_cmd,
    review_copy_cmd,
    upload_probe_cmd,
)
from renderer.ffmpeg.commands import (
    audio_remux_cmd,
    ebur128_cmd,
    frame_hashes_cmd,
    full_page_cmd,
    live_encode_cmd,
    loudness_measure_cmd,
    music_bed_cmd,
    pcm_decode_cmd,
    pcm_encode_cmd,
    probe_cmd,
    silence_cmd,
    units_cmd,
)
from renderer.ffmpeg.runner import (
    FFmpegError,
    Loudness,
    RunResult,
    frame_hashes,
    measure_loudness,
    parse_ebur128,
    probe,
    run,
    spawn,
)

__all__ = [
    "audio_remux_cmd",
    "ClipCut",
    "clip_loudness_cmd",
    "clip_poster_cmd",
    "clip_transcode_cmd",
    "review_copy_cmd",
    "FFmpegError",
    "Loudness",
    "ebur128_cmd",
    "measure_loudness",
    "parse_ebur128",
    "pcm_decode_cmd",
    "pcm_encode_cmd",
    "RunResult",
    "frame_hashes",
    "frame_hashes_cmd",
    "full_page_cmd",
    "live_encode_cmd",
    "loudness_measure_cmd",
    "music_bed_cmd",
    "probe",
    "probe_cmd",
    "run",
    "silence_cmd",
    "spawn",
    "units_cmd",
    "upload_probe_cmd",
]
