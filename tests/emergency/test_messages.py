"""Texts of emergency messages and reading replies (pure)."""

from dataclasses import replace
from datetime import datetime

import pytest

from publisher.emergency import messages
from publisher.emergency.messages import AlertFacts

FACTS = AlertFacts("张家村", "王大爷", "空巢老人", "张家村3组12号", datetime(2026, 11, 23, 9, 5),
                   is_drill=False)


def test_alert_text_says_who_where_when_and_how_to_answer():
    text = messages.alert_text(FACTS, "http://x/emergency/ack/t")
    assert text.startswith("【应急呼救】张家村王大爷（空巢老人）09:05呼救")
    assert "张家村3组12号" in text and "回复1" in text and text.endswith("http://x/emergency/ack/t")


def test_drill_is_labelled_in_every_text():
    drill = replace(FACTS, is_drill=True)
    assert messages.alert_text(drill).startswith("【演练·应急呼救】")
    assert "这是演练" in messages.alert_text(drill)
    assert messages.final_text(drill, 2, "").startswith("【演练·")
    assert messages.cancel_text(drill).startswith("【演练·")


def test_final_text_includes_120_instructions_and_count():
    text = messages.final_text(FACTS, 3, "")
    assert "已通知3人均未确认" in text and "120" in text
    assert "请派车" in messages.final_text(FACTS, 0, "请派车。")


def test_cancel_text_says_no_need_to_go():
    assert "误报" in messages.cancel_text(FACTS) and "无需前往" in messages.cancel_text(FACTS)


@pytest.mark.parametrize(("text", "yes"), [
    ("1", True), (" 1 ", True), ("１", True), ("1 收到", True), ("1，马上到", True),
    ("确认", True), ("收到", True), ("12", False), ("123456", False), ("2", False),
    ("", False), ("去向 张家村", False),
])
def test_is_ack(text, yes):
    assert messages.is_ack(text) is yes


@pytest.mark.parametrize(("text", "code"), [
    ("123456", "123456"), ("验证 654321", "654321"), ("YZ123456", "123456"),
    ("１２３４５６", "123456"), ("12345", None), ("1234567", None), ("1", None),
])
def test_verification_code(text, code):
    assert messages.verification_code(text) == code


@pytest.mark.parametrize(("text", "yes"), [("测试", True), ("CS", True), ("test", True),
                                           ("测试一下", False), ("1", False)])
def test_is_test(text, yes):
    assert messages.is_test(text) is yes
