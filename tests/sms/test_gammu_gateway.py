"""The gammu-smsd FILES gateway: spool files as gammu documents them, and a real daemon."""

import codecs
import os
import time
from datetime import UTC, datetime

import pytest

from publisher.sms.gammu_files import GammuFilesGateway, decode_inbox_file, outbox_name
from publisher.sms.gateway import GatewayError, SendStatus

AT = datetime(2026, 11, 23, 1, 2, 3, tzinfo=UTC)


@pytest.fixture
def gateway(tmp_path):
    return GammuFilesGateway(tmp_path / "spool", settle_seconds=0)


def test_outbox_name_follows_gammus_format():
    name = outbox_name("13800138000", "m17", AT, "A")
    assert name == "OUTA20261123_010203_00_13800138000_m17.txt"


@pytest.mark.parametrize(("args", "message"), [
    (("13800138000", "m_1", AT, "A"), "编号"), (("13800138000", "m1", AT, "a"), "优先级"),
])
def test_outbox_name_refuses_what_gammu_would_misread(args, message):
    with pytest.raises(GatewayError, match=message):
        outbox_name(*args)


def test_send_writes_unicode_file_atomically(gateway):
    name = gateway.send("13800138000", "去向已登记：张家村", ref="m1", priority="A", at=AT)
    data = (gateway.spool / "outbox" / name).read_bytes()
    assert data.startswith(codecs.BOM_UTF16_LE)
    assert data.decode("utf-16") == "去向已登记：张家村"
    assert list((gateway.spool / "tmp").iterdir()) == []


def test_send_with_the_same_ref_queues_nothing_new(gateway):
    first = gateway.send("13800138000", "一", ref="m1", at=AT)
    os.replace(gateway.spool / "outbox" / first, gateway.spool / "sent" / first)
    assert gateway.send("13800138000", "一", ref="m1", at=AT) == first
    assert list((gateway.spool / "outbox").iterdir()) == []


@pytest.mark.parametrize(("number", "text", "message"), [
    ("abc", "hi", "号码无效"), ("13800138000", "  ", "内容为空"),
    ("13800138000", "字" * 501, "过长"), ("1380013800_0", "hi", "号码无效"),
])
def test_send_refuses_bad_messages(gateway, number, text, message):
    with pytest.raises(GatewayError, match=message):
        gateway.send(number, text)
    assert list((gateway.spool / "outbox").iterdir()) == []


def test_status_follows_the_file(gateway):
    name = gateway.send("13800138000", "x", ref="m1", at=AT)
    assert gateway.status(name) == SendStatus.QUEUED
    os.replace(gateway.spool / "outbox" / name, gateway.spool / "sent" / name)
    assert gateway.status(name) == SendStatus.SENT
    os.replace(gateway.spool / "sent" / name, gateway.spool / "error" / name)
    assert gateway.status(name) == SendStatus.FAILED
    assert gateway.status("OUTA_missing.txt") == SendStatus.FAILED


def test_cancel_takes_back_an_unsent_message(gateway):
    name = gateway.send("13800138000", "x", ref="m1", at=AT)
    assert gateway.cancel(name) is True
    assert gateway.status(name) == SendStatus.FAILED
    assert gateway.cancel(name) is False


@pytest.mark.parametrize("data", [
    codecs.BOM_UTF16_BE + "去向 张家村".encode("utf-16-be") + b"\x00\x00\x00\x00",
    codecs.BOM_UTF16_LE + "去向 张家村".encode("utf-16-le"),
    "去向 张家村".encode(),
    "去向 张家村".encode("gb18030"),
])
def test_inbox_files_decode_in_every_encoding_gammu_may_use(data):
    assert decode_inbox_file(data) == "去向 张家村"


def _inbox(gateway, name, text):
    (gateway.spool / "inbox" / name).write_bytes(codecs.BOM_UTF16_BE + text.encode("utf-16-be"))


def test_receive_joins_the_parts_of_a_long_message_and_ack_moves_them(gateway):
    _inbox(gateway, "IN20261123_080000_00_+8613800000001_01.txt", "第二部分")
    _inbox(gateway, "IN20261123_080000_00_+8613800000001_00.txt", "第一部分，")
    _inbox(gateway, "IN20261123_080100_00_+8613900000009_00.txt", "救命")
    (gateway.spool / "inbox" / "README").write_text("not a message")
    first, second = gateway.receive()
    assert (first.number, first.text) == ("+8613800000001", "第一部分，第二部分")
    assert first.received_at == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert second.text == "救命"
    gateway.ack(first)
    assert [m.text for m in gateway.receive()] == ["救命"]
    assert len(list((gateway.spool / "processed").iterdir())) == 2


def test_receive_waits_for_files_still_being_written(tmp_path):
    gateway = GammuFilesGateway(tmp_path / "spool", settle_seconds=5)
    _inbox(gateway, "IN20261123_080000_00_+8613800000001_00.txt", "新")
    assert gateway.receive() == []


@pytest.mark.sms
def test_real_daemon_sends_and_receives_chinese(tmp_path):
    from publisher.sms.dummy_phone import DummyPhone, SmsDaemon
    from publisher.sms.gammu_config import write_config

    spool = tmp_path / "spool"
    gateway = GammuFilesGateway(spool, settle_seconds=0.5)
    with SmsDaemon(write_config(spool)):
        name = gateway.send("13800000001", "【应急呼救】张家村王大爷呼救，回复1接警。", ref="m1",
                            priority="A")
        DummyPhone(spool).deliver("+8613800000002", "1 马上到")
        deadline, received = time.monotonic() + 15, []
        while time.monotonic() < deadline and (
                gateway.status(name) != SendStatus.SENT or not received):
            received = received or gateway.receive()
            time.sleep(0.2)
    assert gateway.status(name) == SendStatus.SENT
    assert (spool / "sent" / name).read_bytes().decode("utf-16").startswith("【应急呼救】")
    ((message),) = received
    assert (message.number, message.text) == ("+8613800000002", "1 马上到")
    # gammu's own log is redacted on its way to disk (publisher.sms.smsd).
    log = (spool / "gammu-smsd.log").read_text()
    assert "Transmitted" in log and "to 138****0001" in log
    assert "13800000001" not in log and "13800000002" not in log


def test_generated_config_points_gammu_at_our_spool(tmp_path):
    from publisher.sms.gammu_config import smsdrc

    text = smsdrc(tmp_path / "spool")
    spool = (tmp_path / "spool").resolve()
    for line in (f"inboxpath = {spool}/inbox/", f"outboxpath = {spool}/outbox/",
                 f"sentsmspath = {spool}/sent/", f"errorsmspath = {spool}/error/",
                 "service = files", "model = dummy", "inboxformat = unicode"):
        assert line in text
    real = smsdrc(tmp_path / "spool", device="/dev/ttyUSB0")
    assert "device = /dev/ttyUSB0" in real and "model = dummy" not in real
