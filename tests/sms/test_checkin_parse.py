"""The whereabouts SMS parser (pure)."""

from datetime import time

import pytest

from publisher.sms.checkin import (
    CheckIn,
    CheckInError,
    casual_text,
    is_checkin,
    parse_checkin,
)

VILLAGES = ["张家村", "李家沟村", "河西社区"]


@pytest.mark.parametrize(("text", "expected"), [
    ("去向 张家村 走访低保户", CheckIn("在村走访", "张家村", "", "走访低保户")),
    ("去向张家村走访低保户", CheckIn("在村走访", "张家村", "", "走访低保户")),
    ("去向：张家村，走访低保户", CheckIn("在村走访", "张家村", "", "走访低保户")),
    ("去向:张家村", CheckIn("在村走访", "张家村")),
    ("去向　张家村　走访低保户", CheckIn("在村走访", "张家村", "", "走访低保户")),  # 全角空格
    ("去向 张家 入户核查", CheckIn("在村走访", "张家村", "", "入户核查")),
    ("去向 李家沟 危房排查", CheckIn("在村走访", "李家沟村", "", "危房排查")),
    ("去向 河西 调解纠纷", CheckIn("在村走访", "河西社区", "", "调解纠纷")),
    ("去向 在村走访 张家村 慰问", CheckIn("在村走访", "张家村", "", "慰问")),
    ("去向 走访 李家沟村", CheckIn("在村走访", "李家沟村")),
    ("去向 乡机关值班", CheckIn("乡机关值班")),
    ("去向 值班", CheckIn("乡机关值班")),
    ("去向 机关值班 接待来访群众", CheckIn("乡机关值班", activity="接待来访群众")),
    ("去向 请假", CheckIn("请假")),
    ("去向 病假 腰伤", CheckIn("请假", activity="腰伤")),
    ("去向 事假", CheckIn("请假")),
    ("去向 外出开会 县里 参加培训", CheckIn("外出开会", place="县里", activity="参加培训")),
    ("去向 开会 县委党校", CheckIn("外出开会", place="县委党校")),
    ("去向 外出开会", CheckIn("外出开会")),
    ("去向 出差 省城 争取项目", CheckIn("出差", place="省城", activity="争取项目")),
    ("去向 其他 协助派出所", CheckIn("其他", activity="协助派出所")),
    ("QX 张家村 走访", CheckIn("在村走访", "张家村", "", "走访")),
    ("qx 值班", CheckIn("乡机关值班")),
    ("Qx：请假", CheckIn("请假")),
    ("ＱＸ 请假", CheckIn("请假")),  # 全角字母
    ("QX张家村", CheckIn("在村走访", "张家村")),
    ("  去向 请假  ", CheckIn("请假")),
])
def test_parses(text, expected):
    assert parse_checkin(text, VILLAGES) == expected


def test_time_window_is_read_and_removed_from_the_activity():
    result = parse_checkin("去向 张家村 8:30-11:30 入户核查", VILLAGES)
    assert (result.start_time, result.end_time) == (time(8, 30), time(11, 30))
    assert result.activity == "入户核查"


@pytest.mark.parametrize("text", ["去向 值班 8点-17点", "去向 值班 08：00～17：00",
                                  "去向 值班 8:00至17:00"])
def test_time_window_spellings(text):
    result = parse_checkin(text, VILLAGES)
    assert (result.start_time, result.end_time) == (time(8), time(17))


def test_backwards_time_window_is_refused():
    with pytest.raises(CheckInError, match="结束时间"):
        parse_checkin("去向 值班 17:00-8:00", VILLAGES)


@pytest.mark.parametrize(("text", "reason"), [
    ("今天在张家村", "去向"),
    ("去向", "请写明"),
    ("去向   ", "请写明"),
    ("去向 县城 办事", "无法识别"),
    ("去向 走访", "哪个村"),
    ("去向 走访 县城", "哪个村"),
    ("QXYZ 张家村", "去向"),
    ("去向 张家村 " + "走" * 201, "过长"),
])
def test_refuses_with_a_reason(text, reason):
    with pytest.raises(CheckInError, match=reason):
        parse_checkin(text, VILLAGES)


def test_longest_village_name_wins():
    villages = ["张家村", "张家沟村"]
    assert parse_checkin("去向 张家沟村 修路", villages).village == "张家沟村"
    assert parse_checkin("去向 张家村 修路", villages).village == "张家村"


def test_outing_to_a_village_records_the_village():
    result = parse_checkin("去向 开会 张家村 村民大会", VILLAGES)
    assert result == CheckIn("外出开会", village="张家村", activity="村民大会")


@pytest.mark.parametrize(("text", "yes"), [
    ("去向 张家村", True), ("QX 值班", True), ("qx请假", True), ("ＱＸ 请假", True),
    ("1", False), ("去 张家村", False), ("QXYZ", False), ("", False),
])
def test_is_checkin(text, yes):
    assert is_checkin(text) is yes


@pytest.mark.parametrize(("text", "read"), [
    ("今天在张家村走访低保户", "去向 张家村走访低保户"),
    ("我今天上午去李家沟入户核查", "去向 李家沟入户核查"),
    ("在乡值班", "去向 在乡值班"),
    ("今天值班", "去向 值班"),
    ("请假 腰伤", "去向 请假 腰伤"),
    ("张家村 走访", "去向 张家村 走访"),
])
def test_a_report_without_the_keyword_is_read_as_one(text, read):
    assert casual_text(text, VILLAGES) == read
    assert parse_checkin(read, VILLAGES).status  # and it parses


@pytest.mark.parametrize("text", ["收到", "明天开会吗", "今天天气好", "好的，谢谢", ""])
def test_other_texts_are_not_taken_for_reports(text):
    assert casual_text(text, VILLAGES) is None
