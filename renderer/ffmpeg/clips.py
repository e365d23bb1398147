"""ffmpeg and ffprobe command lines for uploaded clips (video and recorded audio).

Pure builders returning ``list[str]``, like :mod:`renderer.ffmpeg.commands`; running them is
:mod:`renderer.ffmpeg.runner`'s business.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from renderer.ffmpeg.commands import COLOUR_TAGS, FFMPEG, FFPROBE, QUIET, _video_args
from renderer.timing import AUDIO_RATE, FPS, UNIT_FRAMES

if TYPE_CHECKING:
    from renderer.encode import EncodingProfile


def upload_probe_cmd(src: Path) -> list[str]:
    """ffprobe an upload as JSON, reading every packet (``-count_packets``) without decoding.

    Counting packets reads the whole file, so a truncated file shows fewer packets than its
    header declares (and a "partial file" error), and the real frame count is known."""
    return [FFPROBE, "-hide_banner", "-loglevel", "error", "-count_packets",
            "-of", "json", "-show_streams", "-show_format", str(src)]  # fmt: skip


# --- transcoding an uploaded clip into the channel's units ------------------------------

CLIP_CRF = 21  # moving pictures: x264's usual visually-clean rate, under the unit's VBV cap
# A slide's unit is mostly one intra picture; a clip sends new pictures all the time, so its
# rate is capped to fit the channel's default 2 Mbit/s constant-rate UDP mux with its sound.
CLIP_MAXRATE_KBPS = 1200
CLIP_MPEG2_KBPS = 1000  # an average: the header's VBV (the stills') allows big peaks, so
CLIP_MPEG2_QMIN = 8  # the quantiser never goes finer than this (an intra picture's bits)
PEAK_LIMIT = 0.79  # -2 dBFS: headroom for the AAC encoder, as the channel's loudnorm keeps
CLIP_FADE_S = 0.08  # the clip's sound fades in and out so the cut from the bed never clicks


@dataclass(frozen=True)
class ClipCut:
    """Which part of the source airs, and how long the output must be (whole units)."""

    start_s: float
    span_s: float  # source seconds taken from ``start_s``
    frames: int  # video frames written (a multiple of UNIT_FRAMES), 25 fps
    samples: int  # audio samples written at 48 kHz (frames' duration plus one AAC frame)


def _fit_expr(enc: EncodingProfile) -> tuple[str, str]:
    """scale= width and height expressions that fit any picture inside the coded frame,
    keeping its shape on the profile's pixel aspect (pillar- or letterboxed by pad=)."""
    s = enc.sar[0] / enc.sar[1]
    w = f"2*trunc(min({enc.width}\\,{enc.height}*dar/{s:.6f})/2)"
    h = f"2*trunc(min({enc.height}\\,{enc.width}*{s:.6f}/dar)/2)"
    return w, h


def clip_loudness_cmd(src: Path, cut: ClipCut, target_lufs: float) -> list[str]:
    """Measure the part that airs (loudnorm's analysis: integrated loudness, true peak) as
    JSON on stderr; the transcode then applies the gain that brings it to the target."""
    return [FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "info",
            "-ss", f"{cut.start_s:.3f}", "-t", f"{cut.span_s:.3f}", "-i", str(src),
            "-map", "0:a:0", "-af",
            f"aresample={AUDIO_RATE},loudnorm=I={target_lufs}:TP=-2:LRA=11:print_format=json",
            "-f", "null", "-"]  # fmt: skip


def clip_transcode_cmd(
    src: Path,
    cut: ClipCut,
    video_out: Path,
    audio_out: Path,
    enc: EncodingProfile,
    *,
    gain_db: float | None,
    caption_png: Path | None = None,
    progress: Path | None = None,
) -> list[str]:
    """One pass: the clip as the channel's video (25 fps constant, fitted and boxed on the
    coded frame, upright, closed 16-frame GOPs with the units' encoder settings) and its
    sound as 48 kHz stereo AAC, raised or lowered by ``gain_db`` (the channel's loudness
    less the clip's measured integrated loudness), its rare peaks above -2 dBFS limited;
    None: the clip has no sound and airs silence.

    Rotation is ffmpeg's autorotate on the input (display matrix or ``rotate`` tag). The
    last picture is held to fill the last unit; the sound is padded with silence.
    """
    matrix = COLOUR_TAGS[enc.colour][0]
    w, h = _fit_expr(enc)
    sar = f"{enc.sar[0]}/{enc.sar[1]}"
    inputs = ["-ss", f"{cut.start_s:.3f}", "-t", f"{cut.span_s:.3f}", "-i", str(src)]
    graph = [
        f"[0:v]setpts=PTS-STARTPTS,fps={FPS},"
        f"scale=w={w}:h={h}:flags=lanczos:out_color_matrix={matrix}:out_range=tv,"
        f"setsar={sar},pad={enc.width}:{enc.height}:(ow-iw)/2:(oh-ih)/2:black[pic]"
    ]
    picture = "[pic]"
    if caption_png is not None:
        inputs += ["-i", str(caption_png)]
        graph.append(f"[1:v]scale={enc.width}:{enc.height},setsar={sar}[cap]")
        graph.append("[pic][cap]overlay=0:0:eof_action=repeat[capped]")
        picture = "[capped]"
    graph.append(f"{picture}format=yuv420p,tpad=stop_mode=clone:stop={UNIT_FRAMES}[v]")
    audio_seconds = cut.samples / AUDIO_RATE
    if gain_db is None:
        inputs += ["-f", "lavfi", "-i", f"anullsrc=r={AUDIO_RATE}:cl=stereo"]
        sound = "[2:a]" if caption_png is not None else "[1:a]"
        graph.append(f"{sound}atrim=end_sample={cut.samples}[a]")
    else:
        fade_out = max(0.0, cut.span_s - CLIP_FADE_S)
        graph.append(
            f"[0:a]asetpts=PTS-STARTPTS,aresample={AUDIO_RATE},"
            f"aformat=sample_fmts=fltp:channel_layouts=stereo,"
            f"volume={gain_db:.2f}dB,alimiter=limit={PEAK_LIMIT}:level=false,afade=t=in:d={CLIP_FADE_S},"
            f"afade=t=out:st={fade_out:.3f}:d={CLIP_FADE_S},"
            f"apad=whole_len={cut.samples},atrim=end_sample={cut.samples}[a]"
        )
    video_args = _video_args(enc)
    if enc.codec == "h264":  # same SPS as the stills' units; only rate control differs
        kbps = min(enc.maxrate_kbps, CLIP_MAXRATE_KBPS)
        video_args = {**video_args, "crf": CLIP_CRF, "tune": "film", "maxrate": f"{kbps}k",
                      "bufsize": f"{round(kbps * UNIT_FRAMES / FPS)}k"}  # fmt: skip
    else:  # MPEG-2 writes maxrate and buffer in its sequence header: an average rate instead
        video_args = {k: v for k, v in video_args.items() if k != "q:v"}
        video_args.update({"b:v": f"{CLIP_MPEG2_KBPS}k", "qmin": CLIP_MPEG2_QMIN})
    fmt = "h264" if enc.codec == "h264" else "mpeg2video"
    out_video = ["-map", "[v]", "-frames:v", str(cut.frames), "-r", str(FPS),
                 *_flags(video_args), "-f", fmt, str(video_out)]  # fmt: skip
    out_audio = ["-map", "[a]", "-c:a", "aac", "-b:a", f"{enc.audio_kbps}k",
                 "-ar", str(AUDIO_RATE), "-ac", "2", "-t", f"{audio_seconds:.6f}",
                 "-f", "adts", str(audio_out)]  # fmt: skip
    report = ["-progress", str(progress), "-stats_period", "0.5"] if progress else []
    return [FFMPEG, *QUIET, *report, "-y", *inputs, "-filter_complex", ";".join(graph),
            *out_video, *out_audio]  # fmt: skip


def _flags(options: dict[str, Any]) -> list[str]:
    return [arg for key, value in options.items() for arg in (f"-{key}", str(value))]


def clip_poster_cmd(unit: Path, out: Path, enc: EncodingProfile) -> list[str]:
    """The first picture of a clip unit as a PNG the shape of the picture (square pixels),
    for thumbnails in the admin (as a slide's page PNG)."""
    width = round(enc.width * enc.sar[0] / enc.sar[1])
    fmt = "h264" if enc.codec == "h264" else "mpegvideo"
    return [FFMPEG, *QUIET, "-y", "-f", fmt, "-i", str(unit), "-frames:v", "1",
            "-vf", f"scale={width}:{enc.height}", "-f", "image2", "-c:v", "png",
            str(out)]  # fmt: skip


def review_copy_cmd(units: Path, sound: Path, out: Path, enc: EncodingProfile) -> list[str]:
    """An MP4 a browser plays, for the reviewer: the aired H.264 and AAC stream-copied (no
    second encode), or for an MPEG-2 channel a quick small H.264 of the same pictures."""
    fmt = "h264" if enc.codec == "h264" else "mpegvideo"
    video = (
        ["-c:v", "copy"]
        if enc.codec == "h264"
        else [
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "26",
            "-pix_fmt",
            "yuv420p",
            "-vf",
            f"scale={round(enc.width * enc.sar[0] / enc.sar[1]) // 2 * 2}:{enc.height}",
        ]
    )
    return [FFMPEG, *QUIET, "-y", "-fflags", "+genpts", "-r", str(FPS), "-f", fmt,
            "-i", str(units), "-i", str(sound), "-map", "0:v", "-map", "1:a", *video,
            "-c:a", "copy", "-movflags", "+faststart", "-f", "mp4", str(out)]  # fmt: skip
