"""Incoming SMS: cadre check-ins, unknown senders, and never losing a message."""

import codecs
from datetime import date, time

import pytest

from .conftest import CADRE_PHONE


def _arrive(app, text, number="+86" + CADRE_PHONE, name="IN20261123_073000_00_{n}_00.txt"):
    spool = app.config["SMS_SPOOL_DIR"]
    (spool / "inbox").mkdir(parents=True, exist_ok=True)
    path = spool / "inbox" / name.format(n=number)
    path.write_bytes(codecs.BOM_UTF16_BE + text.encode("utf-16-be"))
    return path


@pytest.fixture
def poll(app, clock):
    from publisher.extensions import db
    from publisher.inbound import dispatcher
    from publisher.sms import store
    from publisher.sms.gammu_files import GammuFilesGateway

    def run():
        app.config["SMS_GATEWAY"] = GammuFilesGateway(app.config["SMS_SPOOL_DIR"],
                                                      settle_seconds=0)
        with app.app_context():
            count = store.poll_inbox(dispatcher.handle, clock())
            db.session.remove()
            return count
    return run


def _rows(app, model, **filters):
    from publisher.extensions import db

    with app.app_context():
        rows = db.session.query(model).filter_by(**filters).order_by(model.id).all()
        db.session.expunge_all()
        return rows


def test_cadre_check_in_becomes_todays_whereabouts_and_is_confirmed(app, cadre, clock, poll):
    from publisher.models import AuditEvent, SmsMessage, Whereabouts

    _arrive(app, "去向 张家村 走访低保户")
    assert poll() == 1
    (row,) = _rows(app, Whereabouts)
    # 23:30 UTC on the 22nd is 07:30 on the 23rd in the township's zone
    assert (row.day, row.status, row.village_id, row.activity, row.source) == (
        date(2026, 11, 23), "在村走访", cadre.village, "走访低保户", "sms")
    inbound, reply = _rows(app, SmsMessage)
    assert (inbound.handled_as, inbound.status, inbound.related_id) == ("checkin", "handled",
                                                                        row.id)
    assert reply.number == CADRE_PHONE and reply.reply_to_id == inbound.id
    assert reply.text == "张三，已登记11月23日去向：在村走访 张家村 走访低保户。"
    assert _rows(app, AuditEvent, action="whereabouts")[0].summary.startswith("张三 2026-11-23")


@pytest.mark.parametrize(("text", "status", "place", "activity"), [
    ("去向 乡机关值班", "乡机关值班", "", ""),
    ("QX 请假", "请假", "", ""),
    ("去向：外出开会　县里　参加培训", "外出开会", "县里", "参加培训"),
])
def test_other_statuses(app, cadre, poll, text, status, place, activity):
    from publisher.models import Whereabouts

    _arrive(app, text)
    poll()
    (row,) = _rows(app, Whereabouts)
    assert (row.status, row.place, row.activity, row.village_id) == (status, place, activity,
                                                                      None)


def test_time_window_is_stored(app, cadre, poll):
    from publisher.models import Whereabouts

    _arrive(app, "去向 张家村 8:30-11:30 入户")
    poll()
    (row,) = _rows(app, Whereabouts)
    assert (row.start_time, row.end_time) == (time(8, 30), time(11, 30))


def test_a_cadre_who_leaves_out_the_keyword_is_still_checked_in(app, cadre, poll):
    from publisher.models import SmsMessage, Whereabouts

    _arrive(app, "今天在张家村走访低保户")
    poll()
    (row,) = _rows(app, Whereabouts)
    assert (row.status, row.village_id, row.activity) == ("在村走访", cadre.village, "走访低保户")
    inbound, reply = _rows(app, SmsMessage)
    assert (inbound.handled_as, inbound.status) == ("checkin", "handled")
    assert reply.text == "张三，已登记11月23日去向：在村走访 张家村 走访低保户。"


def test_a_cadres_other_text_still_gets_the_format(app, cadre, poll):
    from publisher.models import SmsMessage, Whereabouts

    _arrive(app, "收到，明天开会吗")
    poll()
    assert _rows(app, Whereabouts) == []
    inbound, reply = _rows(app, SmsMessage)
    assert inbound.status == "unmatched" and "去向短信格式" in reply.text


def test_unparseable_check_in_is_kept_raw_with_a_usage_reply(app, cadre, poll):
    from publisher.models import SmsMessage, Whereabouts

    _arrive(app, "去向 县城 办事")
    poll()
    assert _rows(app, Whereabouts) == []
    inbound, reply = _rows(app, SmsMessage)
    assert inbound.status == "unmatched" and "无法识别" in inbound.error
    assert inbound.raw and "去向短信格式" in reply.text


def test_unknown_sender_gets_one_usage_reply_per_hour(app, cadre, clock, poll):
    from publisher.models import SmsMessage

    _arrive(app, "去向 张家村", number="+8613500000000")
    poll()
    clock.advance(minutes=10)
    # Empty: never a resident's request (any other text from a stranger is one), refused
    # with the same reply, which goes out at most once an hour.
    _arrive(app, "", number="+8613500000000", name="IN20261123_074000_00_{n}_00.txt")
    poll()
    rows = _rows(app, SmsMessage)
    assert [(r.direction, r.status) for r in rows] == [("in", "unmatched"), ("out", "pending"),
                                                       ("in", "unmatched")]
    assert "未登记" in rows[1].text


def test_service_numbers_get_no_automatic_reply(app, cadre, poll):
    from publisher.models import SmsMessage

    _arrive(app, "您本月话费余额为10元", number="10086")
    poll()
    assert [r.direction for r in _rows(app, SmsMessage)] == ["in"]


def test_staff_page_lists_unmatched_messages(app, client, auth, cadre, make_user, poll):
    # A check-in from a number no cadre has: kept unmatched (other texts from a stranger are
    # residents' requests).
    _arrive(app, "去向 这是什么号码", number="+8613500000000")
    poll()
    make_user("boss", role="admin", township_id=cadre.township)
    auth.login("boss")
    html = client.get("/emergency/sms").get_data(as_text=True)
    assert "这是什么号码" in html and "135****0000" in html and "13500000000" not in html
    html = client.get("/emergency/sms?full=1").get_data(as_text=True)  # audited
    assert "13500000000" in html


def test_inbox_file_is_moved_only_after_the_message_is_stored(app, cadre, clock, poll):
    from publisher.extensions import db
    from publisher.inbound import dispatcher
    from publisher.models import SmsMessage
    from publisher.sms import store
    from publisher.sms.gammu_files import GammuFilesGateway

    path = _arrive(app, "去向 值班")

    class CrashOnAck(GammuFilesGateway):
        def ack(self, message):
            raise RuntimeError("power cut")

    app.config["SMS_GATEWAY"] = CrashOnAck(app.config["SMS_SPOOL_DIR"], settle_seconds=0)
    with app.app_context(), pytest.raises(RuntimeError):
        store.poll_inbox(dispatcher.handle, clock())
    assert path.exists()  # still in gammu's inbox
    assert poll() == 0  # seen again: recognised, not handled twice, now acknowledged
    assert not path.exists()
    assert [r.direction for r in _rows(app, SmsMessage)] == ["in", "out"]
    with app.app_context():
        assert db.session.query(SmsMessage).filter_by(direction="in").count() == 1


def test_a_handler_error_still_keeps_the_message(app, cadre, clock, poll, monkeypatch):
    from publisher.inbound import dispatcher
    from publisher.models import SmsMessage

    def broken(message, now):
        raise ValueError("bug")

    monkeypatch.setattr(dispatcher, "handle", broken)
    _arrive(app, "去向 值班")
    poll()
    (row,) = _rows(app, SmsMessage)
    assert row.status == "unmatched" and "bug" in row.error and row.text == "去向 值班"


def test_record_whereabouts_validates_and_audits(app, cadre, clock):
    from publisher.extensions import db
    from publisher.models import AuditEvent, Cadre, Township, Village
    from publisher.services.errors import ServiceError
    from publisher.services.whereabouts import record_whereabouts, township_today

    with app.app_context():
        row = db.session.get(Cadre, cadre.id)
        day = township_today(row, clock())
        assert day == date(2026, 11, 23)
        for kwargs, message in [({"status": "摸鱼"}, "未知的去向状态"),
                                ({"status": "在村走访"}, "哪个村"),
                                ({"status": "请假", "source": "fax"}, "上报方式"),
                                ({"status": "请假", "activity": "x" * 201}, "最多"),
                                ({"status": "请假", "start_time": time(9), "end_time": time(8)},
                                 "晚于")]:
            with pytest.raises(ServiceError, match=message):
                record_whereabouts(row, day, **kwargs)
        elsewhere = Township(name="别的乡")
        db.session.add(elsewhere)
        db.session.flush()
        foreign = Village(township_id=elsewhere.id, name="外乡村")
        db.session.add(foreign)
        db.session.commit()
        with pytest.raises(ServiceError, match="不属于本乡镇"):
            record_whereabouts(row, day, "在村走访", village_id=foreign.id)
        saved = record_whereabouts(row, day, "在村走访", village_id=cadre.village,
                                   activity="走访", source="web")
        assert saved.id and db.session.query(AuditEvent).filter_by(
            action="whereabouts").count() == 1


def test_odd_inbox_files_are_handled_without_harm(app, cadre, poll):
    """A data (8-bit) message is kept raw as unmatched; files gammu would not name like
    that are left alone; an empty text gets the usage reply."""
    from publisher.models import SmsMessage, Whereabouts

    spool = app.config["SMS_SPOOL_DIR"]
    (spool / "inbox").mkdir(parents=True, exist_ok=True)
    (spool / "inbox" / "IN20261123_073000_00_+8613800000001_00.bin").write_bytes(b"\x00\xff\x10")
    (spool / "inbox" / "notes.txt").write_text("not from gammu")
    _arrive(app, "", name="IN20261123_073100_00_{n}_00.txt")
    assert poll() == 2
    rows = _rows(app, SmsMessage, direction="in")
    assert [(r.text, r.status) for r in rows] == [("", "unmatched"), ("", "unmatched")]
    assert "00ff10" in rows[0].raw
    assert _rows(app, Whereabouts) == []
    assert (spool / "inbox" / "notes.txt").exists()


def test_http_inbox_with_garbage_changes_nothing(app, clock):
    from publisher.inbound import dispatcher
    from publisher.sms import store
    from publisher.sms.gateway import GatewayError, SmsGateway

    class Broken(SmsGateway):
        name = "broken"

        def send(self, *a, **k):
            raise GatewayError("x")

        def receive(self):
            raise GatewayError("网关收件箱格式错误。")

        def ack(self, message):
            raise AssertionError("nothing to acknowledge")

        def status(self, gateway_id):
            raise GatewayError("x")

    app.config["SMS_GATEWAY"] = Broken()
    with app.app_context():
        assert store.poll_inbox(dispatcher.handle, clock()) == 0
