"""One clock: the app's (publisher.clock) is what every part reads, and nothing in the code
reads the system clock for domain time by itself."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playlists.clock import REAL
from tests.fake_clock import FakeClock

ROOT = Path(__file__).resolve().parents[2]
# The only module that may read the machine's wall clock directly.
CLOCK_MODULE = ROOT / "playlists" / "clock.py"
DIRECT = re.compile(r"\b(datetime\.now|date\.today|datetime\.utcnow|datetime\.today)\(")
T = datetime(2026, 5, 4, 2, 30, tzinfo=UTC)


def test_no_code_reads_the_system_clock_outside_the_clock_module():
    found = []
    for package in ("publisher", "renderer", "playlists"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == CLOCK_MODULE or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
                if DIRECT.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "read publisher.clock (or take `now` as an argument):\n" + "\n".join(found)


def test_tests_move_time_only_through_the_clock_fixture():
    """No test patches a module's ``utcnow``/``now``/``time``: the ``clock`` fixture
    (tests/conftest.py) moves the app's one clock for everything at once."""
    patch = re.compile(r"""monkeypatch\.setattr\([^)]*["'](utcnow|now|today|time|monotonic)["']"""
                       r"|EMERGENCY_CLOCK")
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in sorted((ROOT / "tests").rglob("*.py")) if path != Path(__file__)
             for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
             if patch.search(line)]
    assert not found, "use the clock fixture:\n" + "\n".join(found)


def test_the_app_is_made_with_the_real_clock(app):
    from publisher import clock

    assert app.extensions["clock"] is REAL
    with app.app_context():
        assert clock.current() is REAL
    assert clock.current() is REAL  # no app context: the machine's clock


def test_a_clock_given_in_the_config_is_the_apps(tmp_path, database_uri):
    from publisher import clock, create_app

    fake = FakeClock(T)
    made = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "SECRET_KEY": "test",
                       "SQLALCHEMY_DATABASE_URI": database_uri, "CLOCK": fake})
    with made.app_context():
        assert clock.now() == T


def test_every_reader_reads_the_one_clock(app, clock):
    """utcnow (column defaults and most call sites), the emergency wall-step guard, the
    time-zone label: all move with the fixture."""
    from publisher import clock as app_clock
    from publisher.admin.timeutil import zone_label
    from publisher.emergency.wallstep import WallStepGuard
    from publisher.extensions import db
    from publisher.models import AuditEvent, utcnow

    clock.set(T)
    with app.app_context():
        assert utcnow() == app_clock.now() == T
        assert app_clock.today("Asia/Shanghai").isoformat() == "2026-05-04"
        clock.advance(minutes=5)
        assert utcnow() == T.replace(minute=35)
        with WallStepGuard().tick() as now:
            assert now == clock()
        event = AuditEvent(action="test", summary="时间")
        db.session.add(event)
        db.session.flush()
        assert event.at == clock()  # a column default
        assert zone_label("Europe/London") == "Europe/London（UTC+1）"  # summer time on 4 May
        clock.set(datetime(2026, 12, 1, tzinfo=UTC))
        assert zone_label("Europe/London") == "Europe/London（UTC+0）"
        db.session.rollback()


def test_the_clock_fixture_steps_the_wall_clock_without_time_passing(clock):
    before, elapsed = clock.now(), clock.monotonic()
    clock.step(hours=1)
    assert clock.now() - before == timedelta(hours=1) and clock.monotonic() == elapsed
    clock.advance(seconds=10)
    assert clock.monotonic() == elapsed + 10
