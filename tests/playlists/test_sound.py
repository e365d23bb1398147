"""What a household hears: the live output measured with ffmpeg's ebur128, narration audible.

The real feed (``Playout.units``) airs a bed-only page, a narrated page and a public alert's
page (chime + narration) on a virtual clock; the muxed MPEG-TS is measured as a set-top box
would decode it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from playlists.feed import AudioBed, PageTrack, VirtualClock
from playlists.plan import ChannelPlan, PlannedItem, PlannedPage, save_plan
from playlists.playout import Playout
from playlists.playstate import PlayState
from playlists.timeline import Slot
from renderer import audio, encode, ffmpeg, speech
from renderer.normalise import normalise
from renderer.timing import UNIT_AAC_FRAMES, UNIT_SECONDS, units_for

ENC = encode.PROFILES["720p"]
T0 = datetime(2026, 11, 22, 8, 0, 0, 320000, tzinfo=UTC)
BED_UNITS = 25  # a short loop keeps the test quick; the channel's is 150
SPOKEN = "今天有9位干部在村走访，2位在乡机关值班。咨询电话：0991-12345678。"


# --- the feed's choice of frames (pure) ---------------------------------------------------


def _frames(tag: str, units: int) -> tuple[bytes, ...]:
    return tuple(f"{tag}{i}".encode() for i in range(units * UNIT_AAC_FRAMES))


def test_a_track_airs_between_a_duck_down_and_a_duck_up_unit() -> None:
    bed = AudioBed(_frames("b", 4), _frames("d", 4), _frames("u", 4))
    track = PageTrack(Path("t.adts"), _frames("t", 2))
    # page units 0..5 on air as absolute units 9..14 (the bed loop has 4 units)
    heard = [track.audio_for(bed, page_unit, 9 + page_unit)[0][0] for page_unit in range(6)]
    assert heard == [b"d30", b"t0", b"t30", b"u0", b"b30", b"b60"]


def test_a_bed_without_duck_loops_cuts_straight_to_the_track() -> None:
    bed = AudioBed(_frames("b", 2))
    track = PageTrack(Path("t.adts"), _frames("t", 1))
    assert [track.audio_for(bed, u, u)[0][0] for u in range(3)] == [b"b0", b"t0", b"b0"]


def test_a_narration_cut_short_leaves_the_next_page_to_lift_or_hold_the_duck() -> None:
    bed = AudioBed(_frames("b", 2), _frames("d", 2), _frames("u", 2), _frames("r", 1))
    track = PageTrack(Path("t.adts"), _frames("t", 3))
    # an alert page after a cut narration: the drone holds, no second duck
    assert track.audio_for(bed, 0, 4, ducked=True) == (bed.drone, True)
    assert track.audio_for(bed, 0, 4, ducked=False)[0] == bed.duck_down[:UNIT_AAC_FRAMES]


def test_a_broken_track_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.adts"
    bad.write_bytes(b"not audio")
    with pytest.raises(ValueError):
        PageTrack.from_file(bad)


# --- the live output, measured ---------------------------------------------------------------


class InOrder:
    """A stand-in timeline: each page of each item in plan order, then around again."""

    def __init__(self) -> None:
        self.pages = 0

    def __call__(self, plan: ChannelPlan, when: datetime, state: PlayState):  # noqa: ANN204
        flat = [(i, p) for i in plan.items for p in i.pages]
        item, page = flat[self.pages % len(flat)]
        self.pages += 1
        slot = Slot(item.id, item.version, item.category, page, when, page.duration_s,
                    item.interrupt)  # fmt: skip
        return slot, state


def _page(root: Path, cache: Path, name: str, seconds: float, track: str = "") -> PlannedPage:
    png = root / f"{name}.png"
    Image.new("RGB", (ENC.width, ENC.height), (30, 60, 90)).save(png)
    unit = encode.ensure_unit(png, name.encode().hex(), cache, ENC)
    return PlannedPage(name, str(png), str(unit), seconds, audio=track)


@pytest.fixture(scope="module")
def aired(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Three pages (bed, narrated, alert) aired once through the real feed into one TS."""
    root = tmp_path_factory.mktemp("sound")
    cache = root / "cache"
    bed = audio.ensure_bed(cache, units=BED_UNITS)
    wav = speech.synthesise(normalise(SPOKEN), speech.Voice(), cache)
    narrated = audio.ensure_page_audio(wav, bed, cache)
    alert = audio.ensure_page_audio(wav, bed, cache, chime=True)
    assert narrated is not None and alert is not None
    ready = datetime(2026, 1, 1, tzinfo=UTC)
    pages = {
        "bed": _page(root, cache, "bed", 12.8),
        "narrated": _page(
            root, cache, "narrated", narrated.min_seconds + 1.28, str(narrated.path)
        ),  # fmt: skip
        "alert": _page(root, cache, "alert", alert.min_seconds, str(alert.path)),
    }
    items = tuple(PlannedItem(f"notice:{n}", 1, "notice", n, (p,), ready)
                  for n, p in pages.items())  # fmt: skip
    plan_path = root / "plan.json"
    save_plan(ChannelPlan("sound", "频道", "Asia/Shanghai", "720p", T0, items), plan_path)
    loops = AudioBed.from_file(bed.bed, bed.duck_down, bed.duck_up, bed.drone)
    playout = Playout(plan_path, root / "hls", root / "status", cache, InOrder(),
                      lambda entry: None, VirtualClock(T0), ENC, bed=loops)  # fmt: skip
    stream = playout.units()
    spans, data = {}, []
    for name, page in pages.items():
        start = len(data)
        data += [next(stream) for _ in range(units_for(page.duration_s))]
        spans[name] = (start * UNIT_SECONDS, len(data) * UNIT_SECONDS)
    out = root / "aired.ts"
    out.write_bytes(b"".join(data))
    raw = ffmpeg.run(ffmpeg.pcm_decode_cmd(out, channels=2), timeout=120).stdout
    stereo = np.frombuffer(raw, dtype=np.float32).reshape(-1, 2)
    return {
        "ts": out,
        "spans": spans,
        "stereo": stereo,
        "pcm": stereo.mean(axis=1),
        "narrated": narrated,
        "alert": alert,
    }


def _band_db(pcm: np.ndarray, start_s: float, end_s: float, lo: float, hi: float) -> float:
    """Energy (dB) of ``pcm`` between ``lo`` and ``hi`` Hz over a stretch."""
    chunk = pcm[round(start_s * 48_000) : round(end_s * 48_000)]
    spectrum = np.abs(np.fft.rfft(chunk * np.hanning(chunk.size))) ** 2
    freqs = np.fft.rfftfreq(chunk.size, 1 / 48_000)
    return 10 * np.log10(spectrum[(freqs >= lo) & (freqs < hi)].sum() / chunk.size + 1e-20)


@pytest.mark.ffmpeg
def test_the_output_is_at_broadcast_loudness(aired: dict) -> None:
    measured = ffmpeg.measure_loudness(aired["ts"])
    assert -26.0 <= measured.integrated <= -22.0, measured
    assert measured.true_peak <= -2.0, measured


@pytest.mark.ffmpeg
def test_bed_and_narrated_pages_each_measure_within_the_window(aired: dict) -> None:
    stereo = aired["stereo"]
    for name, (start, end) in aired["spans"].items():
        chunk = stereo[round(start * 48_000) : round(end * 48_000)]
        loud = ffmpeg.measure_loudness(pcm=np.ascontiguousarray(chunk).tobytes())
        assert -26.0 <= loud.integrated <= -22.0, (name, loud)


@pytest.mark.ffmpeg
def test_narration_is_audible_over_the_bed(aired: dict) -> None:
    pcm = aired["pcm"]
    bed_start, bed_end = aired["spans"]["bed"]
    start, _ = aired["spans"]["narrated"]
    speech_s = aired["narrated"].speech_s
    # Speech lives in 1-4 kHz; the pad's energy sits far below it.
    speech_band = _band_db(pcm, start + 1.0, start + speech_s, 1000, 4000)
    bed_band = _band_db(pcm, bed_start + 1.0, bed_end - 1.0, 1000, 4000)
    assert speech_band > bed_band + 10, (speech_band, bed_band)


@pytest.mark.ffmpeg
def test_the_alert_opens_with_its_attention_chime(aired: dict) -> None:
    pcm = aired["pcm"]
    start, _ = aired["spans"]["alert"]
    # The chime's first notes (523-1047 Hz and their octaves) within its first 2.5 s.
    chime = _band_db(pcm, start + 0.7, start + 2.5, 500, 2200)
    bed_start, bed_end = aired["spans"]["bed"]
    bed = _band_db(pcm, bed_start + 1.0, bed_start + 2.8, 500, 2200)
    assert chime > bed + 10, (chime, bed)


@pytest.mark.ffmpeg
def test_page_changes_do_not_click(aired: dict) -> None:
    """Around every page change the waveform moves no more than inside the pages."""
    pcm = aired["pcm"]
    steps = np.abs(np.diff(pcm))
    bed_start, bed_end = aired["spans"]["bed"]
    typical = np.percentile(steps[round(bed_start * 48_000) : round(bed_end * 48_000)], 99.9)
    for name in ("narrated", "alert"):
        start, _ = aired["spans"][name]
        around = steps[round((start - 0.05) * 48_000) : round((start + 0.05) * 48_000)]
        assert around.max() <= 2 * typical, (name, around.max(), typical)
