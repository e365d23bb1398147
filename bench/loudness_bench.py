"""Loudness benchmark: ten minutes of the live output measured as a household hears it.

    .venv/bin/python bench/loudness_bench.py [--minutes 10] [--profile 720p] [--keep DIR]

The demo items (a policy, a service, produce, a notice, the duty roster, the whereabouts
board, and a public alert valid for one minute in the middle) are rendered, narrated and
encoded through the real render job (``renderer.job.run``: scripts, text normalisation,
espeak-ng, the narration tracks), then the real playout (``Playout.units`` with the real
timeline) airs them on a virtual clock, so ten minutes of stream take seconds. The muxed
MPEG-TS is measured with ffmpeg's ``ebur128`` (integrated loudness, LRA, true peak, also
per page type), and every narrated page that aired is checked for audible speech: energy
in the speech band (1-4 kHz) at least 6 dB above the bed's over the narration. Prints
what it measured; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playlists.feed import VirtualClock, unit_start  # noqa: E402
from playlists.plan import ChannelPlan, PlannedItem, PlannedPage, save_plan  # noqa: E402
from playlists.playout import Playout  # noqa: E402
from playlists.timeline import Slot, next_slot  # noqa: E402
from renderer import ffmpeg  # noqa: E402
from renderer.job import request_for, run  # noqa: E402
from renderer.page import ReadingPace  # noqa: E402
from renderer.theme import Branding  # noqa: E402
from renderer.timing import UNIT_SECONDS  # noqa: E402
from tests.renderer.samples import ALL  # noqa: E402

T0 = datetime(2026, 11, 22, 1, 0, 0, 320000, tzinfo=UTC)  # 09:00 in Asia/Shanghai
READY = datetime(2026, 1, 1, tzinfo=UTC)
BRANDING = Branding("监山乡村频道", "监山乡", None, "#0B3D5C", "#F2C14E")
RATE = 48_000
SPEECH_MARGIN_DB = 6.0  # a voice this far above its masker is clearly audible
CHIME_S = 3.86  # the alert's chime and the gap before its first word (renderer.audio)


def render(cache: Path, profile: str) -> tuple[list[PlannedItem], PlannedItem, float]:
    """Every demo item through the real render job, narration on; the ident unnarrated."""
    items, start = [], time.perf_counter()
    for kind, raw in ALL.items():
        narrate = kind != "ident"
        request = request_for(raw, profile=profile, branding=BRANDING, cache_dir=cache,
                              today=date(2026, 11, 22), pace=ReadingPace(), encode=True,
                              narration={"enabled": narrate})  # fmt: skip
        pages = tuple(PlannedPage(**p) for p in run(json.loads(json.dumps(request))))
        extra: dict = {}
        if kind == "alert":  # valid for one minute in the middle of the run
            extra = {"interrupt": True, "valid_from": T0 + timedelta(minutes=4),
                     "valid_until": T0 + timedelta(minutes=5)}  # fmt: skip
        category = {"ident": "ident"}.get(kind, kind)
        items.append(PlannedItem(f"{kind}:1", 1, category, kind, pages, READY, **extra))
    ident = next(i for i in items if i.category == "ident")
    return [i for i in items if i is not ident], ident, time.perf_counter() - start


class Recorder:
    """The real timeline, remembering what it chose and when."""

    def __init__(self) -> None:
        self.slots: list[Slot] = []

    def __call__(self, plan, when, state):  # noqa: ANN001, ANN204
        slot, state = next_slot(plan, when, state)
        self.slots.append(slot)
        return slot, state


def band_db(mono: np.ndarray, start_s: float, end_s: float, lo: float = 1000,
            hi: float = 4000) -> float:  # fmt: skip
    chunk = mono[max(0, round(start_s * RATE)) : round(end_s * RATE)]
    if chunk.size < RATE // 4:
        return float("nan")
    spectrum = np.abs(np.fft.rfft(chunk * np.hanning(chunk.size))) ** 2
    freqs = np.fft.rfftfreq(chunk.size, 1 / RATE)
    return float(10 * np.log10(spectrum[(freqs >= lo) & (freqs < hi)].sum() / chunk.size + 1e-20))


def bed_reference(cache: Path) -> float:
    """The bed's own speech-band level, from its encoded loop, when no page aired without
    narration (every demo page is narrated now that pages last their whole reading time)."""
    found = sorted(cache.glob("audio/bed-*/bed.adts"))
    shared = os.environ.get("VILLAGECAST_SHARED_AUDIO")
    if not found and shared:
        found = sorted(Path(shared).glob("bed-*/bed.adts"))
    if not found:
        return float("nan")
    raw = ffmpeg.run(ffmpeg.pcm_decode_cmd(found[0], channels=2), timeout=120).stdout
    mono = np.frombuffer(raw, dtype=np.float32).reshape(-1, 2).mean(axis=1)
    windows = range(0, int(mono.size / RATE) - 4, 4)
    return float(np.nanmedian([band_db(mono, t, t + 4) for t in windows]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--profile", default="720p")
    parser.add_argument("--keep", type=Path, help="keep the TS and the cache here")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="loudness-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    cache = root / "cache"

    items, ident, render_s = render(cache, args.profile)
    plan_path = root / "plan.json"
    save_plan(ChannelPlan("bench", "监山乡村频道", "Asia/Shanghai", args.profile, T0,
                          tuple(items), filler=ident), plan_path)  # fmt: skip
    timeline = Recorder()
    start = time.perf_counter()
    playout = Playout(plan_path, root / "hls", root / "status", cache, timeline,
                      lambda entry: None, VirtualClock(T0))  # fmt: skip
    first = playout.feed.next_unit
    units = round(args.minutes * 60 / UNIT_SECONDS)
    stream = playout.units()
    ts_path = root / "aired.ts"
    ts_path.write_bytes(b"".join(next(stream) for _ in range(units)))
    air_s = time.perf_counter() - start

    start = time.perf_counter()
    whole = ffmpeg.measure_loudness(ts_path)
    raw = ffmpeg.run(ffmpeg.pcm_decode_cmd(ts_path, channels=2), timeout=600).stdout
    stereo = np.frombuffer(raw, dtype=np.float32).reshape(-1, 2)
    mono = stereo.mean(axis=1)
    measure_s = time.perf_counter() - start

    origin = unit_start(first)
    total = units * UNIT_SECONDS
    spans = []  # (slot, start s, end s) in the recording; a page ends where the next begins
    starts = [(slot.start - origin).total_seconds() for slot in timeline.slots] + [total]
    for slot, begin, end in zip(timeline.slots, starts, starts[1:], strict=False):
        if begin < total:
            spans.append((slot, begin, min(end, total)))

    bed_refs = [band_db(mono, b + 1, e - 1) for s, b, e in spans if not s.page.audio and e - b > 3]
    bed_ref = float(np.nanmedian(bed_refs)) if bed_refs else bed_reference(cache)
    narrated = heard = speech_time = 0
    margins = []
    by_kind: dict[str, list[tuple[float, float]]] = {}
    for slot, begin, end in spans:
        by_kind.setdefault(slot.category, []).append((begin, end))
        if not slot.page.audio:
            continue
        meta = json.loads(Path(slot.page.audio).with_suffix(".json").read_text())
        chime = CHIME_S if slot.interrupt and slot.page.page_no == 1 else 0.0
        speech_end = begin + UNIT_SECONDS + 0.15 + chime + meta["speech_s"]
        if end < speech_end:  # cut short (an alert began): not a whole narration
            continue
        narrated += 1
        speech_time += meta["speech_s"]
        margin = band_db(mono, begin + UNIT_SECONDS + 0.5, speech_end) - bed_ref
        margins.append(margin)
        heard += margin >= SPEECH_MARGIN_DB

    print(
        f"stream: {args.minutes:g} min of {args.profile} on a virtual clock, "
        f"{len(spans)} pages aired, {narrated} narrated pages aired whole"
    )
    print(
        f"render + narrate + encode the demo items: {render_s:.1f} s; "
        f"air {units} units: {air_s:.1f} s; decode + measure: {measure_s:.1f} s"
    )
    print(f"integrated loudness: {whole.integrated:.1f} LUFS (target -24 ±2)")
    print(f"loudness range (LRA): {whole.lra:.1f} LU")
    print(f"true peak: {whole.true_peak:.1f} dBTP (limit -2)")
    print(
        f"narration coverage: {heard}/{narrated} narrated pages audible "
        f"(speech band >= bed + {SPEECH_MARGIN_DB:g} dB; margin median "
        f"{np.median(margins) if margins else float('nan'):.1f} dB, min "
        f"{min(margins) if margins else float('nan'):.1f} dB); "
        f"speech {speech_time / (units * UNIT_SECONDS):.0%} of airtime"
    )
    for kind, parts in sorted(by_kind.items()):
        chunks = [stereo[round(b * RATE) : round(e * RATE)] for b, e in parts]
        pcm = np.ascontiguousarray(np.concatenate(chunks)).tobytes()
        loud = ffmpeg.measure_loudness(pcm=pcm)
        seconds = sum(e - b for b, e in parts)
        print(
            f"  {kind:12s} {seconds:6.1f} s  I {loud.integrated:6.1f} LUFS  "
            f"TP {loud.true_peak:6.1f} dBTP"
        )
    print(f"files in {root}")


if __name__ == "__main__":
    main()
