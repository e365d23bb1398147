"""A video clip on air: playout stream-copies its distinct units in order with its own sound,
between slides, and the as-run log records it. Real transcode, real feed, decoded output."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from playlists.feed import AudioBed, VirtualClock
from playlists.plan import ChannelPlan, PlannedItem, PlannedPage, save_plan
from playlists.playout import AiredPage, Playout
from renderer import encode, ffmpeg
from renderer.timing import UNIT_FRAMES, UNIT_SECONDS, units_for
from renderer.video import ClipRequest, transcode_clip
from tests.playlists.test_sound import InOrder
from tests.renderer import clips

pytestmark = pytest.mark.ffmpeg

ENC = encode.PROFILES["720p"]
T0 = datetime(2026, 11, 22, 8, 0, 0, 320000, tzinfo=UTC)


def _slide(root: Path, cache: Path, name: str) -> PlannedPage:
    png = root / f"{name}.png"
    Image.new("RGB", (ENC.width, ENC.height), (30, 60, 90)).save(png)
    unit = encode.ensure_unit(png, name.encode().hex(), cache, ENC)
    return PlannedPage(name, str(png), str(unit), 2.56)


def _air(root: Path, cache: Path, pages: list[PlannedPage]) -> tuple[Path, list[AiredPage]]:
    ready = datetime(2026, 1, 1, tzinfo=UTC)
    items = tuple(PlannedItem(f"video:{n}", 1, "produce", p.key, (p,), ready)
                  for n, p in enumerate(pages))  # fmt: skip
    plan_path = root / "plan.json"
    save_plan(ChannelPlan("clip", "频道", "Asia/Shanghai", "720p", T0, items), plan_path)
    silence = AudioBed.from_file(encode.ensure_silence(cache))
    log: list[AiredPage] = []
    playout = Playout(plan_path, root / "hls", root / "status", cache, InOrder(), log.append,
                      VirtualClock(T0), ENC, bed=silence)  # fmt: skip
    stream = playout.units()
    total = sum(units_for(p.duration_s) for p in pages)
    out = root / "aired.ts"
    out.write_bytes(b"".join(next(stream) for _ in range(total + 1)))
    playout._published = 10**6  # everything made counts as published: flush the as-run log
    playout.report_aired()
    return out, log


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("clipair")
    cache = root / "cache"
    src = clips.portrait_rotated(root / "phone.mp4", seconds=3.0)
    clip = transcode_clip(ClipRequest(src, "phone"), cache, ENC)
    page = PlannedPage("clip-phone", "", str(clip.unit(0, ENC)), clip.duration_s,
                       audio=str(clip.audio), clip=str(clip.folder))  # fmt: skip
    return {"root": root, "cache": cache, "clip": clip, "page": page}


def test_a_clip_airs_its_units_in_order_with_its_own_sound(made: dict) -> None:
    root, cache, clip, page = made["root"], made["cache"], made["clip"], made["page"]
    before, after = _slide(root, cache, "before"), _slide(root, cache, "after")
    ts, log = _air(root, cache, [before, page, after])
    hashes = ffmpeg.frame_hashes(ts)
    start = units_for(before.duration_s) * UNIT_FRAMES
    aired = hashes[start : start + clip.units * UNIT_FRAMES]
    es = root / "clip.h264"
    es.write_bytes(b"".join(clip.unit(n, ENC).read_bytes() for n in range(clip.units)))
    assert aired == ffmpeg.frame_hashes(es)  # the transcoded pictures, stream-copied
    assert len(set(aired)) > clip.units  # a moving picture, not one unit repeated
    assert hashes[start - 1] != aired[0] and hashes[start + len(aired)] != aired[-1]
    # The clip's sound, not the bed's silence, over the clip's span.
    raw = ffmpeg.run(ffmpeg.pcm_decode_cmd(ts, channels=2), timeout=120).stdout
    pcm = np.frombuffer(raw, dtype=np.float32).reshape(-1, 2)
    a, b = (round(t * 48_000) for t in (start / 25 + 0.2, (start / 25) + clip.duration_s - 0.2))
    span = pcm[a:b]
    loud = ffmpeg.measure_loudness(pcm=np.ascontiguousarray(span).tobytes(), channels=2)
    assert loud.integrated == pytest.approx(-24, abs=1.0)
    assert np.abs(pcm[: round(start / 25 * 48_000) - 2400]).max() < 1e-3  # the bed: silence
    entry = next(e for e in log if e.page_key == "clip-phone")
    assert entry.duration_s == pytest.approx(clip.units * UNIT_SECONDS)
    assert entry.note == ""


def test_a_missing_clip_unit_airs_the_slate_and_the_clip_goes_on(
    made: dict, tmp_path: Path
) -> None:
    clip = made["clip"]
    broken = tmp_path / "broken"
    shutil.copytree(clip.folder, broken)
    (broken / f"{2:05d}.{ENC.ext}").unlink()
    page = PlannedPage("clip-broken", "", str(broken / f"00000.{ENC.ext}"), clip.duration_s,
                       audio=str(broken / "audio.adts"), clip=str(broken))  # fmt: skip
    ts, _ = _air(tmp_path, made["cache"], [page])
    hashes = ffmpeg.frame_hashes(ts)
    slate = set(ffmpeg.frame_hashes(encode.ensure_slate_unit(made["cache"], ENC)))
    assert set(hashes[2 * UNIT_FRAMES : 3 * UNIT_FRAMES]) == slate
    assert not set(hashes[3 * UNIT_FRAMES : 4 * UNIT_FRAMES]) & slate


def test_a_public_alert_cuts_a_clip_at_the_next_unit(made: dict, tmp_path: Path) -> None:
    from dataclasses import replace

    cache, page = made["cache"], made["page"]
    alert_page = _slide(tmp_path, cache, "alert")
    ready = datetime(2026, 1, 1, tzinfo=UTC)
    clip_item = PlannedItem("video:1", 1, "video", "稻谷丰收", (page,), ready)
    plan = ChannelPlan("cut", "频道", "Asia/Shanghai", "720p", T0, (clip_item,))
    plan_path = tmp_path / "plan.json"
    save_plan(plan, plan_path)
    log: list[AiredPage] = []
    playout = Playout(plan_path, tmp_path / "hls", tmp_path / "status", cache, InOrder(),
                      log.append, VirtualClock(T0), ENC,
                      bed=AudioBed.from_file(encode.ensure_silence(cache)))  # fmt: skip
    stream = playout.units()
    for _ in range(2):
        next(stream)
    alert = PlannedItem("alert:9", 1, "alert", "暴雨红色预警", (alert_page,), ready,
                        interrupt=True)  # fmt: skip
    save_plan(replace(plan, items=(clip_item, alert)), plan_path)
    os.utime(plan_path, ns=(10**18, 10**18))  # a newer plan file, whatever the disk's clock
    next(stream)  # the alert's first unit, in place of the clip's third
    playout._published = 10**6
    playout.report_aired()
    (entry,) = log
    assert entry.item_id == "video:1" and entry.duration_s == pytest.approx(2 * UNIT_SECONDS)
    assert "cut short by an alert" in entry.note


@pytest.mark.parametrize("profile", ["720p", "sd"])
def test_a_hard_clip_fits_the_channels_default_udp_rate(profile: str, tmp_path: Path) -> None:
    """Moving detail everywhere (the test pattern) still fits the constant-rate UDP mux at the
    profile's default rate: no unit has to go out without its pictures."""
    from playlists import cbr
    from playlists.timeline import Slot

    enc = encode.PROFILES[profile]
    cache = tmp_path / "cache"
    src = clips.landscape(tmp_path / "busy.mp4", seconds=8.0, size="1280x720")
    clip = transcode_clip(ClipRequest(src, "busy"), cache, enc)
    page = PlannedPage("busy", "", str(clip.unit(0, enc)), clip.duration_s,
                       audio=str(clip.audio), clip=str(clip.folder))  # fmt: skip
    item = PlannedItem("video:1", 1, "video", "busy", (page,), T0)
    plan_path = tmp_path / "plan.json"
    save_plan(ChannelPlan("busy", "频道", "Asia/Shanghai", profile, T0, (item,)), plan_path)

    def next_page(plan, when, state):  # noqa: ANN001, ANN202
        return Slot(item.id, 1, "video", page, when, page.duration_s, False), state

    playout = Playout(plan_path, tmp_path / "hls", tmp_path / "status", cache, next_page,
                      lambda entry: None, VirtualClock(T0), enc,
                      bed=AudioBed.from_file(encode.ensure_silence(cache)))  # fmt: skip
    stream, first = playout.units(), playout.feed.next_unit
    mux = cbr.CbrMux(cbr.default_muxrate_bps(enc.bufsize_kbit, enc.audio_kbps), "c", "p")
    for n in range(clip.units):
        mux.mux_unit(first + n, next(stream))
    assert mux.units_without_pictures == 0
