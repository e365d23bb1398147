"""Recorded announcements: cut at pauses, brought to -24 LKFS, aired over the item's pages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from renderer import ffmpeg
from renderer.audio import DUCK_DB, TARGET_LUFS
from renderer.job import request_for, run
from renderer.page import ReadingPace
from renderer.recording import ensure_listen_copy, piece_bounds, recorded_pages
from renderer.theme import Branding
from renderer.timing import AUDIO_RATE, UNIT_SECONDS
from tests.renderer.recordings import amr_nb, speech_wav, webm_opus
from tests.renderer.samples import NOTICE

pytestmark = pytest.mark.ffmpeg
TODAY = date(2026, 11, 22)
BRANDING = Branding("监山乡村频道", "监山乡", None, "#0B3D5C", "#F2C14E")


def _bursts(seconds: list[float], gap_s: float = 0.6) -> tuple[np.ndarray, list[int]]:
    """Noise bursts (speech-like) separated by silent gaps; also where each gap's middle is."""
    rng = np.random.default_rng(7)
    parts, middles, at = [], [], 0
    for i, s in enumerate(seconds):
        n = round(s * AUDIO_RATE)
        parts.append(0.2 * rng.standard_normal(n))
        at += n
        if i < len(seconds) - 1:
            gap = round(gap_s * AUDIO_RATE)
            parts.append(np.zeros(gap))
            middles.append(at + gap // 2)
            at += gap
    return np.concatenate(parts), middles


def test_a_recording_is_cut_in_the_pauses_nearest_each_pages_share() -> None:
    voice, gaps = _bursts([5.0, 3.0, 4.0, 6.0])
    bounds = piece_bounds(voice, [1.0, 1.0, 1.0])
    assert bounds[0][0] == 0 and bounds[-1][1] == voice.size
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    cuts = [start for start, _ in bounds[1:]]
    assert len(cuts) == 2
    # Each cut is inside a gap (0.6 s wide), not in a burst.
    for cut in cuts:
        assert min(abs(cut - g) for g in gaps) < 0.3 * AUDIO_RATE


def test_a_short_recording_reads_on_the_first_page_only() -> None:
    voice, _ = _bursts([2.0, 2.5])
    assert piece_bounds(voice, [1.0, 1.0, 1.0]) == [(0, voice.size)]
    assert piece_bounds(np.zeros(0), [1.0]) == []


def _decoded(path: Path) -> np.ndarray:
    raw = ffmpeg.run(ffmpeg.pcm_decode_cmd(path), timeout=60).stdout
    return np.frombuffer(raw, dtype=np.float32)


@pytest.mark.parametrize(("make", "name"), [(amr_nb, "memo.amr"), (webm_opus, "rec.webm")],
                         ids=["amr-nb", "webm-opus"])
def test_a_quiet_phone_recording_airs_at_the_channels_loudness(make, name: str,
                                                               tmp_path: Path) -> None:
    recording = make(tmp_path / name, gain_db=-18.0, pad_s=0.8)
    ((track, seconds),) = recorded_pages(recording, [6.4], tmp_path / "cache")
    measured = ffmpeg.measure_loudness(track)
    assert measured.integrated == pytest.approx(TARGET_LUFS, abs=1.0)
    assert measured.true_peak < -1.0
    # The page stays up for the whole recording (espeak reads the sentence in ~10 s).
    heard = _decoded(track).size / AUDIO_RATE
    assert seconds >= heard + 2 * UNIT_SECONDS - 0.01
    assert heard > 8.0


def test_the_bed_under_the_recording_is_the_ducked_drone(tmp_path: Path) -> None:
    recording = speech_wav(tmp_path / "a.wav", pad_s=0.5)
    ((track, _),) = recorded_pages(recording, [6.4], tmp_path / "cache")
    pcm = _decoded(track)
    # The first 0.1 s (before the first word) is the drone alone: 15 dB under the bed.
    lead = pcm[: AUDIO_RATE // 10].astype(np.float64)
    lead_db = 20 * np.log10(np.sqrt(np.mean(lead**2)) + 1e-12)
    speech_db = 20 * np.log10(np.sqrt(np.mean(pcm.astype(np.float64) ** 2)))
    assert lead_db < speech_db + DUCK_DB / 2  # far below the voice


def test_a_long_recording_is_shared_across_a_notices_pages(tmp_path: Path) -> None:
    text = "。".join(["各位村民请注意，明天上午九点在村委会召开村民大会"] * 4) + "。"
    recording = amr_nb(tmp_path / "long.amr", text=text)
    sound = recorded_pages(recording, [6.4, 6.4, 6.4], tmp_path / "cache")
    tracks = [Path(t) for t, _ in sound if t]
    assert len(tracks) >= 2
    for (_, seconds), wanted in zip(sound, [6.4, 6.4, 6.4], strict=True):
        assert seconds >= wanted
    heard = sum(_decoded(t).size for t in tracks) / AUDIO_RATE
    assert heard > 15.0  # the whole recording airs, shared out
    # Cached: asking again makes nothing new.
    before = {p: p.stat().st_mtime_ns for p in tracks}
    assert recorded_pages(recording, [6.4, 6.4, 6.4], tmp_path / "cache") == sound
    assert {p: p.stat().st_mtime_ns for p in tracks} == before


def test_the_reviewers_copy_plays_the_whole_recording(tmp_path: Path) -> None:
    recording = amr_nb(tmp_path / "memo.amr")
    copy = ensure_listen_copy(recording, tmp_path / "cache")
    info = ffmpeg.probe(copy)
    assert info["streams"][0]["codec_name"] == "aac"
    assert _decoded(copy).size / AUDIO_RATE > 8.0
    assert ensure_listen_copy(recording, tmp_path / "cache") == copy


def test_the_render_job_airs_the_recording_even_with_narration_off(tmp_path: Path) -> None:
    recording = webm_opus(tmp_path / "r.webm")
    item = {**NOTICE, "recording": str(recording)}
    request = request_for(item, profile="720p", branding=BRANDING, cache_dir=tmp_path / "c",
                          today=TODAY, pace=ReadingPace(), encode=True,
                          narration={"enabled": False})
    pages = run(request)
    assert pages[0]["audio"]
    assert Path(pages[0]["audio"]).is_file()
    assert all(p["unit"] for p in pages)


def test_a_recording_that_will_not_decode_is_told_to_staff(tmp_path: Path) -> None:
    from renderer.items import ItemError

    broken = tmp_path / "broken.webm"
    broken.write_bytes(b"\x1aE\xdf\xa3" + b"\x00" * 200)
    item = {**NOTICE, "recording": str(broken)}
    request = request_for(item, profile="720p", branding=BRANDING, cache_dir=tmp_path / "c",
                          today=TODAY, pace=ReadingPace(), encode=True)
    with pytest.raises(ItemError, match="录音"):
        run(request)


def test_the_remux_command_copies_the_sound_undecoded() -> None:
    cmd = ffmpeg.audio_remux_cmd(Path("in.webm"), Path("out.webm"), "webm")
    assert cmd == ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-i", "in.webm",
                   "-map", "0:a:0", "-c", "copy", "-f", "webm", "-y", "out.webm"]


def test_the_estimate_shares_a_recording_over_the_pages_as_the_render_does() -> None:
    from renderer.estimate import recorded_seconds

    assert recorded_seconds([12.8], 5.0) == [12.8]  # shorter than the reading time
    (alone,) = recorded_seconds([12.8], 60.0)
    assert alone >= 60.0 + 2 * UNIT_SECONDS
    shared = recorded_seconds([12.8, 12.8, 6.4], 60.0)
    assert all(s >= w for s, w in zip(shared, [12.8, 12.8, 6.4], strict=True))
    assert sum(shared) >= 60.0 + 3 * 2 * UNIT_SECONDS - 0.01
    assert shared[0] == shared[1] > shared[2]  # in proportion to what each page wants
    assert recorded_seconds([6.4, 6.4, 6.4], 4.0)[1:] == [6.4, 6.4]  # one phrase: page one
