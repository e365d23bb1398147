"""Pure helpers of the admin: form ↔ data, diffs, item status, time zones, select options."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from playlists.timezones import local_day_bounds, local_to_utc, utc_to_local, zone
from publisher.admin.diff import as_text, field_diffs, flatten, segments
from publisher.admin.kinds import strip_numbering, text_for_glyph_check
from publisher.admin.queries import date_arg, parse_filters
from publisher.admin.status import ItemStatus, in_window

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("line", "expected"), [
    ("1、带身份证", "带身份证"), ("2. 填表", "填表"), ("３．领证", "领证"), ("（4）签字", "签字"),
    ("第5步：审核", "审核"), ("一、登记", "登记"), ("一站式办理", "一站式办理"),
    ("1.5公斤以上", "1.5公斤以上"), ("10", "10"), ("  到村委会  ", "到村委会"),
])
def test_strip_numbering_drops_only_typed_step_numbers(line, expected):
    assert strip_numbering(line) == expected


def test_glyph_check_text_skips_photo_and_type():
    text = text_for_glyph_check({"type": "produce", "photo": "/x/ab.jpg", "product": "土豆",
                                 "steps": ["一", "二"], "price": None})
    assert text == "土豆一二"


def test_segments_show_short_values_whole_and_long_texts_by_character():
    assert segments("每亩 105.6 元", "每亩 110.5 元") == (("del", "每亩 105.6 元"),
                                                       ("add", "每亩 110.5 元"))
    assert segments("", "新") == (("add", "新"),)
    assert segments("同", "同") == (("same", "同"),)
    # A short text with a word changed shows the word, not the whole value struck through.
    assert segments("耕地地力保护补贴发放通知", "耕地地力保护补贴发放公告") == (
        ("same", "耕地地力保护补贴发放"), ("del", "通知"), ("add", "公告"))
    assert segments("张家村", "李家沟村") == (("del", "张家村"), ("add", "李家沟村"))  # rewritten
    assert segments("2026年补贴", "2027年补贴") == (("del", "2026年补贴"), ("add", "2027年补贴"))
    old = "补贴面积以二轮承包面积为基础，请农户认真核对本户面积，三月底前报村委会。"
    new = "补贴面积以二轮承包面积为基础，请农户认真核对本户面积，四月底前报村委会。"
    parts = segments(old, new)
    assert ("del", "三") in parts and ("add", "四") in parts
    assert "".join(t for op, t in parts if op != "add") == old
    assert "".join(t for op, t in parts if op != "del") == new


def test_field_diffs_flatten_item_data_and_lists():
    old = {"data": {"title": "低保", "steps": ["申请", "公示"], "type": "service"},
           "state": "draft"}
    new = {"data": {"title": "低保", "steps": ["申请", "评议", "公示"]}, "state": "pending"}
    diffs = {d.key: d for d in field_diffs(old, new)}
    assert set(diffs) == {"title", "steps", "state"}  # "type" is not a field staff edit
    assert not diffs["title"].changed
    assert diffs["steps"].new == "1. 申请\n2. 评议\n3. 公示"
    assert [d.key for d in field_diffs(old, new, only_changed=True)] == ["steps", "state"]
    assert field_diffs(None, None) == []
    assert flatten({"data": {"a": 1}, "b": 2}) == {"a": 1, "b": 2}
    assert as_text(True) == "是" and as_text(None) == ""


def _version(number=1, state="approved", start=None, end=None):  # noqa: ANN001, ANN202
    return SimpleNamespace(number=number, state=state, valid_from=start, valid_until=end,
                           render_state="ready")


NOW = datetime(2030, 5, 1, 4, 0, tzinfo=UTC)


def test_in_window_treats_open_ends_as_unbounded():
    assert in_window(_version(), NOW)
    assert not in_window(_version(start=datetime(2030, 5, 2, tzinfo=UTC)), NOW)
    assert not in_window(_version(end=NOW), NOW)  # the end is exclusive
    assert in_window(_version(start=NOW, end=datetime(2030, 6, 1, tzinfo=UTC)), NOW)


def test_item_status_on_air_newer_version_scheduled_expired_withdrawn():
    live, newer = _version(1), _version(2, "pending")
    item = SimpleNamespace(withdrawn_at=None)
    status = ItemStatus(item=item, latest=newer, live=live, now=NOW)
    assert status.on_air and status.has_newer and status.state_label == "待审核"
    scheduled = ItemStatus(item=item, latest=_version(start=datetime(2031, 1, 1, tzinfo=UTC)),
                           live=None, now=NOW)
    assert scheduled.scheduled and not scheduled.on_air
    expired = ItemStatus(item=item, latest=_version(end=datetime(2030, 1, 1, tzinfo=UTC)),
                         live=_version(end=datetime(2030, 1, 1, tzinfo=UTC)), now=NOW)
    assert expired.expired and not expired.on_air
    gone = ItemStatus(item=SimpleNamespace(withdrawn_at=NOW), latest=live, live=live, now=NOW)
    assert gone.withdrawn and not gone.on_air


def test_time_zone_helpers_round_trip_and_day_bounds():
    typed = datetime(2030, 3, 1, 8, 0)
    stored = local_to_utc(typed, SHANGHAI)
    assert stored == datetime(2030, 3, 1, 0, 0, tzinfo=UTC)
    assert utc_to_local(stored, SHANGHAI) == typed
    assert local_to_utc(None, SHANGHAI) is None and utc_to_local(None, SHANGHAI) is None
    start, end = local_day_bounds(date(2030, 3, 1), SHANGHAI)
    assert (start.hour, start.day, end.day) == (16, 28, 1)
    assert zone("Not/AZone") == SHANGHAI and zone("") == SHANGHAI


def test_list_filters_ignore_malformed_values():
    f = parse_filters({"q": "  土豆 ", "state": "approved", "on_air": "yes", "from": "2030-01-02",
                       "to": "junk", "page": "3"})
    assert (f.q, f.state, f.on_air, f.date_from, f.date_to, f.page) == (
        "土豆", "approved", "yes", date(2030, 1, 2), None, 3)
    bad = parse_filters({"state": "deleted", "on_air": "1", "page": "0"})
    assert (bad.state, bad.on_air, bad.page, bad.active) == ("", "", 1, False)
    assert date_arg("0001-01-01") is None and date_arg("2030-02-30") is None


def test_select_fields_declare_their_options_without_deprecated_tuples(app):  # noqa: ANN001
    import warnings

    from publisher.admin.forms import NoticeForm
    from publisher.admin.review_forms import SettingsForm

    with app.test_request_context(), warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        settings, notice = SettingsForm(meta={"csrf": False}), NoticeForm(meta={"csrf": False})
        hours = [(c.value, c.label) for c in settings.checkin_deadline_hour.iter_choices()]
        categories = [(c.value, c.label) for c in notice.category.iter_choices()]
    assert hours[0] == (5, "5:00") and hours[-1] == (12, "12:00") and len(hours) == 8
    assert categories == [("通知公告", "通知公告"), ("村务公开", "村务公开")]
