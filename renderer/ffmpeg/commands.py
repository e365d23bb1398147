"""Every ffmpeg and ffprobe command line the project runs, built by pure functions.

Each builder returns ``list[str]`` (most through ``ffmpeg-python``) and runs nothing, so the
exact arguments are unit-tested; :mod:`renderer.ffmpeg.runner` runs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ffmpeg as ffmpeg_python

from renderer.timing import AUDIO_RATE, FPS, UNIT_FRAMES

if TYPE_CHECKING:
    from renderer.encode import EncodingProfile

FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"
# Quiet, non-interactive, and never asking to overwrite: jobs have no terminal.
QUIET = ("-hide_banner", "-nostdin", "-loglevel", "error")

# Colour tags written into the bitstream: (matrix for swscale, primaries, transfer, matrix tag).
COLOUR_TAGS = {
    "bt709": ("bt709", "bt709", "bt709", "bt709"),
    "bt601": ("bt601", "bt470bg", "smpte170m", "bt470bg"),  # 625-line PAL/SECAM
}


def _compile(stream: Any, extra_globals: tuple[str, ...] = ()) -> list[str]:
    args = ffmpeg_python.compile(stream, cmd=FFMPEG, overwrite_output=True)
    return [args[0], *QUIET, *extra_globals, *args[1:]]


# The flicker filter of interlaced output: each line becomes 1/4 of the line above, 1/2
# of itself and 1/4 of the line below (the [1 2 1] kernel of broadcast character
# generators), so a stroke one line thick lies in both fields. Nothing horizontal.
FLICKER_KERNEL = "0 1 0 0 2 0 0 1 0"
FLICKER_DIV = 0.25


def vertical_lowpass(stream: Any) -> Any:
    """Soften a picture vertically only, on every plane (see :data:`FLICKER_KERNEL`)."""
    planes = {f"{p}m": FLICKER_KERNEL for p in range(3)}
    planes.update({f"{p}rdiv": FLICKER_DIV for p in range(3)})
    return stream.filter("convolution", **planes)


def _scaled(stream: Any, enc: EncodingProfile) -> Any:
    """Scale a page to the coded size, converting RGB with the profile's matrix; pages for
    interlaced sets get the gentle vertical low-pass there too."""
    matrix = COLOUR_TAGS[enc.colour][0]
    scaled = (
        stream.filter(
            "scale", enc.width, enc.height, flags="lanczos", out_color_matrix=matrix, out_range="tv"
        )
        .filter("setsar", f"{enc.sar[0]}/{enc.sar[1]}")
        .filter("format", "yuv420p")
    )
    return vertical_lowpass(scaled) if enc.vertical_lowpass else scaled


def _colour_args(enc: EncodingProfile) -> dict[str, str]:
    _, primaries, trc, space = COLOUR_TAGS[enc.colour]
    return {
        "color_primaries": primaries,
        "color_trc": trc,
        "colorspace": space,
        "color_range": "tv",
    }


def _video_args(enc: EncodingProfile) -> dict[str, Any]:
    """Encoder options for one closed GOP: one intra frame then P frames, no B frames."""
    common = {
        "g": UNIT_FRAMES,
        "bf": 0,
        "maxrate": f"{enc.maxrate_kbps}k",
        "bufsize": f"{enc.bufsize_kbit}k",
        **_colour_args(enc),
    }
    if enc.codec == "h264":
        return {
            "c:v": "libx264",
            "preset": "medium",
            "tune": "stillimage",
            "crf": enc.quality,
            "profile:v": enc.h264_profile,
            "level:v": enc.h264_level,
            "keyint_min": UNIT_FRAMES,
            "sc_threshold": 0,
            # aud: split points for the muxer; repeat-headers: SPS/PPS on every IDR.
            "x264-params": "aud=1:repeat-headers=1:open-gop=0",
            # Drop x264's version SEI: smaller units, identical across hosts.
            "bsf:v": "filter_units=remove_types=6",
            **common,
        }
    return {
        "c:v": "mpeg2video",
        "q:v": enc.quality,
        "flags": "+cgop",
        "sc_threshold": 1_000_000_000,  # mpeg2video: closed GOPs need scene-cut detection off
        "intra_vlc": 1,
        "seq_disp_ext": 1,  # carries the colour description
        **common,
    }


def units_cmd(
    pngs: Sequence[Path], out: Path, enc: EncodingProfile, hold: int = UNIT_FRAMES
) -> list[str]:
    """Encode still pages one after another, each held for ``hold`` frames.

    ``hold=16`` gives whole units (one closed GOP per page); ``hold=1`` gives one intra
    picture per page, every frame forced to be a key frame, with the very same encoder
    settings (so the same SPS/PPS). Each PNG is decoded and scaled once.
    """
    held = []
    for png in pngs:
        video = _scaled(ffmpeg_python.input(str(png), framerate=FPS).video, enc)
        held.append(video.filter("tpad", stop_mode="clone", stop=hold - 1) if hold > 1 else video)
    video = held[0] if len(held) == 1 else ffmpeg_python.concat(*held, v=1, a=0)
    # Stills carry no frame duration, so concat would stack them at t=0: renumber frames.
    video = video.filter("setpts", f"N/({FPS}*TB)")
    fmt = "h264" if enc.codec == "h264" else "mpeg2video"
    extra = {} if hold > 1 else {"force_key_frames": "expr:1"}
    out_stream = ffmpeg_python.output(
        video, str(out), format=fmt, r=FPS, **{"frames:v": hold * len(held)},
        **_video_args(enc), **extra,
    )  # fmt: skip
    return _compile(out_stream)


def frame_hashes_cmd(src: Path) -> list[str]:
    """Decode every frame and print its MD5 (``framemd5``)."""
    return [FFMPEG, *QUIET, "-i", str(src), "-map", "0:v", "-f", "framemd5", "-"]


def silence_cmd(out: Path, seconds: float, bitrate_kbps: int) -> list[str]:
    """Encode digital silence as AAC-LC 48 kHz stereo ADTS (to pick a steady-state frame)."""
    src = ffmpeg_python.input(f"anullsrc=r={AUDIO_RATE}:cl=stereo", format="lavfi", t=seconds)
    out_stream = ffmpeg_python.output(
        src.audio,
        str(out),
        format="adts",
        ac=2,
        ar=AUDIO_RATE,
        **{"c:a": "aac", "b:a": f"{bitrate_kbps}k"},
    )
    return _compile(out_stream)


def _bed_source(music: Path, samples: int) -> Any:
    """One period of the music: 48 kHz stereo, cut to exactly ``samples``."""
    return (
        ffmpeg_python.input(str(music))
        .audio.filter("aresample", AUDIO_RATE)
        .filter("aformat", sample_fmts="fltp", channel_layouts="stereo")
        .filter("atrim", end_sample=samples)
        .filter("asetpts", "N/SR/TB")
    )


def loudness_measure_cmd(music: Path, samples: int, target_lufs: float) -> list[str]:
    """First loudnorm pass: prints the measured loudness as JSON on stderr."""
    stream = _bed_source(music, samples).filter(
        "loudnorm", I=target_lufs, TP=-2, LRA=11, print_format="json"
    )
    args = ffmpeg_python.compile(
        ffmpeg_python.output(stream, "-", format="null"), cmd=FFMPEG, overwrite_output=True
    )
    return [args[0], "-hide_banner", "-nostdin", "-loglevel", "info", *args[1:]]


def music_bed_cmd(
    music: Path,
    out: Path,
    samples: int,
    measured: dict[str, str],
    target_lufs: float,
    bitrate_kbps: int,
) -> list[str]:
    """Second loudnorm pass, linear, over three periods so the middle one loops seamlessly."""
    stream = (
        _bed_source(music, samples)
        .filter("aloop", loop=2, size=samples)
        .filter(
            "loudnorm",
            I=target_lufs,
            TP=-2,
            LRA=11,
            linear="true",
            measured_I=measured["input_i"],
            measured_TP=measured["input_tp"],
            measured_LRA=measured["input_lra"],
            measured_thresh=measured["input_thresh"],
            offset=measured["target_offset"],
        )
        .filter("aresample", AUDIO_RATE)
    )
    out_stream = ffmpeg_python.output(
        stream,
        str(out),
        format="adts",
        ac=2,
        ar=AUDIO_RATE,
        **{"c:a": "aac", "b:a": f"{bitrate_kbps}k"},
    )
    return _compile(out_stream)


def live_encode_cmd(png: Path, out: str, seconds: float, enc: EncodingProfile) -> list[str]:
    """The conventional way (benchmark baseline): encode a looping still live to MPEG-TS."""
    video = ffmpeg_python.input(str(png), loop=1, framerate=FPS, re=None)
    audio = ffmpeg_python.input(f"anullsrc=r={AUDIO_RATE}:cl=stereo", format="lavfi")
    out_stream = ffmpeg_python.output(
        _scaled(video.video, enc),
        audio.audio,
        out,
        format="mpegts",
        t=seconds,
        r=FPS,
        **{"c:a": "aac", "b:a": f"{enc.audio_kbps}k"},
        **_video_args(enc),
    )
    return _compile(out_stream)


def full_page_cmd(png: Path, out: Path, seconds: float, enc: EncodingProfile) -> list[str]:
    """The naive way (benchmark baseline): encode a page for its whole on-air duration."""
    video = ffmpeg_python.input(str(png), loop=1, framerate=FPS)
    audio = ffmpeg_python.input(f"anullsrc=r={AUDIO_RATE}:cl=stereo", format="lavfi")
    out_stream = ffmpeg_python.output(
        _scaled(video.video, enc),
        audio.audio,
        str(out),
        format="mpegts",
        t=seconds,
        r=FPS,
        **{"c:a": "aac", "b:a": f"{enc.audio_kbps}k"},
        **_video_args(enc),
    )
    return _compile(out_stream)


def probe_cmd(target: str, *, packets: bool = False) -> list[str]:
    """ffprobe as JSON: streams and format, plus every packet when ``packets``."""
    cmd = [
        FFPROBE,
        "-hide_banner",
        "-loglevel",
        "error",
        "-of",
        "json",
        "-show_streams",
        "-show_format",
    ]
    if packets:
        cmd += ["-show_entries", "packet=stream_index,pts,dts,duration,flags,size"]
        cmd += ["-show_packets"]
    return [*cmd, target]


# --- audio: narration, the generated bed, loudness --------------------------------------


def pcm_decode_cmd(src: Path, channels: int = 1) -> list[str]:
    """Decode any audio file to raw 48 kHz float32 on stdout (a speech engine's WAV)."""
    return [FFMPEG, *QUIET, "-i", str(src), "-map", "0:a:0", "-ac", str(channels),
            "-ar", str(AUDIO_RATE), "-f", "f32le", "-"]  # fmt: skip


def audio_remux_cmd(src: Path, out: Path, container: str) -> list[str]:
    """Copy ``src``'s first audio stream, undecoded, into a fresh ``container`` file: a
    browser's MediaRecorder WebM, written as it streamed, gains its duration and cues."""
    return [FFMPEG, *QUIET, "-i", str(src), "-map", "0:a:0", "-c", "copy", "-f", container,
            "-y", str(out)]  # fmt: skip


def pcm_encode_cmd(out: Path, bitrate_kbps: int, channels: int = 2) -> list[str]:
    """Encode raw 48 kHz float32 from stdin as AAC-LC ADTS (the channel's audio format).

    The fast coder: twice as quick as the default at 128 kbit/s, with no audible loss on a
    voice over a pad, and an alert's narration is encoded while the channel waits for it."""
    return [FFMPEG, *QUIET, "-f", "f32le", "-ar", str(AUDIO_RATE), "-ac", str(channels),
            "-i", "-", "-c:a", "aac", "-aac_coder", "fast", "-b:a", f"{bitrate_kbps}k",
            "-ar", str(AUDIO_RATE),
            "-ac", "2", "-f", "adts", "-y", str(out)]  # fmt: skip


def ebur128_cmd(src: str | Path | None, channels: int = 2, *, framelog: bool = False) -> list[str]:
    """Measure loudness (EBU R128 / ITU BS.1770: integrated, LRA, true peak) with ``ebur128``.

    ``src`` None reads raw 48 kHz float32 from stdin; otherwise the first audio stream of a
    file (the live TS, an HLS segment). The summary goes to stderr; with ``framelog`` the
    momentary loudness of every 100 ms too.
    """
    source = (["-f", "f32le", "-ar", str(AUDIO_RATE), "-ac", str(channels), "-i", "-"]
              if src is None else ["-i", str(src)])  # fmt: skip
    level = "info" if framelog else "verbose"  # frames print only at their log level
    return [FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "info", *source, "-map", "0:a:0",
            "-af", f"ebur128=peak=true:framelog={level}", "-f", "null", "-"]  # fmt: skip
