"""The whereabouts board logic (pure: no app, no database, frozen time)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from publisher.services.whereabouts_board import (
    Board,
    BoardRow,
    CadreRef,
    Report,
    board_json,
    build_board,
    deadline_passed,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 5, 4)
CADRES = [CadreRef(1, "张明", "党委副书记"), CadreRef(2, "李芳", "副乡长"), CadreRef(3, "王刚")]


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def test_deadline_is_by_the_townships_hour_and_past_days_are_always_late():
    assert not deadline_passed(DAY, at(8, 59), 9)
    assert deadline_passed(DAY, at(9, 0), 9)
    assert deadline_passed(date(2026, 5, 3), at(6, 0), 9)
    assert not deadline_passed(date(2026, 5, 5), at(23, 0), 9)  # a day ahead: planned only


def test_missing_cadres_are_flagged_only_after_the_deadline():
    reports = [Report(1, "在村走访", at(7, 40), village="张家村")]
    before = build_board(DAY, CADRES, reports, at(8, 30), 9)
    after = build_board(DAY, CADRES, reports, at(9, 15), 9)
    assert [r.state for r in before.rows] == ["reported", "waiting", "waiting"]
    assert [r.state for r in after.rows] == ["reported", "missing", "missing"]
    assert (after.count("reported"), after.count("missing")) == (1, 2)


def test_the_latest_report_of_the_day_wins_and_order_follows_the_roster():
    reports = [
        Report(2, "乡机关值班", at(10, 0), id=7),
        Report(2, "外出开会", at(8, 0), place="县委", id=5),
        Report(1, "请假", at(8, 0), id=6),
    ]
    board = build_board(DAY, CADRES, reports, at(12), 9)
    assert [r.cadre.name for r in board.rows] == ["张明", "李芳", "王刚"]
    assert board.rows[1].report.status == "乡机关值班"
    assert board.updated_at == at(10, 0)


def test_time_window_text():
    base = dict(cadre_id=1, status="在村走访", reported_at=at(8))
    assert Report(**base, start_time=time(8, 30), end_time=time(12)).time_window == "08:30-12:00"
    assert Report(**base, start_time=time(14)).time_window == "14:00 起"
    assert Report(**base, end_time=time(17, 30)).time_window == "至 17:30"
    assert Report(**base).time_window == ""


def test_board_json_is_the_renderers_whereabouts_item():
    from renderer.item_parser import parse_item
    from renderer.items import WhereaboutsItem

    reports = [Report(1, "在村走访", datetime(2026, 5, 4, 0, 5, tzinfo=UTC), village="张家村",
                      activity="走访困难户", start_time=time(8, 30), end_time=time(11),
                      source="sms")]
    data = board_json(build_board(DAY, CADRES, reports, at(10), 9))
    item = parse_item(data)
    assert isinstance(item, WhereaboutsItem)
    assert item.rows[0].village == "张家村" and item.rows[0].time_window == "08:30-11:00"
    assert item.rows[1].status == "未报告"
    assert data["rows"][0]["reported_at"] == "2026-05-04T08:05:00+08:00"
    assert data["rows"][0]["source"] == "sms" and data["rows"][1]["state"] == "missing"
    assert data["updated_at"] == "2026-05-04T08:05:00+08:00"


def test_times_on_the_board_are_in_the_townships_zone():
    """Xinjiang townships keep Urumqi time (UTC+6): 更新于 must not be Beijing time or UTC."""
    urumqi = ZoneInfo("Asia/Urumqi")
    reported = datetime(2026, 5, 4, 2, 30, tzinfo=UTC)  # 08:30 in Urumqi, 10:30 in Beijing
    now_local = datetime(2026, 5, 4, 9, 0, tzinfo=urumqi)
    board = build_board(DAY, CADRES, [Report(1, "在村走访", reported)], now_local, 9)
    assert board.zone == urumqi
    assert board.updated_at.isoformat() == "2026-05-04T08:30:00+06:00"
    data = board_json(board)
    assert data["updated_at"] == "2026-05-04T08:30:00+06:00"
    assert data["rows"][0]["reported_at"] == "2026-05-04T08:30:00+06:00"


def test_board_counts_by_status_and_lists_the_missing():
    reports = [Report(1, "在村走访", at(7)), Report(2, "在村走访", at(8)),
               Report(2, "请假", at(7, 30))]
    board = build_board(DAY, CADRES + [CadreRef(4, "赵丽")], reports, at(9, 30), 9)
    assert board.by_status == {"在村走访": 2}
    assert [row.cadre.name for row in board.missing] == ["王刚", "赵丽"]


def test_a_township_with_an_unknown_zone_falls_back_to_china_time():
    from types import SimpleNamespace

    from publisher.services.whereabouts_board import local_now, township_zone

    assert township_zone(SimpleNamespace(timezone="")) == SHANGHAI
    assert township_zone(SimpleNamespace(timezone="Mars/Olympus")) == SHANGHAI
    utc_noon = datetime(2026, 5, 4, 12, tzinfo=UTC)
    assert local_now(SimpleNamespace(timezone="Asia/Urumqi"), utc_noon).hour == 18


def test_an_empty_board():
    board = Board(DAY, (), False, 9)
    assert board.updated_at is None and board.count("missing") == 0
    assert BoardRow(CADRES[0], None, "waiting").report is None
