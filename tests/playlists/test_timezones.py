"""The one time-zone helper (playlists.timezones) and the one clock class (playlists.clock)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from playlists import timezones
from playlists.clock import REAL
from playlists.timezones import (
    DEFAULT_TIMEZONE,
    is_zone,
    local_date,
    local_day_bounds,
    local_to_utc,
    utc_to_local,
    zone,
)


def test_an_empty_name_is_china_time():
    assert zone(None).key == zone("").key == DEFAULT_TIMEZONE == "Asia/Shanghai"


def test_a_known_zone_is_itself():
    assert zone("Asia/Urumqi").key == "Asia/Urumqi"
    assert is_zone("Asia/Urumqi") and not is_zone("Mars/Olympus") and not is_zone("../etc")


def test_an_unknown_zone_falls_back_to_china_time_with_a_warning(caplog):
    timezones.zone.cache_clear()
    with caplog.at_level(logging.WARNING, logger="playlists.timezones"):
        assert zone("Mars/Olympus").key == DEFAULT_TIMEZONE
        assert zone("../../etc/passwd").key == DEFAULT_TIMEZONE
    assert "Mars/Olympus" in caplog.text and "Asia/Shanghai" in caplog.text


def test_form_times_round_trip_through_utc():
    urumqi = zone("Asia/Urumqi")  # UTC+6
    typed = datetime(2026, 5, 4, 7, 30)
    stored = local_to_utc(typed, urumqi)
    assert stored == datetime(2026, 5, 4, 1, 30, tzinfo=UTC)
    assert utc_to_local(stored, urumqi) == typed
    assert utc_to_local(stored.replace(tzinfo=None), urumqi) == typed  # naive is UTC
    assert local_to_utc(None, urumqi) is None and utc_to_local(None, urumqi) is None


def test_the_local_day_is_the_townships():
    shanghai = zone("Asia/Shanghai")
    late = datetime(2026, 5, 3, 23, 30, tzinfo=UTC)  # 07:30 on 4 May in Beijing
    assert local_date(late, shanghai) == date(2026, 5, 4)
    start, end = local_day_bounds(date(2026, 5, 4), shanghai)
    assert start == datetime(2026, 5, 3, 16, 0, tzinfo=UTC) and end - start == timedelta(days=1)


def test_the_real_clock_is_aware_utc_and_its_monotonic_reading_moves_forward():
    first = REAL.monotonic()
    now = REAL.now()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
    assert REAL.monotonic() >= first


def test_playouts_clock_reads_the_one_clock_and_follows_its_steps():
    """feed.SystemClock is a thin use of playlists.clock: given the tests' fake, it runs on
    the fake's monotonic reading and re-anchors when the fake's wall clock is set."""
    from playlists.feed import SystemClock
    from tests.fake_clock import FakeClock

    start = datetime(2026, 5, 4, 2, 30, tzinfo=UTC)
    fake = FakeClock(start)
    playout = SystemClock(clock=fake)
    fake.advance(seconds=10)
    assert playout.now() == start + timedelta(seconds=10)
    fake.step(hours=1)  # the wall clock set: playout keeps its time until it checks
    assert playout.now() == start + timedelta(seconds=10)
    assert playout.check_step() == timedelta(hours=1)
    assert playout.now() == fake.now()


def test_no_code_builds_a_zone_outside_the_helper():
    """Every zone comes from ``timezones.zone``, so every part falls back the same way."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    helper = root / "playlists" / "timezones.py"
    found = [f"{path.relative_to(root)}:{number}: {line.strip()}"
             for package in ("publisher", "renderer", "playlists")
             for path in sorted((root / package).rglob("*.py"))
             if path != helper and "migrations" not in path.parts
             for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
             if re.search(r"\bZoneInfo\(", line)]
    assert not found, "use playlists.timezones.zone:\n" + "\n".join(found)
