"""A recorded announcement (村广播) in place of the synthesised narration.

Staff record or upload the announcement on a text item; it airs over the item's own pages,
as narration does (:mod:`renderer.audio`): the recording is decoded, brought to the
channel's loudness as a whole (so it keeps one level from page to page), then cut into one
piece per page at the pauses nearest to where each page's share of the reading time ends,
and each piece is mixed over the ducked drone into that page's track. A page lasts at least
as long as its piece; a recording too short to share out reads on the first pages only and
the rest air on the bed.

Made in the render job (a child process at low priority, with time and memory limits: see
``publisher.jobs.render_lane``), cached by the recording's content: an unchanged recording
costs a few file reads. :func:`ensure_listen_copy` makes the copy the reviewer plays in the
browser (AAC, which every phone browser plays; AMR from a phone's recorder is not).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from renderer import audio, ffmpeg
from renderer.atomic import replacing, write_atomic
from renderer.bitstream import EncodeError, adts_frames
from renderer.timing import AUDIO_RATE

RECORDING_VERSION = "1"  # bump when cutting or mixing below changes a cached recording
MIN_PIECE_S = 3.0  # a page's piece is at least this long: a phrase, not a syllable
SEARCH_SHARE = 0.3  # a cut may move this share of a piece's length to find a pause
MIN_SEARCH_S = 1.5  # ... and at least this far either way
FRAME = 480  # 10 ms analysis frames
PAUSE_SMOOTH = 20  # 200 ms: a pause is a run of quiet frames, not one quiet frame
LISTEN_KBPS = 64


def file_digest(path: Path) -> str:
    """The recording's content digest (its identity in every cache)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _frame_db(voice: np.ndarray) -> np.ndarray:
    """Short-term level of each 10 ms frame, smoothed over 200 ms (dB)."""
    frames = voice.size // FRAME
    power = np.mean(voice[: frames * FRAME].reshape(frames, FRAME) ** 2, axis=1)
    smooth = np.convolve(power, np.ones(PAUSE_SMOOTH) / PAUSE_SMOOTH, mode="same")
    return 10 * np.log10(smooth + 1e-12)


def piece_bounds(voice: np.ndarray, weights: Sequence[float]) -> list[tuple[int, int]]:
    """Where to cut ``voice`` (mono, 48 kHz) among pages wanting ``weights`` of the time:
    ``(start, end)`` sample indices per piece, in order, at most one per page. Each cut sits
    at the quietest point near the proportional one, so no word is split when a pause is
    near. Pure."""
    if not voice.size or not weights:
        return []
    seconds = voice.size / AUDIO_RATE
    count = max(1, min(len(weights), int(seconds // MIN_PIECE_S)))
    if count == 1:
        return [(0, voice.size)]
    shares = np.asarray(weights[:count], dtype=float)
    shares = shares if shares.sum() > 0 else np.ones(count)
    targets = np.cumsum(shares)[:-1] / shares.sum() * voice.size
    level = _frame_db(voice)
    min_piece = round(MIN_PIECE_S * AUDIO_RATE / 2)
    reach = max(MIN_SEARCH_S * AUDIO_RATE, SEARCH_SHARE * voice.size / count)
    cuts: list[int] = [0]
    for target in targets:
        lo = max(cuts[-1] + min_piece, int(target - reach)) // FRAME
        hi = min(voice.size - min_piece, int(target + reach)) // FRAME
        if hi <= lo:
            continue
        window = level[lo:hi]
        # The quietest frame wins; among equally quiet ones (within 3 dB), the nearest.
        quiet = window <= window.min() + 3.0
        candidates = np.flatnonzero(quiet) + lo
        best = candidates[np.argmin(np.abs(candidates * FRAME - target))]
        cuts.append(int(best) * FRAME)
    cuts.append(voice.size)
    return list(zip(cuts[:-1], cuts[1:], strict=True))


def _manifest_path(cache_dir: Path, digest: str, weights: Sequence[float],
                   bed: audio.DroneLevel | audio.Bed) -> Path:  # fmt: skip
    key = hashlib.sha256(json.dumps([digest, list(weights), bed.identity, RECORDING_VERSION,
                                     audio.AUDIO_VERSION]).encode()).hexdigest()
    return Path(cache_dir) / "audio" / "recordings" / key[:2] / f"{key}.json"


def _cached(manifest: Path) -> list[audio.PageAudio | None] | None:
    try:
        paths = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return None
    tracks = [audio.cached_track(Path(p)) if p else None for p in paths]
    return None if any(p and t is None for p, t in zip(paths, tracks, strict=True)) else tracks


def recording_tracks(recording: Path, durations: Sequence[float], cache_dir: Path, *,
                     bitrate_kbps: int = 128) -> list[audio.PageAudio | None]:  # fmt: skip
    """One track (or None: the page airs on the bed) per page, from the recording."""
    level = audio.drone_level(bitrate_kbps)  # the bed itself is playout's to make
    manifest = _manifest_path(cache_dir, file_digest(recording), durations, level)
    known = _cached(manifest)
    if known is not None:
        return known
    voice = audio.at_channel_level(audio.decode_speech(recording))
    tracks: list[audio.PageAudio | None] = [None] * len(durations)
    for i, (start, end) in enumerate(piece_bounds(voice, durations)):
        piece = voice[start:end]
        out = audio.voice_track_path(cache_dir, piece, level)
        tracks[i] = audio.cached_track(out) or audio.mix_track(piece, level, out,
                                                               bitrate_kbps=bitrate_kbps)
    manifest.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(manifest, json.dumps([str(t.path) if t else "" for t in tracks]).encode())
    return tracks


def recorded_pages(recording: Path, durations: Sequence[float], cache_dir: Path, *,
                   bitrate_kbps: int = 128) -> list[tuple[str, float]]:  # fmt: skip
    """``(track path or "", on-air seconds)`` per page, as :func:`audio.narrate_pages`
    gives them: a page with a piece of the recording lasts at least as long as it."""
    tracks = recording_tracks(recording, durations, cache_dir, bitrate_kbps=bitrate_kbps)
    return [(str(t.path), max(d, t.min_seconds)) if t else ("", d)
            for t, d in zip(tracks, durations, strict=True)]


def listen_copy_path(cache_dir: Path, digest: str) -> Path:
    return Path(cache_dir) / "recordings" / digest[:2] / f"{digest}.aac"


def ensure_listen_copy(recording: Path, cache_dir: Path) -> Path:
    """The recording at the channel's level as AAC, for the reviewer's player (cached)."""
    out = listen_copy_path(cache_dir, file_digest(recording))
    try:
        if adts_frames(out.read_bytes()):
            return out
    except (OSError, EncodeError):
        pass
    voice = audio.at_channel_level(audio.decode_speech(recording))
    out.parent.mkdir(parents=True, exist_ok=True)
    with replacing(out, suffix=".aac") as tmp:
        pcm = np.ascontiguousarray(voice, dtype=np.float32).tobytes()
        ffmpeg.run(ffmpeg.pcm_encode_cmd(tmp, LISTEN_KBPS, channels=1), stdin=pcm, timeout=300)
    return out
