"""The channel's sound, encoded once: the generated bed and each page's narration track.

**The bed** (:func:`ensure_bed`) is three loops of the same length, encoded once per
installation and cached: ``bed`` (the pad at -24 LUFS), ``duck_down`` (each unit crossfades
the pad into the drone 15 dB down) and ``duck_up`` (back again); plus one unit of the drone
alone, for a narration cut short by an alert. Playout airs unit ``u`` of
one of them by absolute unit index, so the music never jumps in phase at a page change.

**A page's track** (:func:`ensure_page_audio`) is made at render time for a narrated page:
the speech (and, for a public alert, the attention chime first) over the drone, the drone
ducked by the speech's envelope (a little lift in long pauses), the speech loudness-normalised
so the page measures -24 LUFS with true peak under -2 dBTP, encoded to exactly K x 30 AAC
frames. Playout airs the page as: unit 0 ``duck_down``, units 1..K the track, unit K+1
``duck_up``, then the bed; a narrated page therefore lasts at least K + 2 units
(:attr:`PageAudio.min_seconds`). Every splice meets the same drone in the same phase (see
:mod:`renderer.bed`), so nothing clicks, and nothing is mixed or encoded at air time.

Tracks are cached by the speech's content, the chime and the bed's identity, like units.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from renderer import bed as synth
from renderer import ffmpeg
from renderer.atomic import replacing, temp_beside, write_atomic
from renderer.bitstream import EncodeError, adts_frames
from renderer.timing import AAC_FRAME_SAMPLES, AUDIO_RATE, UNIT_AAC_FRAMES, UNIT_SECONDS

log = logging.getLogger(__name__)

TARGET_LUFS = -24.0  # GY/T 282
MAX_TRUE_PEAK = -3.0  # dBTP we aim under; the standard allows -2
BED_UNITS = 150  # a 96 s loop: eight chords of 12 s
DUCK_DB = -15.0  # the drone under speech, against the bed's level
PAUSE_LIFT_DB = 6.0  # the drone rises this much in a pause of a second or more
SPEECH_LEAD_S = 0.15  # from the end of the duck to the first word
SPEECH_TAIL_S = 0.35  # after the last word, before the bed comes back
CHIME_GAP_S = 0.4  # between the attention chime and the first word
CHIME_DB = -4.0  # the chime against the speech's level
SILENCE_DBFS = -50.0  # below this a speech engine's output is taken as silence
QUIET_LUFS = -60.0  # a voice measured below this is not raised to the channel's level
AUDIO_VERSION = "2"  # bump when the mixing below changes the sound of a cached track


@dataclass(frozen=True)
class Bed:
    """The encoded bed loops and what a page track needs to meet them."""

    bed: Path
    duck_down: Path
    duck_up: Path
    drone: Path  # one unit of the drone alone
    drone_gain: float  # linear gain of renderer.bed.drone() under speech
    identity: str  # changes whenever the bed's sound changes


@dataclass(frozen=True)
class DroneLevel:
    """What a page track needs of the bed: the drone's gain and the bed's identity. Known
    without making the bed, so a render never waits for it (see :func:`drone_level`)."""

    drone_gain: float
    identity: str


@dataclass(frozen=True)
class PageAudio:
    """A page's narration track: ``units`` units of AAC, aired from the page's second unit."""

    path: Path
    units: int
    loudness: float  # integrated LUFS of the track as mixed
    true_peak: float  # dBTP
    speech_s: float

    @property
    def min_seconds(self) -> float:
        """How long the page must air: the duck down, the track, the duck back up."""
        return round((self.units + 2) * UNIT_SECONDS, 2)


def _pcm(signal: np.ndarray) -> bytes:
    """(channels, n) float array → interleaved float32 bytes."""
    return np.ascontiguousarray(np.atleast_2d(signal).T, dtype=np.float32).tobytes()


def loudness(signal: np.ndarray) -> ffmpeg.Loudness:
    """ebur128 of a stereo (2, n) signal."""
    return ffmpeg.measure_loudness(pcm=_pcm(signal), channels=signal.shape[0])


def _gain_to(measured: float, target: float) -> float:
    return 10 ** ((target - measured) / 20)


def _encode_middle(signal: np.ndarray, out: Path, bitrate_kbps: int, skip: int, keep: int) -> None:
    """Encode ``signal`` and keep ``keep`` AAC frames from frame ``skip`` (the encoder is
    in steady state there, with real signal on both sides of every kept frame)."""
    tmp = temp_beside(out, ".adts")
    try:
        ffmpeg.run(ffmpeg.pcm_encode_cmd(tmp, bitrate_kbps), stdin=_pcm(signal), timeout=600)
        frames = adts_frames(tmp.read_bytes())
    finally:
        tmp.unlink(missing_ok=True)
    if len(frames) < skip + keep:
        raise EncodeError(f"audio encode gave {len(frames)} frames, want {skip + keep}")
    write_atomic(out, b"".join(frames[skip : skip + keep]))


def _frames(path: Path) -> int:
    try:
        return len(adts_frames(path.read_bytes()))
    except (OSError, EncodeError):
        return -1


def _bed_identity(units: int, bitrate_kbps: int) -> str:
    source = Path(synth.__file__).read_bytes() + Path(__file__).read_bytes()
    return hashlib.sha1(source + f"{units}/{bitrate_kbps}".encode()).hexdigest()[:12]


_LEVELS: dict[str, DroneLevel] = {}


def drone_level(bitrate_kbps: int = 128, units: int = BED_UNITS) -> DroneLevel:
    """The drone's level under speech for the bed of these settings (memoised: one short
    ffmpeg measurement per process)."""
    identity = _bed_identity(units, bitrate_kbps)
    if identity not in _LEVELS:
        drone = synth.drone(20 * synth.UNIT_SAMPLES)
        gain = _gain_to(loudness(drone).integrated, TARGET_LUFS + DUCK_DB)
        _LEVELS[identity] = DroneLevel(gain, identity)
    return _LEVELS[identity]


# Beds this process made or read, by identity: another data directory copies the files
# instead of synthesising and encoding them again (tests, several channels' caches).
_KNOWN_BEDS: dict[str, Bed] = {}
# A directory shared by several data directories (the test suite sets it), so a bed is made
# once per machine rather than once per data directory and process.
SHARED_AUDIO_ENV = "VILLAGECAST_SHARED_AUDIO"
_BED_FILES = ("bed.adts", "duck_down.adts", "duck_up.adts", "drone.adts", "bed.json")


def _copy_bed(source: Path, folder: Path) -> None:
    for name in _BED_FILES:
        with replacing(folder / name) as tmp:
            shutil.copyfile(source / name, tmp)


def ensure_bed(cache_dir: Path, bitrate_kbps: int = 128, units: int = BED_UNITS) -> Bed:
    """The bed's loops and drone, synthesised and encoded on first use, then from cache.

    Each loop is encoded with two units of its own end before it and of its start after it,
    and the loop kept: the encoder is in steady state and its last frame flows into its first.
    """
    identity = _bed_identity(units, bitrate_kbps)
    folder = Path(cache_dir) / "audio" / f"bed-{identity}"
    names = ("bed", "duck_down", "duck_up", "drone")
    paths = {n: folder / f"{n}.adts" for n in names}
    lengths = {"bed": units, "duck_down": units, "duck_up": units, "drone": 1}
    manifest = folder / "bed.json"
    known = _KNOWN_BEDS.get(identity)
    shared = os.environ.get(SHARED_AUDIO_ENV)
    sources = [known.bed.parent] if known else []
    sources += [Path(shared) / folder.name] if shared else []
    for source in sources:
        if source != folder and not manifest.exists():
            with contextlib.suppress(OSError):
                _copy_bed(source, folder)
    try:
        meta = json.loads(manifest.read_text())
        if all(_frames(paths[n]) == lengths[n] * UNIT_AAC_FRAMES for n in names):
            _KNOWN_BEDS[identity] = Bed(*paths.values(), float(meta["drone_gain"]), identity)
            return _KNOWN_BEDS[identity]
    except (OSError, ValueError, KeyError):
        pass
    pad = synth.bed_loop(units)
    pad *= _gain_to(loudness(pad).integrated, TARGET_LUFS)
    drone = synth.drone(pad.shape[1])
    drone_gain = drone_level(bitrate_kbps, units).drone_gain
    down, up = synth.duck_loops(pad, drone * drone_gain)
    wrap = 2 * synth.UNIT_SAMPLES
    loops = (pad, down, up, drone[:, : synth.UNIT_SAMPLES] * drone_gain)
    for name, loop in zip(names, loops, strict=True):
        n = loop.shape[1]
        wrapped = np.take(loop, np.arange(-wrap, n + wrap), axis=1, mode="wrap")
        _encode_middle(wrapped, paths[name], bitrate_kbps, 2 * UNIT_AAC_FRAMES,
                       lengths[name] * UNIT_AAC_FRAMES)  # fmt: skip
    write_atomic(manifest, json.dumps({"drone_gain": drone_gain, "units": units}).encode())
    if shared:
        with contextlib.suppress(OSError):
            _copy_bed(folder, Path(shared) / folder.name)
    _KNOWN_BEDS[identity] = Bed(*paths.values(), drone_gain, identity)
    return _KNOWN_BEDS[identity]


# --- a page's narration track ------------------------------------------------------------


def decode_speech(wav: Path) -> np.ndarray:
    """A speech engine's output as mono 48 kHz float, silence trimmed at both ends."""
    raw = ffmpeg.run(ffmpeg.pcm_decode_cmd(wav), timeout=120).stdout
    voice = np.frombuffer(raw, dtype=np.float32).astype(np.float64)
    loud = np.flatnonzero(np.abs(voice) > 10 ** (SILENCE_DBFS / 20))
    return voice[loud[0] : loud[-1] + 1] if loud.size else voice[:0]


def _envelope_duck(voice: np.ndarray) -> np.ndarray:
    """Drone gain multiplier (1 = ducked) from the speech envelope: while speech is on, or
    within 0.8 s of it, the drone stays ducked; in longer pauses it lifts PAUSE_LIFT_DB."""
    hop = 480  # 10 ms
    frames = max(1, voice.size // hop)
    rms = np.sqrt(np.mean(voice[: frames * hop].reshape(frames, hop) ** 2, axis=1) + 1e-12)
    active = (20 * np.log10(rms) > SILENCE_DBFS + 10).astype(float)
    hold = 80  # 0.8 s either side
    active = np.convolve(active, np.ones(2 * hold + 1), mode="same") > 0
    smooth = np.convolve(active.astype(float), np.ones(30) / 30, mode="same")  # 0.3 s glide
    smooth[:hold], smooth[-hold:] = 1.0, 1.0  # the track's edges meet the ducked drone
    lift = 10 ** (PAUSE_LIFT_DB / 20)
    per_frame = 1 + (lift - 1) * (1 - smooth)
    curve = np.repeat(per_frame, hop)
    return np.pad(curve, (0, voice.size - curve.size), constant_values=1.0)


_CHIMES: list[np.ndarray] = []


def _chime() -> np.ndarray:
    """The attention chime at its level (measured once per process)."""
    if not _CHIMES:
        bell = synth.chime()
        level = loudness(np.vstack([bell, bell])).integrated
        _CHIMES.append(bell * _gain_to(level, TARGET_LUFS + CHIME_DB))
    return _CHIMES[0].copy()


def page_audio_key(speech_digest: str, chime: bool, bed: Bed | DroneLevel) -> str:
    """Cache key of a page track: its speech, the chime, the bed and the mixing version."""
    return hashlib.sha256(f"{speech_digest}/{chime}/{bed.identity}/{AUDIO_VERSION}".encode()
                          ).hexdigest()  # fmt: skip


def _track_path(cache_dir: Path, key: str) -> Path:
    return Path(cache_dir) / "audio" / "pages" / key[:2] / f"{key}.adts"


def ensure_page_audio(
    speech: Path | None, bed: Bed | DroneLevel, cache_dir: Path, *, chime: bool = False,
    bitrate_kbps: int = 128,
) -> PageAudio | None:  # fmt: skip
    """The page's narration track (cached), or None when there is nothing to say."""
    digest = hashlib.sha256(speech.read_bytes()).hexdigest() if speech else "-"
    if digest == "-" and not chime:
        return None
    out = _track_path(cache_dir, page_audio_key(digest, chime, bed))
    cached = cached_track(out)
    if cached is not None:
        return cached
    voice = at_channel_level(decode_speech(speech) if speech else np.zeros(0))
    return mix_track(voice, bed, out, chime=chime, bitrate_kbps=bitrate_kbps)


def at_channel_level(voice: np.ndarray) -> np.ndarray:
    """Mono ``voice`` scaled to the channel's loudness (silence stays silence)."""
    if not voice.size:
        return voice
    measured = loudness(np.vstack([voice, voice])).integrated
    if not math.isfinite(measured) or measured < QUIET_LUFS:
        return voice  # nothing above ebur128's gate: no voice to bring up, only noise
    return voice * _gain_to(measured, TARGET_LUFS)


def voice_track_path(cache_dir: Path, voice: np.ndarray, bed: Bed | DroneLevel) -> Path:
    """Where the track of an already level-set ``voice`` (a piece of a recording) lives."""
    digest = hashlib.sha256(np.ascontiguousarray(voice, dtype=np.float32).tobytes()).hexdigest()
    return _track_path(cache_dir, page_audio_key(f"voice:{digest}", False, bed))


def cached_track(out: Path) -> PageAudio | None:
    """The track at ``out`` if it was made whole (its frames and its description agree)."""
    try:
        meta = json.loads(out.with_suffix(".json").read_text())
        if _frames(out) == meta["units"] * UNIT_AAC_FRAMES:
            return PageAudio(out, **meta)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def mix_track(
    voice: np.ndarray, bed: Bed | DroneLevel, out: Path, *, chime: bool = False,
    bitrate_kbps: int = 128,
) -> PageAudio:  # fmt: skip
    """Mix ``voice`` (mono 48 kHz, already at the channel's level) over the ducked drone,
    encode it to whole units of AAC at ``out`` and describe it beside it (``.json``)."""
    speech_s = voice.size / AUDIO_RATE
    if chime:
        bell = _chime()
        gap = np.zeros(round(CHIME_GAP_S * AUDIO_RATE) if voice.size else 0)
        voice = np.concatenate([bell, gap, voice])
    lead, tail = round(SPEECH_LEAD_S * AUDIO_RATE), round(SPEECH_TAIL_S * AUDIO_RATE)
    unit = synth.UNIT_SAMPLES
    # The aired frames decode to the track's signal one AAC frame early (renderer.bed).
    units = math.ceil((lead + voice.size + tail + AAC_FRAME_SAMPLES) / unit)
    voice_track = np.zeros(units * unit)
    voice_track[lead : lead + voice.size] = voice
    duck = np.ones(units * unit)
    duck[lead : lead + voice.size] = _envelope_duck(voice)
    drone = synth.drone((units + 2) * unit) * bed.drone_gain
    mix = drone.copy()
    mix[:, unit:-unit] = drone[:, unit:-unit] * duck + voice_track
    measured = loudness(mix[:, unit:-unit])
    if measured.true_peak > MAX_TRUE_PEAK:  # a spiky voice: lower it, keep the drone
        mix[:, unit:-unit] -= voice_track * (1 - _gain_to(measured.true_peak, MAX_TRUE_PEAK))
        measured = loudness(mix[:, unit:-unit])
    out.parent.mkdir(parents=True, exist_ok=True)
    _encode_middle(mix, out, bitrate_kbps, UNIT_AAC_FRAMES, units * UNIT_AAC_FRAMES)
    meta = {"units": units, "loudness": measured.integrated, "true_peak": measured.true_peak,
            "speech_s": round(speech_s, 2)}  # fmt: skip
    write_atomic(out.with_suffix(".json"), json.dumps(meta).encode())
    return PageAudio(out, **meta)


# --- narrating an item's pages (render time) ---------------------------------------------


@dataclass(frozen=True)
class NarrationSettings:
    """Whether and how pages are read: the channel's and item's switch, and the voice."""

    enabled: bool = False
    command: str = ""  # see renderer.speech
    entry_point: str = ""
    voice_id: str = ""
    yao: bool = False  # read 1 as 幺 in phone numbers

    @classmethod
    def from_dict(cls, raw: dict[str, object] | None) -> NarrationSettings:
        return cls(**{k: v for k, v in (raw or {}).items() if k in cls.__dataclass_fields__})


def narrate_pages(
    scripts: Sequence[str], durations: Sequence[float], *, alert: bool,
    settings: NarrationSettings, cache_dir: Path, bitrate_kbps: int = 128,
) -> list[tuple[str, float]]:  # fmt: skip
    """``(track path or "", on-air seconds)`` per page: each narrated page gets its track
    and lasts at least as long as it. Alerts are always read, their first page after the
    attention chime. A page whose speech or mixing fails airs on the bed (logged): sound
    must never keep a page off air. Cached: an unchanged page costs a few file reads."""
    from renderer.normalise import normalise
    from renderer.speech import SpeechError, Voice, synthesise

    out = [("", d) for d in durations]
    if not (settings.enabled or alert):
        return out
    voice = Voice.from_settings(settings.command, settings.entry_point, settings.voice_id)
    level: DroneLevel | None = None
    for i, (script, duration) in enumerate(zip(scripts, durations, strict=True)):
        chime = alert and i == 0
        spoken = normalise(script, yao=settings.yao).strip()
        if not spoken and not chime:
            continue
        wav = None
        try:
            if spoken:
                wav = synthesise(spoken, voice, cache_dir)
        except SpeechError as exc:
            log.warning("page %d not narrated: %s", i + 1, exc)
        try:
            level = level or drone_level(bitrate_kbps)  # the bed itself is playout's to make
            track = ensure_page_audio(wav, level, cache_dir, chime=chime,
                                      bitrate_kbps=bitrate_kbps)  # fmt: skip
        except (ffmpeg.FFmpegError, EncodeError, OSError, ValueError) as exc:
            log.warning("page %d airs on the bed: %s", i + 1, exc)
            continue
        if track is not None:
            out[i] = (str(track.path), max(duration, track.min_seconds))
    return out
