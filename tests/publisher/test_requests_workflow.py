"""The residents' requests ledger (群众诉求): intake, deadlines, steps, SMS to the resident,
overdue, monthly statistics and encryption at rest — on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from publisher.extensions import db
from publisher.models import Cadre, Channel, SmsMessage, Township, User, Village
from publisher.models.requests import RequestEvent, RequestStatus, ResidentRequest
from publisher.requests import intake, ledger, rules, workflow
from publisher.services.errors import FieldError, NotAllowed
from tests.publisher import test_people_support as support

org = support.org  # a fixture: pytest finds it as a module attribute

S = RequestStatus
NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
PHONE = "13911112222"
ZONE = "Asia/Shanghai"


def test_deadline_is_the_end_of_the_local_day_by_category():
    received = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)  # already 4 December in Beijing
    deadline = rules.deadline_for("政策咨询", received, ZONE)
    assert deadline.astimezone(UTC) == datetime(2026, 12, 9, 15, 59, 59, tzinfo=UTC)
    assert rules.deadline_days("基础设施") == 30 and rules.deadline_days("新类别") == 15
    with pytest.raises(rules.RuleError, match="不能早于受理日期"):
        rules.chosen_deadline(datetime(2026, 12, 1).date(), received, ZONE)


def test_every_declared_category_has_a_deadline():
    from renderer.kinds.requests import CATEGORIES

    assert list(rules.DEADLINE_DAYS) == list(CATEGORIES)


@pytest.mark.parametrize(("current", "wanted", "kw", "message"), [
    (S.ACCEPTED, S.RESOLVED, {"note": "修好了"}, "当前状态为“受理”，不能改为“办结”"),
    (S.IN_PROGRESS, S.RESOLVED, {}, "办结须填写办理结果"),
    (S.RESOLVED, S.FOLLOWED_UP, {"satisfaction": "还行"}, "回访须选择群众评价"),
    (S.FOLLOWED_UP, S.IN_PROGRESS, {"note": "x"}, "不能改为“办理中”"),
    (S.IN_PROGRESS, S.ACCEPTED, {}, "不能改为“受理”"),
])
def test_illegal_steps_are_refused_in_chinese(current, wanted, kw, message):
    with pytest.raises(rules.RuleError, match=message):
        rules.check_step(current, wanted, **kw)


def test_legal_steps():
    assert rules.check_step(S.IN_PROGRESS, S.RESOLVED, note="已修复") == "办结"
    assert rules.check_step(S.RESOLVED, S.FOLLOWED_UP, satisfaction="满意") == "回访"
    assert rules.check_step(S.RESOLVED, S.IN_PROGRESS, note="群众说没修好") == "退回重办"


def test_overdue_only_while_open():
    deadline = NOW
    later = NOW + timedelta(seconds=1)
    assert rules.is_overdue(S.IN_PROGRESS, deadline, later)
    assert not rules.is_overdue(S.IN_PROGRESS, deadline, NOW)
    assert not rules.is_overdue(S.RESOLVED, deadline, later)


def _sms_to(number: str) -> list[str]:
    return [m.text for m in db.session.scalars(
        select(SmsMessage).where(SmsMessage.direction == "out", SmsMessage.number == number)
        .order_by(SmsMessage.id))]


def _full_path(app, ids) -> None:  # noqa: ANN001
    """Register, assign, settle, follow up: the resident is texted at every step with its
    own request's number only; each step is logged."""
    with app.app_context():
        township = db.session.get(Township, ids.a)
        editor = db.session.get(User, ids.editor)
        other = intake.intake(township, {"category": "教育", "text": "校车", "village": "张家村",
                                         "resident_name": "赵四", "resident_phone": "13700001111"},
                              source="admin", now=NOW, user=editor)
        row = intake.intake(township, {"category": "基础设施", "village": "张家村",
                                       "resident_name": "王五", "resident_phone": PHONE,
                                       "text": "村口路灯坏了三盏"},
                            source="admin", now=NOW, user=editor)
        db.session.commit()
        assert row.deadline == rules.deadline_for("基础设施", NOW, ZONE)
        cadre = db.session.get(Cadre, ids.cadre)
        workflow.assign(row, cadre, user=editor, now=NOW + timedelta(hours=1))
        db.session.commit()
        cadre_user = db.session.get(User, ids.cadre_user)
        with pytest.raises(NotAllowed):  # the cadre who did the work does not grade it
            workflow.step(row, S.RESOLVED, user=cadre_user, now=NOW + timedelta(days=2),
                          note="已更换灯泡")
            workflow.step(row, S.FOLLOWED_UP, user=cadre_user, now=NOW, satisfaction="满意")
        db.session.rollback()
        row = db.session.get(ResidentRequest, row.id)
        workflow.step(row, S.RESOLVED, user=cadre_user, now=NOW + timedelta(days=2),
                      note="已更换灯泡")
        db.session.commit()
        with pytest.raises(workflow.StepRefused, match="不能改为“办结”"):
            workflow.step(row, S.RESOLVED, user=editor, now=NOW, note="again")
        db.session.rollback()
        workflow.step(row, S.FOLLOWED_UP, user=editor, now=NOW + timedelta(days=3),
                      satisfaction="满意")
        db.session.commit()
        row = db.session.get(ResidentRequest, row.id)
        assert (row.status, row.result, row.satisfaction) == (S.FOLLOWED_UP, "已更换灯泡", "满意")
        texts = _sms_to(PHONE)
        assert len(texts) == 4, texts
        assert texts[0] == f"【监山乡】您的诉求已受理，编号{row.id}，承办时限1月2日。"
        assert texts[1] == f"【监山乡】您的诉求（编号{row.id}）已交张明办理，时限1月2日。"
        assert texts[2] == f"【监山乡】您的诉求（编号{row.id}）已办结。如有疑问请致电0991-1234567。"
        assert texts[3] == f"【监山乡】感谢您对诉求（编号{row.id}）办理情况的评价。"
        for sent in texts:  # nothing of another resident, nor of staff's notes
            assert "赵四" not in sent and "13700001111" not in sent and "灯泡" not in sent
            assert f"编号{other.id}" not in sent
        actions = [(e.action, e.to_status) for e in db.session.scalars(
            select(RequestEvent).where(RequestEvent.request_id == row.id)
            .order_by(RequestEvent.id))]
        assert [a for a in actions if a[0] != "sms"] == [
            ("intake", S.ACCEPTED), ("assign", S.IN_PROGRESS), ("status", S.RESOLVED),
            ("status", S.FOLLOWED_UP)]
        stats = ledger.month_statistics(township, "2026-12", NOW + timedelta(days=4))
        assert (stats.received, stats.resolved, stats.on_time, stats.on_time_rate) == (2, 1, 1, 1.0)
        assert [(c.category, c.received, c.resolved) for c in stats.by_category] == [
            ("基础设施", 1, 1), ("教育", 1, 0)]
        aired = repr(stats.as_dict())
        for personal in ("王五", "赵四", PHONE, "13700001111", "路灯", "校车", "张家村"):
            assert personal not in aired


def test_full_path_on_sqlite(app, org):
    _full_path(app, org)


def test_full_path_on_postgresql(pg_app):
    from tests.publisher.test_people_support import populate

    with pg_app.app_context():
        township = Township(name="监山乡", county="乾元县", duty_phone="0991-1234567")
        db.session.add(township)
        db.session.flush()
        db.session.add_all([Village(township_id=township.id, name="张家村"),
                            Village(township_id=township.id, name="李家沟村"),
                            Channel(township_id=township.id, slug="jianshan", name="频道")])
        db.session.commit()
        township_id = township.id
    _full_path(pg_app, populate(pg_app, township_id))


def test_contact_and_text_are_encrypted_at_rest(app, org):
    with app.app_context():
        township = db.session.get(Township, org.a)
        row = intake.intake(township, {"category": "其他", "text": "低保没有到账",
                                       "resident_name": "王五", "resident_phone": PHONE},
                            source="api", now=NOW)
        db.session.commit()
        raw = db.session.execute(text(
            "SELECT resident_name_enc, phone_enc, phone_digest, text_enc FROM resident_request "
            "WHERE id = :id"), {"id": row.id}).one()
        assert all(PHONE not in v and "王五" not in v and "低保" not in v for v in raw)
        assert db.session.scalar(select(ResidentRequest.id).where(
            ResidentRequest.phone == PHONE)) == row.id


def test_overdue_and_statistics_count_late_settlements(app, org):
    with app.app_context():
        township = db.session.get(Township, org.a)
        late = intake.intake(township, {"category": "政策咨询", "text": "补贴标准"},
                             source="admin", now=NOW)
        open_one = intake.intake(township, {"category": "政策咨询", "text": "医保"},
                                 source="admin", now=NOW)
        cadre = db.session.get(Cadre, org.cadre)
        workflow.assign(late, cadre, user=None, now=NOW)
        after = NOW + timedelta(days=10)
        assert [r.id for r in ledger.overdue(org.a, after)] == [late.id, open_one.id]
        workflow.step(late, S.RESOLVED, user=None, now=after, note="已答复")
        db.session.commit()
        stats = ledger.month_statistics(org.a, "2026-12", after)
        assert (stats.resolved, stats.on_time, stats.on_time_rate) == (1, 0, 0.0)
        assert (stats.open, stats.overdue) == (1, 1)
        assert ledger.month_statistics(org.a, "2026-11", after).received == 0


def test_assigning_checks_the_cadre_and_the_deadline(app, org):
    with app.app_context():
        township = db.session.get(Township, org.a)
        row = intake.intake(township, {"category": "其他", "text": "x"}, source="admin", now=NOW)
        with pytest.raises(FieldError, match="本乡镇在岗的承办干部"):
            workflow.assign(row, db.session.get(Cadre, org.cadre_b), user=None, now=NOW)
        with pytest.raises(FieldError, match="不能早于受理日期"):
            workflow.assign(row, db.session.get(Cadre, org.cadre), user=None, now=NOW,
                            deadline_day=datetime(2026, 11, 1).date())
        with pytest.raises(NotAllowed):
            workflow.assign(row, db.session.get(Cadre, org.cadre),
                            user=db.session.get(User, org.reviewer), now=NOW)


def test_the_demo_ledger_is_seeded_once_and_texts_nobody(app, org):
    from publisher.requests.demo import DEMO, seed_requests

    with app.app_context():
        township = db.session.get(Township, org.a)
        assert "新增" in list(seed_requests(township, NOW))[0]
        assert "已有" in list(seed_requests(township, NOW))[0]
        rows = list(db.session.scalars(select(ResidentRequest)))
        assert len(rows) == len(DEMO) and {r.status for r in rows} == set(S)
        assert all(r.received_at <= NOW and (r.closed_at or NOW) <= NOW for r in rows)
        assert db.session.query(SmsMessage).count() == 0
        assert ledger.month_statistics(township, "2026-11", NOW).received > 0
