"""Pruning knows the narration: tracks a plan names stay, unnamed tracks and speech go."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playlists.plan import ChannelPlan, PlannedItem, PlannedPage, save_plan
from publisher.services import storage
from publisher.services.storage import InUse
from publisher.services.storage_scan import survey

NOW = datetime(2026, 11, 22, tzinfo=UTC)
KEY_AIRED, KEY_OLD = "ab" + "1" * 62, "cd" + "2" * 62


def _file(path: Path, age: timedelta) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * 100)
    stamp = (NOW - age).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def test_named_tracks_stay_unnamed_tracks_and_old_speech_go(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    aired = _file(cache / "audio/pages/ab" / f"{KEY_AIRED}.adts", timedelta(days=30))
    _file(cache / "audio/pages/ab" / f"{KEY_AIRED}.json", timedelta(days=30))
    old = _file(cache / "audio/pages/cd" / f"{KEY_OLD}.adts", timedelta(days=8))
    speech = _file(cache / "speech/ef" / f"ef{'3' * 62}.wav", timedelta(days=8))
    fresh = _file(cache / "speech/09" / f"09{'4' * 62}.wav", timedelta(days=1))
    bed = _file(cache / "audio/bed-0123/bed.adts", timedelta(days=300))
    plans = tmp_path / "plans"
    page = PlannedPage("p1", "", "", 6.4, audio=str(aired))
    item = PlannedItem("notice:1", 1, "notice", "通知", (page,), NOW)
    save_plan(ChannelPlan("demo", "频道", "Asia/Shanghai", "720p", NOW, (item,)),
              plans / "demo.json")  # fmt: skip

    keys = storage.plan_keys(plans)
    assert KEY_AIRED in keys
    entries, _ = survey({"CACHE_DIR": cache, "HLS_DIR": tmp_path / "hls",
                         "DATA_DIR": tmp_path, "SMS_SPOOL_DIR": tmp_path / "sms"})  # fmt: skip
    chosen = storage.choose_prunes(entries, InUse(frozenset(keys), frozenset()), NOW,
                                   data_bytes=1000, budget=10**9)  # fmt: skip
    assert sorted(e.path for e in chosen) == sorted([old, speech])
    assert all(p not in {e.path for e in chosen} for p in (aired, fresh, bed))
