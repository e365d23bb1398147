"""An uploaded clip, transcoded once into a *clip*: a run of distinct units plus its sound.

A still page is one unit aired again and again; a clip is N different units aired once each,
in order, with an AAC track of exactly N x 30 frames that replaces the bed while it airs.
Each unit is an ordinary unit file (16 pictures, a closed GOP opening with the channel's
format headers), so playout stream-copies a clip exactly as it airs a page, and a clip of
any length costs it one small file read per 0.64 s.

On disk: ``cache_dir/clips/<encoding tag>/<key>/`` holds ``00000.h264`` … , ``audio.adts``
and, written last, ``clip.json``; a folder without a readable ``clip.json`` is not a clip
(a transcode cut short by a time limit or a power cut) and is made again. ``progress.txt``
is ffmpeg's ``-progress`` report while it runs (see :func:`progress_of`).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from renderer import ffmpeg, media_probe
from renderer.atomic import replacing, write_atomic
from renderer.bitstream import EncodeError, adts_frames, format_header, pictures
from renderer.captions import Caption, draw_caption
from renderer.encode import TARGET_LUFS, EncodingProfile, ensure_slate_unit
from renderer.timing import (
    AAC_FRAME_SAMPLES,
    FPS,
    UNIT_AAC_FRAMES,
    UNIT_FRAMES,
    UNIT_SECONDS,
    units_for,
)

CLIP_FORMAT = 1  # bump when the folder layout or the transcode changes meaning
# Seconds of transcoding allowed per second of clip, plus a start-up allowance: the 1080p
# encode runs at ~1x real time on one slow core; this leaves room for a busy machine.
TIMEOUT_PER_SECOND = 6.0
TIMEOUT_BASE_S = 60.0
# The item's caption style (renderer.fields.CAPTION_STYLES, staff's words) -> the drawing.
CAPTION_STYLE_OF: dict[str, Caption] = {"顶部标题条": "strip", "下方字幕条": "lower_third"}


@dataclass(frozen=True)
class ClipRequest:
    """What to make of an upload: the part between ``in_s`` and ``out_s`` (None: to the
    end), with ``caption`` burned in as a title strip or a lower third when asked."""

    source: Path
    source_id: str  # names the upload's content: stored uploads are never overwritten
    in_s: float = 0.0
    out_s: float | None = None
    caption: str = ""
    caption_style: Caption = ""

    def key(self, enc: EncodingProfile) -> str:
        """Names the clip: equal keys, equal output (the encoding profile is in the folder)."""
        body = json.dumps([CLIP_FORMAT, self.source_id, round(self.in_s, 3),
                           None if self.out_s is None else round(self.out_s, 3),
                           self.caption if self.caption_style else "", self.caption_style,
                           TARGET_LUFS])  # fmt: skip
        return hashlib.sha256(body.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Clip:
    """A transcoded clip ready to air."""

    folder: Path
    units: int

    @property
    def duration_s(self) -> float:
        return round(self.units * UNIT_SECONDS, 2)

    def unit(self, n: int, enc: EncodingProfile) -> Path:
        return self.folder / f"{n:05d}.{enc.ext}"

    @property
    def audio(self) -> Path:
        return self.folder / "audio.adts"

    @property
    def review_copy(self) -> Path:
        """An MP4 of the clip as it airs, for the reviewer's browser."""
        return self.folder / "review.mp4"

    @property
    def page_key(self) -> str:
        """The clip's key as a page of the plan (and its poster PNG in the page store)."""
        return hashlib.sha256(f"clip:{self.folder.parent.name}:{self.folder.name}".encode()
                              ).hexdigest()  # fmt: skip


def clip_folder(cache_dir: Path, enc: EncodingProfile, key: str) -> Path:
    return cache_dir / "clips" / enc.tag / key


def load_clip(folder: Path) -> Clip | None:
    """The finished clip in ``folder``, or None (not made, or cut short)."""
    try:
        meta = json.loads((folder / "clip.json").read_text("utf-8"))
        if meta.get("format") != CLIP_FORMAT:
            return None
        return Clip(folder, int(meta["units"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def plan_cut(duration_s: float, in_s: float, out_s: float | None) -> ffmpeg.ClipCut:
    """The span to take and the whole-unit output it becomes (pure)."""
    end = duration_s if out_s is None else min(out_s, duration_s)
    start = max(0.0, min(in_s, end))
    span = end - start
    if span < UNIT_SECONDS:
        raise media_probe.MediaRejected("剪辑后的片段太短（不到 1 秒），请检查入点和出点。")
    units = units_for(span)
    # One AAC frame more than the units hold: the encoder's first frame is its priming
    # delay, which is dropped so the sound starts with the first picture.
    samples = (units * UNIT_AAC_FRAMES + 1) * AAC_FRAME_SAMPLES
    return ffmpeg.ClipCut(round(start, 3), round(span, 3), units * UNIT_FRAMES, samples)


def transcode_timeout(span_s: float) -> float:
    return TIMEOUT_BASE_S + TIMEOUT_PER_SECOND * span_s


def transcode_clip(
    request: ClipRequest,
    cache_dir: Path,
    enc: EncodingProfile,
) -> Clip:
    """Make (or find) the clip for ``request``: probe, measure loudness, transcode, split.

    The caption, if asked for, is drawn with :func:`draw_caption`. Raises
    :class:`~renderer.media_probe.MediaRejected` for an unusable source, ``EncodeError``
    if the output is not shaped as the channel needs, ``FFmpegError`` if ffmpeg fails.
    """
    folder = clip_folder(cache_dir, enc, request.key(enc))
    done = load_clip(folder)
    if done is not None:
        return done
    info = media_probe.probe_upload(request.source, want="video",
                                    max_seconds=media_probe.VIDEO_MAX_SECONDS,
                                    max_bytes=media_probe.VIDEO_MAX_BYTES)  # fmt: skip
    cut = plan_cut(info.duration_s, request.in_s, request.out_s)
    shutil.rmtree(folder, ignore_errors=True)  # a transcode cut short: start clean
    folder.mkdir(parents=True)
    try:
        return _make(request, info, cut, folder, cache_dir, enc)
    except BaseException:  # a failed or interrupted transcode leaves nothing behind
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _make(request: ClipRequest, info: media_probe.MediaInfo, cut: ffmpeg.ClipCut,
          folder: Path, cache_dir: Path, enc: EncodingProfile) -> Clip:  # fmt: skip
    caption_png = None
    if request.caption_style and request.caption.strip():
        caption_png = draw_caption(
            request.caption.strip(), request.caption_style, enc, folder / "caption.png"
        )
    gain_db = None
    if info.has_audio:
        run = ffmpeg.run(ffmpeg.clip_loudness_cmd(request.source, cut, TARGET_LUFS),
                         timeout=transcode_timeout(cut.span_s))  # fmt: skip
        measured = measured_loudness(run.stderr)["input_i"]
        if measured not in ("-inf", "inf"):  # a silent track airs as silence
            gain_db = TARGET_LUFS - float(measured)
    video, sound = folder / f"clip.{enc.ext}", folder / "clip.adts"
    write_atomic(folder / "job.json", json.dumps({"frames": cut.frames}).encode())
    cmd = ffmpeg.clip_transcode_cmd(request.source, cut, video, sound, enc, gain_db=gain_db,
                                    caption_png=caption_png,
                                    progress=folder / "progress.txt")  # fmt: skip
    ffmpeg.run(cmd, timeout=transcode_timeout(cut.span_s))
    units = _split(video, folder, enc, cut.frames // UNIT_FRAMES, cache_dir)
    frames = adts_frames(sound.read_bytes())
    want = units * UNIT_AAC_FRAMES
    if len(frames) < want + 1:
        raise EncodeError(f"clip sound: {len(frames)} AAC frames, want {want + 1}")
    write_atomic(folder / "audio.adts", b"".join(frames[1 : want + 1]))
    with replacing(folder / "review.mp4", suffix=".mp4") as review:
        ffmpeg.run(ffmpeg.review_copy_cmd(video, folder / "audio.adts", review, enc),
                   timeout=transcode_timeout(cut.span_s))  # fmt: skip
    for work in (video, sound, folder / "caption.png", folder / "progress.txt"):
        work.unlink(missing_ok=True)
    meta = {"format": CLIP_FORMAT, "units": units, "fps": FPS, "source_s": info.duration_s,
            "in_s": cut.start_s, "span_s": cut.span_s, "rotation": info.rotation}  # fmt: skip
    write_atomic(folder / "clip.json", json.dumps(meta).encode())
    return Clip(folder, units)


def _split(video: Path, folder: Path, enc: EncodingProfile, units: int, cache_dir: Path) -> int:
    """Cut the encoded stream into unit files; each must open with the channel's format
    (the SPS or MPEG-2 sequence header, which playout holds every unit to; the PPS may
    differ, since every unit carries its own)."""
    channel_header = _format(ensure_slate_unit(cache_dir, enc), enc)
    pics = pictures(video.read_bytes(), enc.codec)
    if len(pics) != units * UNIT_FRAMES:
        raise EncodeError(f"clip: {len(pics)} pictures, want {units * UNIT_FRAMES}")
    for n in range(units):
        gop = pics[n * UNIT_FRAMES : (n + 1) * UNIT_FRAMES]
        if _format(gop[0], enc) != channel_header:
            raise EncodeError(f"clip unit {n}: video format differs from the channel's")
        write_atomic(folder / f"{n:05d}.{enc.ext}", b"".join(gop))
    return units


def _format(unit: Path | bytes, enc: EncodingProfile) -> bytes:
    data = unit.read_bytes() if isinstance(unit, Path) else unit
    header = format_header(pictures(data, enc.codec)[0], enc.codec)
    pps = header.find(b"\x00\x00\x01\x68") if enc.codec == "h264" else -1
    return header[:pps].rstrip(b"\x00") if pps > 0 else header


def measured_loudness(stderr: str) -> dict[str, str]:
    """The JSON block loudnorm's first pass prints."""
    match = re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", stderr)
    if not match:
        raise EncodeError("loudnorm printed no measurement")
    return json.loads(match.group(0))


def progress_of(folder: Path) -> float | None:
    """How far a running transcode is (0..1), from ffmpeg's ``-progress`` report and the
    frame count the job wrote first; None when it has not started (or has finished)."""
    try:
        frames_total = int(json.loads((folder / "job.json").read_text("utf-8"))["frames"])
        text = (folder / "progress.txt").read_text("utf-8", "replace")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    found = re.findall(r"^frame=(\d+)", text, flags=re.M)
    if not found or frames_total <= 0:
        return 0.0
    return min(1.0, int(found[-1]) / frames_total)


def request_for_item(item: dict[str, Any]) -> ClipRequest:
    """The clip a video item (its cleaned ``data``, see renderer.fields) asks for."""
    source = Path(str(item.get("video") or ""))
    caption = str(item.get("caption") or "").strip() or str(item.get("title") or "")
    style = CAPTION_STYLE_OF.get(str(item.get("caption_style") or ""), "")
    return ClipRequest(source, source.name, float(item.get("trim_in") or 0.0),
                       item.get("trim_out"), caption, style)  # fmt: skip


def clip_pages(item: dict[str, Any], cache_dir: Path, enc: EncodingProfile) -> list[dict[str, Any]]:
    """A video item as the plan's one page (``PlannedPage`` fields): its clip, made first
    if need be, and a poster in the page store for the admin's thumbnails. An unusable
    upload raises ItemError with the probe's Chinese message."""
    from renderer.cache import page_path
    from renderer.items import ItemError

    try:
        clip = transcode_clip(request_for_item(item), cache_dir, enc)
    except media_probe.MediaRejected as exc:
        raise ItemError(exc.message_zh) from exc
    poster = page_path(cache_dir, clip.page_key)
    if not poster.is_file():
        poster.parent.mkdir(parents=True, exist_ok=True)
        with replacing(poster, suffix=".png") as tmp:
            ffmpeg.run(ffmpeg.clip_poster_cmd(clip.unit(0, enc), tmp, enc), timeout=60)
    return [{"key": clip.page_key, "png": str(poster), "unit": str(clip.unit(0, enc)),
             "duration_s": clip.duration_s, "page_no": 1, "page_count": 1,
             "audio": str(clip.audio), "clip": str(clip.folder)}]  # fmt: skip
