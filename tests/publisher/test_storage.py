"""The data disk: alarm, sweep of orphaned temporaries, pruning within a budget, and units
cut short by a power cut encoded again by the clock."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from publisher.services import storage
from publisher.services.storage import DiskPolicy, DiskUsage, InUse, Stored

NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
MB = 1024 * 1024
POLICY = DiskPolicy(alarm_percent=90.0, alarm_free=100 * MB, budget=50 * MB)


def _age(path: Path, age: timedelta, now: datetime = NOW) -> Path:
    stamp = (now - age).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def _file(path: Path, size: int = 10, age: timedelta = timedelta(0),
          now: datetime = NOW) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    return _age(path, age, now)


# --- the alarm (pure) ----------------------------------------------------------------


@pytest.mark.parametrize(("usage", "data_bytes", "reasons"), [
    (DiskUsage(1000 * MB, 500 * MB, 500 * MB), 10 * MB, ()),
    (DiskUsage(1000 * MB, 900 * MB, 100 * MB), None, ("percent",)),  # exactly 90 % used
    (DiskUsage(1000 * MB, 899 * MB, 101 * MB), None, ()),
    (DiskUsage(10_000 * MB, 500 * MB, 99 * MB), None, ("free",)),  # reserved blocks
    (DiskUsage(1000 * MB, 950 * MB, 50 * MB), 51 * MB, ("percent", "free", "budget")),
    (DiskUsage(1000 * MB, 100 * MB, 900 * MB), 51 * MB, ("budget",)),
])  # fmt: skip
def test_the_alarm_comes_on_before_the_disk_is_full(usage, data_bytes, reasons) -> None:
    state = storage.disk_state(usage, POLICY, data_bytes)
    assert state.reasons == reasons
    assert state.alarm is bool(reasons)


# --- what to prune (pure) ------------------------------------------------------------


def _stored(kind: str, name: str, age: timedelta, size: int = MB, refs=()) -> Stored:  # noqa: ANN001
    return Stored(Path(f"/data/{kind}/{name}"), kind, name, size, NOW - age, tuple(refs))


IN_USE = InUse(keys=frozenset({"aired", "filler"}), channels=frozenset({"jianshan"}))
DAY = timedelta(days=1)


def test_things_in_use_are_never_pruned_however_old_or_over_budget() -> None:
    kept = [
        _stored("unit", "aired", 400 * DAY), _stored("page", "aired", 400 * DAY),
        _stored("unit", "filler", 400 * DAY),
        _stored("unit", "slate-black", 400 * DAY),
        _stored("manifest", "m1", 400 * DAY, refs=["other", "aired"]),
        _stored("hls", "jianshan", 400 * DAY),
    ]
    assert storage.choose_prunes(kept, IN_USE, NOW, data_bytes=10_000 * MB, budget=MB) == []


def test_unused_things_go_after_their_keep_even_within_budget() -> None:
    entries = [
        _stored("unit", "old", 8 * DAY), _stored("page", "old", 8 * DAY),
        _stored("unit", "recent", 3 * DAY),
        _stored("manifest", "m-old", 8 * DAY, refs=["old"]),
        _stored("hls", "removed-channel", 2 * DAY),
        _stored("hls", "just-disabled", timedelta(hours=2)),
        _stored("sms", "OUT-sent-long-ago.txt", 31 * DAY), _stored("sms", "OUT-b.txt", 2 * DAY),
    ]
    chosen = storage.choose_prunes(entries, IN_USE, NOW, data_bytes=10 * MB, budget=50 * MB)
    assert sorted((e.kind, e.name) for e in chosen) == [
        ("hls", "removed-channel"), ("manifest", "m-old"), ("page", "old"),
        ("sms", "OUT-sent-long-ago.txt"), ("unit", "old"),
    ]


def test_over_budget_the_oldest_unused_go_first_until_within_it_never_inside_grace() -> None:
    entries = [
        _stored("unit", "a", 2 * DAY, size=10 * MB),
        _stored("unit", "b", 5 * DAY, size=10 * MB),
        _stored("page", "c", 4 * DAY, size=10 * MB),
        _stored("unit", "fresh", timedelta(hours=3), size=10 * MB),  # a render not saved yet
        _stored("unit", "aired", 6 * DAY, size=10 * MB),
    ]
    chosen = storage.choose_prunes(entries, IN_USE, NOW, data_bytes=65 * MB, budget=50 * MB)
    assert [e.name for e in chosen] == ["b", "c"]  # 65 - 20 = 45 MB: within the budget
    everything = storage.choose_prunes(entries, IN_USE, NOW, data_bytes=500 * MB, budget=0)
    assert [e.name for e in everything] == ["b", "c", "a"]


# --- sweeping temporaries (real files) -----------------------------------------------


@pytest.fixture
def config(tmp_path: Path) -> dict:
    data = tmp_path / "data"
    config = {"DATA_DIR": data, "CACHE_DIR": data / "cache", "PLAN_DIR": data / "plans",
              "HLS_DIR": data / "hls", "UPLOAD_DIR": data / "uploads",
              "STATUS_DIR": data / "status", "SMS_SPOOL_DIR": data / "sms",
              "DISK_ALARM_PERCENT": 90.0, "DISK_ALARM_FREE": MB, "DISK_BUDGET": 50 * MB}
    for key in ("CACHE_DIR", "PLAN_DIR", "HLS_DIR", "UPLOAD_DIR", "STATUS_DIR"):
        config[key].mkdir(parents=True)
    return config


def test_orphaned_temporaries_are_swept_and_nothing_else(config: dict) -> None:
    data, cache = config["DATA_DIR"], config["CACHE_DIR"]
    hour = storage.TEMP_SAFE_AGE
    orphans = [
        _file(cache / "units" / "720p-1" / ".batch.h264.a1b2c3.tmp.h264", age=hour),
        _file(cache / "pages" / "ab" / ".tmp-x7y8z9.png", age=2 * hour),  # older writer
        _file(config["HLS_DIR"] / "jianshan" / ".seg-0001.ts.q1w2e3.tmp", age=DAY),
        _file(data / "secret_key.tmp", age=DAY),
        _file(config["SMS_SPOOL_DIR"] / "tmp" / ".OUTC2026_x.txt.9f8e", age=DAY),
    ]
    kept = [
        _file(cache / "units" / "720p-1" / ".batch.h264.fresh1.tmp.h264",
              age=hour - timedelta(minutes=1)),  # an encode may still be writing it
        _file(cache / "units" / "720p-1" / "ab" / "ab12.h264", age=400 * DAY),
        _file(config["HLS_DIR"] / "jianshan" / "index.m3u8", age=DAY),
        _file(config["SMS_SPOOL_DIR"] / "outbox" / "OUTC20261206_030000_00_1380_x.txt", age=DAY),
        _file(data / "villagecast.db", age=DAY),
    ]
    assert sorted(storage.sweep_temporaries(config, NOW)) == sorted(orphans)
    assert not any(p.exists() for p in orphans)
    assert all(p.exists() for p in kept)


# --- pruning on disk, with the app -------------------------------------------------


def _plan(app, slug: str, keys: list[str], filler: str) -> None:  # noqa: ANN001
    from playlists.plan import ChannelPlan, PlannedItem, PlannedPage, save_plan

    def item(id_: str, page_keys: list[str]) -> PlannedItem:
        pages = tuple(PlannedPage(k, f"/p/{k}.png", f"/u/{k}.h264", 6.4) for k in page_keys)
        return PlannedItem(id_, 1, "notice", "t", pages, NOW)

    plan = ChannelPlan(slug, "频道", "Asia/Shanghai", "720p", NOW,
                       items=(item("notice:1", keys),), filler=item("ident:x", [filler]))
    save_plan(plan, Path(app.config["PLAN_DIR"]) / f"{slug}.json")


def _cache_file(app, kind: str, key: str, size: int, age: timedelta) -> Path:  # noqa: ANN001
    cache = Path(app.config["CACHE_DIR"])
    path = {"page": cache / "pages" / key[:2] / f"{key}.png",
            "unit": cache / "units" / "720p-0a1b2c3d" / key[:2] / f"{key}.h264"}[kind]
    return _file(path, size, age, datetime.now(UTC))


def test_pruning_keeps_the_data_directory_within_its_budget(app, township) -> None:  # noqa: ANN001
    """Months of edits: unused pages and units go, oldest first, until the data directory
    fits its budget; what a plan airs (the filler too), the slate, the unit template, the
    audio bed and the HLS of a channel on air stay."""
    from publisher.extensions import db
    from publisher.jobs.housekeeping import prune_once
    from publisher.models import Channel

    app.config["DISK_BUDGET"] = 4 * MB  # 3.3 MB must stay
    cache, hls = Path(app.config["CACHE_DIR"]), Path(app.config["HLS_DIR"])
    on_air = [_cache_file(app, kind, key, 200_000, timedelta(days=90))
              for key in ("aa01", "ab02", "ident") for kind in ("page", "unit")]
    protected = [
        _cache_file(app, "unit", "slate-black", 200_000, timedelta(days=90)),
        _file(cache / "units" / "720p-0a1b2c3d" / "template.h264", 200_000),
        _file(cache / "audio" / "bed-0123-300u-128k.adts", 500_000),
        _file(hls / "jianshan" / "seg-000001.ts", 300_000, timedelta(days=3)),  # on air
    ]
    now = datetime.now(UTC)
    old = [_cache_file(app, "unit", f"c{i:03d}", 300_000, timedelta(days=2, hours=i))
           for i in range(10)]  # 3 MB of superseded units, past their grace
    fresh = [_cache_file(app, "unit", f"f{i:03d}", 300_000, timedelta(hours=i))
             for i in range(3)]  # rendered in the last hours: maybe not saved yet
    gone_channel = _file(hls / "oldchannel" / "seg-000009.ts", 100_000, timedelta(days=2), now)
    _plan(app, "jianshan", ["aa01", "ab02"], "ident")

    report = prune_once(app)

    assert report is not None and report.data_bytes <= app.config["DISK_BUDGET"]
    assert all(p.exists() for p in [*on_air, *protected, *fresh])
    assert not gone_channel.parent.exists()
    removed = [p for p in old if not p.exists()]
    assert removed == old[len(old) - len(removed):]  # the oldest went first
    assert 0 < len(removed) < len(old)  # and no more than needed
    with app.app_context():  # a channel disabled for long loses its HLS folder too
        db.session.get(Channel, 1).enabled = False
        db.session.commit()
    prune_once(app)
    assert not (hls / "jianshan").exists()
    assert all(p.exists() for p in on_air)  # its plan still names them


def test_an_unreadable_plan_stops_pruning(app, township) -> None:  # noqa: ANN001
    from publisher.jobs.housekeeping import prune_once

    app.config["DISK_BUDGET"] = 0
    unit = _cache_file(app, "unit", "c001", 1000, timedelta(days=30))
    (Path(app.config["PLAN_DIR"]) / "jianshan.json").write_text("{not json")
    assert prune_once(app) is None
    assert unit.exists()


# --- the dashboard -------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs as the data disk (needs root)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


@pytest.fixture
def disk_app(small_disk: Path, tmp_path: Path):  # noqa: ANN201
    from flask_migrate import upgrade

    from publisher import create_app

    app = create_app({"TESTING": True, "DATA_DIR": small_disk / "data", "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
                      "DISK_ALARM_PERCENT": 90.0, "DISK_ALARM_FREE": 64 * 1024,
                      "DISK_BUDGET": 3 * MB})
    with app.app_context():
        upgrade()
    return app


def test_the_dashboard_shows_the_alarm_when_the_disk_fills(disk_app, small_disk) -> None:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.jobs.housekeeping import prune_once
    from publisher.models import User

    with disk_app.app_context():
        for name, role in (("admin", "admin"), ("editor", "editor")):
            user = User(username=name, display_name=name, role=role)
            user.set_password("secret-pass")
            db.session.add(user)
        db.session.commit()
    client = disk_app.test_client()
    from tests.conftest import AuthActions

    auth = AuthActions(client)
    auth.login("admin")
    page = client.get("/").get_data(as_text=True)
    assert 'id="disk-status"' in page and "存储空间充足" in page
    assert "3.0 MiB" in page  # the budget
    auth.logout()
    auth.login("editor")
    assert 'id="disk-status"' not in client.get("/").get_data(as_text=True)

    _file(small_disk / "data" / "uploads" / "big.bin", int(3.7 * MB))  # 92 % of the disk
    prune_once(disk_app)  # an upload is never pruned: the data directory stays over budget
    page = client.get("/").get_data(as_text=True)  # editors see the alarm once it is on
    assert 'id="disk-status"' in page and "存储空间告警" in page
    assert "磁盘已用" in page and "超过了预算" in page
    auth.logout()
    auth.login("admin")
    page = client.get("/").get_data(as_text=True)
    assert "存储空间告警" in page and "3.0 MiB" in page


# --- power cut: a unit cut short is encoded again by the clock ----------------------


@pytest.mark.ffmpeg
def test_a_unit_cut_to_nothing_is_encoded_again_by_the_clock(app, township, make_user) -> None:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.jobs.clock import ContentClock
    from publisher.models import ContentItem, Township, User
    from publisher.services import content
    from renderer.encode import PROFILES, unit_is_whole

    editor, reviewer = make_user("editor", "editor", township), make_user("rev", "reviewer",
                                                                          township)
    with app.app_context():
        item = content.create_item(db.session.get(User, editor),
                                   db.session.scalar(db.select(Township)), "notice",
                                   {"title": "停电通知", "body": "明天上午停电检修。" * 5})
        content.submit(db.session.get(User, editor), item)
        content.approve(db.session.get(User, reviewer), item)
        item_id = item.id
    ContentClock(app).tick()
    with app.app_context():
        pages = db.session.get(ContentItem, item_id).live_version.pages["jianshan"]
    units = [Path(p["unit"]) for p in pages]
    whole = [u.read_bytes() for u in units]
    enc = PROFILES["720p"]
    assert all(unit_is_whole(u, enc) for u in units)

    units[0].write_bytes(b"")  # the power cut: renamed into place, data never written
    Path(pages[0]["png"]).write_bytes(b"")
    ContentClock(app).tick()  # the clock starts again

    assert [u.read_bytes() for u in units] == whole
    from playlists.plan import load_plan

    plan = load_plan(Path(app.config["PLAN_DIR"]) / "jianshan.json")
    (planned,) = [i for i in plan.items if i.id == f"notice:{item_id}"]
    assert [p.unit for p in planned.pages] == [str(u) for u in units]


def test_in_use_follows_versions_and_withdrawals(app, township, make_user) -> None:  # noqa: ANN001
    """Rendered versions not superseded are in use, unless withdrawn more than a week ago."""
    from publisher.extensions import db
    from publisher.models import RenderState, Township, User, VersionState
    from publisher.services import content

    editor, reviewer = make_user("editor", "editor", township), make_user("rev", "reviewer",
                                                                          township)
    now = datetime.now(UTC)
    with app.app_context():
        made = {}
        for name, withdrawn, state in (("kept", None, VersionState.APPROVED),
                                       ("withdrawn-lately", now - DAY, VersionState.APPROVED),
                                       ("withdrawn-long-ago", now - 8 * DAY, VersionState.APPROVED),
                                       ("superseded", None, VersionState.SUPERSEDED)):
            item = content.create_item(db.session.get(User, editor),
                                       db.session.scalar(db.select(Township)), "notice",
                                       {"title": name, "body": "正文"})
            content.submit(db.session.get(User, editor), item)
            version = content.approve(db.session.get(User, reviewer), item)
            version.render_state, version.state = RenderState.READY, state
            version.pages = {"jianshan": [{"key": name}]}
            item.withdrawn_at = withdrawn
            made[name] = item
        db.session.commit()
        _plan(app, "jianshan", ["aired"], "ident")
        in_use = storage.current_in_use(app.config, now)
    assert in_use.keys == {"kept", "withdrawn-lately", "aired", "ident"}
    assert in_use.channels == {"jianshan"}


def test_the_clock_sweeps_at_start_and_prunes_periodically(app) -> None:  # noqa: ANN001
    from publisher.jobs import housekeeping
    from publisher.jobs.clock import build_scheduler

    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert {"sweep-temporaries", "prune-storage"} <= set(jobs)
    assert jobs["prune-storage"].trigger.interval == housekeeping.PRUNE_EVERY

    orphan = _file(Path(app.config["CACHE_DIR"]) / "units" / ".x.h264.abc.tmp.h264",
                   age=2 * storage.TEMP_SAFE_AGE, now=datetime.now(UTC))
    jobs["sweep-temporaries"].func(*jobs["sweep-temporaries"].args)
    assert not orphan.exists()


def test_disk_settings_come_from_the_environment(monkeypatch, tmp_path) -> None:  # noqa: ANN001
    from publisher.config import load_config, parse_size

    monkeypatch.setenv("VILLAGECAST_DISK_BUDGET", "500M")
    monkeypatch.setenv("VILLAGECAST_DISK_ALARM_PERCENT", "85")
    monkeypatch.setenv("VILLAGECAST_DISK_ALARM_FREE", "2G")
    config = load_config({"DATA_DIR": tmp_path, "SECRET_KEY": "x"})
    assert DiskPolicy.from_config(config) == DiskPolicy(85.0, 2 * 1024**3, 500 * MB)
    assert [parse_size(s) for s in ("1024", "64k", "1.5G", "10GiB")] == [
        1024, 65536, 1536 * MB, 10 * 1024**3]
    with pytest.raises(ValueError, match="not a size"):
        parse_size("lots")


def test_a_failed_repair_keeps_the_old_pages_and_waits_before_trying_again(
    app, township, make_user, monkeypatch  # noqa: ANN001
) -> None:
    from publisher.extensions import db
    from publisher.jobs import pipeline
    from publisher.models import Channel, RenderState, Township, User
    from publisher.services import content

    editor, reviewer = make_user("editor", "editor", township), make_user("rev", "reviewer",
                                                                          township)
    calls = []

    def render(data, channel, now, **options):  # noqa: ANN001, ANN003, ANN202
        calls.append(now)
        if len(calls) < 3:
            raise RuntimeError("ffmpeg is broken")
        return [{"key": "new", "unit": "/new.h264"}]

    monkeypatch.setattr(pipeline, "render_for_channel", render)
    repair = pipeline.UnitRepair()
    with app.app_context():
        item = content.create_item(db.session.get(User, editor),
                                   db.session.scalar(db.select(Township)), "notice",
                                   {"title": "通知", "body": "正文"})
        content.submit(db.session.get(User, editor), item)
        version = content.approve(db.session.get(User, reviewer), item)
        version.render_state = RenderState.READY
        broken = [{"key": "old", "unit": str(Path(app.config["CACHE_DIR"]) / "gone.h264")}]
        version.pages = {"jianshan": broken}
        db.session.commit()
        channel = db.session.get(Channel, 1)
        assert repair.sound_pages(version, channel, NOW) == broken  # failed: old pages kept
        assert repair.sound_pages(version, channel, NOW + timedelta(seconds=30)) == broken
        assert len(calls) == 1  # not tried again on every tick
        repair.sound_pages(version, channel, NOW + pipeline.REPAIR_RETRY)
        assert len(calls) == 2
        fixed = repair.sound_pages(version, channel, NOW + 2 * pipeline.REPAIR_RETRY)
        assert fixed == [{"key": "new", "unit": "/new.h264"}]
        db.session.expire_all()
        assert version.pages["jianshan"] == fixed  # saved
