"""Encode each page once into a cached unit, and the channel's audio bed once.

A *unit* is 0.64 s of video (16 frames: one intra frame then 15 P frames, closed GOP) as a
raw elementary stream. The encoder only ever makes the page's intra picture (pages are
encoded in batches, one picture each); the 15 P pictures, which just repeat it, come from a
per-profile template (see ``_template``). Playout airs a page by repeating its unit with
fresh timestamps, so air time costs no encoding at all. Audio is not part of a unit: the
feed takes it from the *bed* (the generated music of ``renderer.audio``, a loudness-normalised
music file, or silence), or from a narrated page's own track, so every unit has exactly 30
AAC frames and nothing can drift.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from renderer import ffmpeg
from renderer.atomic import temp_beside, write_atomic
from renderer.bitstream import EncodeError, adts_frames, format_header, pictures
from renderer.timing import AAC_FRAME_SAMPLES, UNIT_AAC_FRAMES, UNIT_FRAMES

BATCH_PAGES = 16  # pages per ffmpeg run: x264 starts once per batch, memory stays small
TARGET_LUFS = -24.0  # broadcast loudness (GY/T 282 / EBU R128 family)
SILENCE_PROBE_SECONDS = 1.0  # long enough to get well past the encoder's priming frames
MAX_BED_UNITS = 300  # a 192 s music loop; longer adds memory, not variety


@dataclass(frozen=True)
class EncodingProfile:
    """How pages of one renderer profile become units. Changing a field changes ``tag``."""

    name: str
    codec: Literal["h264", "mpeg2"]
    width: int
    height: int
    sar: tuple[int, int]
    colour: Literal["bt709", "bt601"]
    quality: int  # x264 CRF, or MPEG-2 fixed quantiser
    maxrate_kbps: int
    bufsize_kbit: int
    muxrate_bps: int  # constant UDP mux rate that comfortably holds video + audio
    h264_profile: str = "high"
    h264_level: str = "4.0"
    audio_kbps: int = 128
    # Shown on interlaced sets (576i): a gentle vertical low-pass so a 1-px horizontal
    # stroke of a character lies in both fields instead of flickering at 25 Hz (twitter).
    vertical_lowpass: bool = False

    @property
    def ext(self) -> str:
        return "h264" if self.codec == "h264" else "m2v"

    @property
    def tag(self) -> str:
        """Cache directory name: the profile name plus a digest of every setting."""
        digest = hashlib.sha1(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()
        return f"{self.name}-{digest[:8]}"


# quality: x264 CRF for the single intra picture (14 looks like CRF 20 did with the GOP's
# mbtree boost: ~60 dB PSNR on text), or the MPEG-2 quantiser. bufsize = maxrate x one
# unit, so a unit (almost all of it the intra picture) always fits the decoder's buffer.
PROFILES: dict[str, EncodingProfile] = {
    p.name: p
    for p in (
        EncodingProfile("1080p", "h264", 1920, 1080, (1, 1), "bt709", 14, 6000, 3840, 8_000_000),
        EncodingProfile("720p", "h264", 1280, 720, (1, 1), "bt709", 14, 4000, 2560, 6_000_000,
                        h264_level="3.1"),
        EncodingProfile("sd-h264", "h264", 720, 576, (64, 45), "bt601", 14, 2500, 1600,
                        4_000_000, h264_profile="main", h264_level="3.0", vertical_lowpass=True),
        # MPEG-2 MP@ML: vbv buffer at most 1835 kbit. 1024x576 pages -> 16:9, 768x576 -> 4:3.
        EncodingProfile("sd", "mpeg2", 720, 576, (64, 45), "bt601", 3, 6000, 1835, 8_000_000,
                        vertical_lowpass=True),
        EncodingProfile("sd43", "mpeg2", 720, 576, (16, 15), "bt601", 3, 6000, 1835, 8_000_000,
                        vertical_lowpass=True),
    )
}  # fmt: skip


# Renderer output profile (renderer.profiles) -> encoding profile, when a channel names no
# other: SD boxes that take H.264 get it, 4:3 SD gets MPEG-2 for the oldest boxes.
DEFAULT_FOR_RENDER_PROFILE = {
    "1080p": "1080p",
    "720p": "720p",
    "576i-16x9": "sd-h264",
    "576i-4x3": "sd43",
}


def encoding_for_plan(profile: str) -> EncodingProfile:
    """The encoding profile for a plan's profile name (a renderer or an encoding profile)."""
    name = DEFAULT_FOR_RENDER_PROFILE.get(profile, profile)
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"no encoding profile for {profile!r}") from None


def unit_path(key: str, cache_dir: Path, enc: EncodingProfile) -> Path:
    """Where the unit for page ``key`` lives in the cache."""
    return cache_dir / "units" / enc.tag / key[:2] / f"{key}.{enc.ext}"


def unit_is_whole(path: Path, enc: EncodingProfile) -> bool:
    """Whether the file at ``path`` is a whole unit: 16 pictures, the first with its headers.

    A unit cut short (a power cut before its data reached the disk, a full disk) fails
    this and counts as not cached, so it is encoded again rather than aired as filler.
    """
    try:
        gop = pictures(path.read_bytes(), enc.codec)
        return len(gop) == UNIT_FRAMES and bool(format_header(gop[0], enc.codec))
    except (OSError, EncodeError):
        return False


def _adts_whole(path: Path, frames: int | None = None) -> bool:
    """Whether ``path`` holds whole ADTS frames (exactly ``frames`` of them, if given)."""
    try:
        found = adts_frames(path.read_bytes())
    except (OSError, EncodeError):
        return False
    return bool(found) and (frames is None or len(found) == frames)


def _still(path: Path, enc: EncodingProfile, busy: bool) -> Path:
    from PIL import Image, ImageDraw  # the renderer's imaging library

    img = Image.new("RGB", (enc.width, enc.height), (128, 128, 128))
    if busy:  # a probe with edges and colour everywhere
        draw = ImageDraw.Draw(img)
        for x in range(0, enc.width, 24):
            draw.line((x, 0, enc.width - x, enc.height), fill=(x % 255, 40, 200), width=3)
            draw.text((x, (x * 7) % enc.height), "乡村频道 0123", fill=(255, 255, 255))
    img.save(path, format="PNG")
    return path


def _template(cache_dir: Path, enc: EncodingProfile) -> tuple[bytes, bytes]:
    """The format header and the 15 'copy the previous picture' P pictures of a unit.

    Once per profile, a flat grey page is encoded as a full 16-frame GOP; its P pictures
    carry no picture content (every macroblock skipped), so they can follow any page's
    intra picture. That is proven once, on a busy probe page, by decoding: all 16 frames
    must come out identical. Every page then costs the encoder a single intra picture.
    """
    path = cache_dir / "units" / enc.tag / f"template.{enc.ext}"
    if not unit_is_whole(path, enc):
        work = temp_beside(path, f".{enc.ext}")
        flat, busy = temp_beside(path, ".flat.png"), temp_beside(path, ".busy.png")
        try:
            ffmpeg.run(ffmpeg.units_cmd([_still(flat, enc, False)], work, enc), timeout=120)
            gop = pictures(work.read_bytes(), enc.codec)
            ffmpeg.run(ffmpeg.units_cmd([_still(busy, enc, True)], work, enc, hold=1))
            (probe,) = pictures(work.read_bytes(), enc.codec)
            if format_header(probe, enc.codec) != format_header(gop[0], enc.codec):
                raise EncodeError("single-picture and full-GOP encodes differ in format")
            work.write_bytes(probe + b"".join(gop[1:]))
            if len(set(ffmpeg.frame_hashes(work))) != 1 or len(gop) != UNIT_FRAMES:
                raise EncodeError(f"{enc.name}: template P pictures are not pure copies")
            write_atomic(path, b"".join(gop))
        finally:
            for tmp in (work, flat, busy):
                tmp.unlink(missing_ok=True)
    gop = pictures(path.read_bytes(), enc.codec)
    return format_header(gop[0], enc.codec), b"".join(gop[1:])


def ensure_units(
    pages: Sequence[tuple[Path, str]], cache_dir: Path, enc: EncodingProfile
) -> list[Path]:
    """The cached unit for each ``(png, key)``, encoding the missing ones in batches.

    Safe to call from parallel jobs: each unit is written under a temporary name, flushed
    and renamed into place, so a reader sees a whole unit or none, even after a power cut.
    A unit on disk that is not whole (:func:`unit_is_whole`) is encoded again. A cache hit
    runs no ffmpeg.
    """
    outs = [unit_path(key, cache_dir, enc) for _, key in pages]
    missing: dict[str, Path] = {}
    for (png, key), out in zip(pages, outs, strict=True):
        if key not in missing and not unit_is_whole(out, enc):
            missing.setdefault(key, png)
    todo = list(missing.items())
    for start in range(0, len(todo), BATCH_PAGES):
        _encode_batch(todo[start : start + BATCH_PAGES], cache_dir, enc)
    return outs


def ensure_unit(png: Path, key: str, cache_dir: Path, enc: EncodingProfile) -> Path:
    """Return the cached unit for one page, encoding it first if it is not cached yet."""
    return ensure_units([(png, key)], cache_dir, enc)[0]


def _encode_batch(batch: list[tuple[str, Path]], cache_dir: Path, enc: EncodingProfile) -> None:
    header, tail = _template(cache_dir, enc)
    tmp = temp_beside(cache_dir / "units" / enc.tag / f"batch.{enc.ext}", f".{enc.ext}")
    try:
        cmd = ffmpeg.units_cmd([png for _, png in batch], tmp, enc, hold=1)
        ffmpeg.run(cmd, timeout=60 + 5 * len(batch))
        intra = pictures(tmp.read_bytes(), enc.codec)
    finally:
        tmp.unlink(missing_ok=True)
    if len(intra) != len(batch):
        raise EncodeError(f"batch of {len(batch)} pages gave {len(intra)} pictures")
    for (key, png), picture in zip(batch, intra, strict=True):
        if format_header(picture, enc.codec) != header:
            raise EncodeError(f"{png}: encoded with a different format header")
        write_atomic(unit_path(key, cache_dir, enc), picture + tail)


def ensure_slate_unit(cache_dir: Path, enc: EncodingProfile) -> Path:
    """A black unit: what airs when neither the page nor the filler can be read."""
    from PIL import Image

    key = "slate-black"
    out = unit_path(key, cache_dir, enc)
    if unit_is_whole(out, enc):
        return out
    png = temp_beside(out, ".png")
    try:
        Image.new("RGB", (enc.width, enc.height), (16, 16, 16)).save(png, format="PNG")
        return ensure_unit(png, key, cache_dir, enc)
    finally:
        png.unlink(missing_ok=True)


# --- audio bed -----------------------------------------------------------------------


def ensure_silence(cache_dir: Path, bitrate_kbps: int = 128) -> Path:
    """One steady-state silent AAC-LC frame (48 kHz stereo), encoded once and cached.

    The first frames out of the encoder carry its priming; from the middle of a second of
    silence every frame is identical, so one of them repeated is seamless silence.
    """
    out = cache_dir / "audio" / f"silence-{bitrate_kbps}k.adts"
    if _adts_whole(out, 1):
        return out
    tmp = temp_beside(out, ".adts")
    try:
        ffmpeg.run(ffmpeg.silence_cmd(tmp, SILENCE_PROBE_SECONDS, bitrate_kbps), timeout=60)
        frames = adts_frames(tmp.read_bytes())
    finally:
        tmp.unlink(missing_ok=True)
    steady = frames[len(frames) // 2]
    if frames[len(frames) // 2 + 1] != steady:
        raise EncodeError("silent AAC frames are not steady; cannot loop one")
    return write_atomic(out, steady)


def _measured_loudness(stderr: str) -> dict[str, str]:
    match = re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", stderr)
    if not match:
        raise EncodeError("loudnorm printed no measurement")
    return json.loads(match.group(0))


def ensure_music_bed(
    music: Path, cache_dir: Path, bitrate_kbps: int = 128, max_units: int = MAX_BED_UNITS
) -> Path:
    """Encode a music file once into a seamless loop of N x 30 ADTS frames at -24 LKFS.

    Two-pass ``loudnorm`` (measure, then a linear gain). The period is encoded three times
    over and the middle copy kept, so the encoder is in steady state at both ends and the
    last frame flows into the first as it did in the encode.
    """
    seconds = float(ffmpeg.probe(music)["format"]["duration"])
    units = min(max_units, int(seconds / (UNIT_AAC_FRAMES * AAC_FRAME_SAMPLES / 48_000)))
    if units < 1:
        raise EncodeError(f"{music}: too short for a music bed ({seconds:.2f} s)")
    digest = hashlib.sha1(music.read_bytes()).hexdigest()[:16]
    out = cache_dir / "audio" / f"bed-{digest}-{units}u-{bitrate_kbps}k.adts"
    period = units * UNIT_AAC_FRAMES  # frames
    if _adts_whole(out, period):
        return out
    samples = period * AAC_FRAME_SAMPLES
    measure = ffmpeg.run(ffmpeg.loudness_measure_cmd(music, samples, TARGET_LUFS), timeout=600)
    measured = _measured_loudness(measure.stderr)
    tmp = temp_beside(out, ".adts")
    try:
        ffmpeg.run(
            ffmpeg.music_bed_cmd(music, tmp, samples, measured, TARGET_LUFS, bitrate_kbps),
            timeout=600,
        )
        frames = adts_frames(tmp.read_bytes())
    finally:
        tmp.unlink(missing_ok=True)
    if len(frames) < 2 * period:
        raise EncodeError(f"music bed encode gave {len(frames)} frames, want >= {2 * period}")
    return write_atomic(out, b"".join(frames[period : 2 * period]))
