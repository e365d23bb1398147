"""Texts of emergency messages and reading replies (pure)."""

from dataclasses import replace
from datetime import datetime

import pytest

from publisher.emergency import messages
from publisher.emergency.messages import AlertFacts

FACTS = AlertFacts("张家村", "王大爷", "空巢老人", "张家村3组12号", datetime(2026, 11, 23, 9, 5),
                   is_drill=False)


LONG = AlertFacts("黄土坪村第二村民小组", "欧阳奶奶和孙子欧阳小明", "残疾人家庭",
                  "黄土坪村第二村民小组后山坡上第三排从左数第七户，门口有棵大核桃树",
                  datetime(2026, 11, 23, 23, 59), is_drill=True)


def test_alert_text_says_who_where_when_and_its_reply_code_in_one_part():
    text = messages.alert_text(FACTS, "37")
    assert text == ("【应急呼救】张家村王大爷（空巢老人）09:05呼救，地址：张家村3组12号。"
                    "请立即联系或前往，回复37确认")
    assert len(text) <= messages.SMS_PART


@pytest.mark.parametrize("facts", [FACTS, LONG, replace(LONG, address=""),
                                   replace(FACTS, is_drill=True)])
def test_every_emergency_text_fits_one_ucs2_part(facts):
    texts = [messages.alert_text(facts, "999"), messages.final_text(facts, 12, code="999"),
             messages.cancel_text(facts), messages.ack_reply_text(facts, "999"),
             messages.renotify_text(facts, facts.triggered_local),
             messages.reminder_text(facts, "999", 1440),
             messages.resolve_reply_text(facts, "已送县医院，家属陪同，情况稳定" * 3)]
    assert all(len(t) <= messages.SMS_PART for t in texts), [len(t) for t in texts]
    assert "回复999确认" in texts[0] and "回复999确认" in texts[1] and "办结999" in texts[5]


def test_a_long_address_is_cut_not_the_reply_code():
    text = messages.alert_text(LONG, "37")
    assert "地址：黄土坪村" in text and "…" in text and text.endswith("回复37确认")


def test_drill_is_labelled_in_every_text():
    drill = replace(FACTS, is_drill=True)
    assert messages.alert_text(drill, "11").startswith("【演练·应急呼救】")
    assert "演练无需前往" in messages.alert_text(drill, "11")
    assert messages.final_text(drill, 2, code="11").startswith("【演练·")
    assert messages.cancel_text(drill).startswith("【演练·")


def test_final_text_says_120_and_count_and_voice_reads_the_instructions():
    text = messages.final_text(FACTS, 3, code="37")
    assert "已通知3人未确认" in text and "120" in text and "回复37确认" in text
    assert messages.final_text(FACTS, 0, "请派车。").endswith("请派车。")  # the voice call


def test_link_follows_in_its_own_message_with_the_instructions():
    text = messages.link_text(FACTS, "37", "http://x/emergency/ack/t", "请派车。")
    assert text.startswith("【呼救37】请派车。") and text.endswith("http://x/emergency/ack/t")


def test_which_call_lists_the_open_calls_with_their_codes():
    text = messages.which_call_text([("37", "王大爷"), ("52", "李奶奶")])
    assert "您有2个未结呼救" in text and "37 王大爷" in text and "52 李奶奶" in text
    assert "编号99不是" in messages.which_call_text([("37", "王大爷")], "99")


def test_cancel_text_says_no_need_to_go():
    assert "误报" in messages.cancel_text(FACTS) and "无需前往" in messages.cancel_text(FACTS)


@pytest.mark.parametrize(("text", "reply"), [
    ("1", ("acknowledge", "", "")), ("37", ("acknowledge", "37", "")),
    ("回复 37", ("acknowledge", "37", "")), ("37确认", ("acknowledge", "37", "")),
    ("确认37", ("acknowledge", "37", "")), ("３７", ("acknowledge", "37", "")),
    ("办结 37 已送医", ("resolve", "37", "已送医")),
    ("办结37，已送医", ("resolve", "37", "已送医")),
    ("办结 37", ("resolve", "37", "")), ("办结 已处理", ("resolve", "", "已处理")),
    ("123456", None), ("2", None), ("1234", None), ("去向 张家村", None),
])
def test_parse_reply(text, reply):
    parsed = messages.parse_reply(text)
    assert (parsed and (parsed.action, parsed.code, parsed.note)) == reply


@pytest.mark.parametrize(("text", "yes"), [
    ("1", True), (" 1 ", True), ("１", True), ("1 收到", True), ("1，马上到", True),
    ("确认", True), ("收到", True), ("12", True), ("123456", False), ("2", False),
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
