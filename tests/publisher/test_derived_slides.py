"""Derived slides are found through the declarations: a derived kind's workflow registers
its builder (publisher.jobs.derived.slide_builder) and the plan takes every one of them."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from publisher.jobs import derived
from renderer.declare import DERIVED, KindDeclaration
from renderer.kinds import kinds_from, register, unregister

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
DAY = date(2026, 11, 23)


@dataclass(frozen=True)
class _Board:
    type: str = "test_board"


@pytest.fixture
def test_board():
    """A derived kind declared at test time, as a new module in renderer/kinds would be."""
    register(KindDeclaration(name="test_board", label="测试看板", fields=(), item=_Board,
                             template="ident", source=DERIVED, order=75))
    try:
        yield
    finally:
        unregister("test_board")
        derived.BUILDERS.pop("test_board", None)


def test_every_derived_kind_has_its_builder_once_the_app_is_made(app):
    declared = {d.name for d in kinds_from(DERIVED)}
    assert {"roster", "whereabouts", "requests"} <= declared
    assert declared <= set(derived.BUILDERS), declared - set(derived.BUILDERS)


def test_a_new_derived_kind_plugs_in_with_its_builder_alone(app, township, test_board):
    from publisher.extensions import db
    from publisher.models import Township

    @derived.slide_builder("test_board")
    def board(township, day, now):  # noqa: ANN001, ANN202
        item = {"type": "test_board"}
        return derived.Slide("test_board", item, derived.fingerprint(item), f"{day}看板")

    with app.app_context():
        slides = derived.slides(db.session.get(Township, township), DAY, NOW)
    assert [s.kind for s in slides] == ["test_board"]  # nothing else to air in a new township
    assert slides[0].title == "2026-11-23看板"


def test_a_derived_kind_without_a_builder_is_logged_and_left_out(app, township, test_board,
                                                                  caplog):
    from publisher.extensions import db
    from publisher.models import Township

    with app.app_context(), caplog.at_level(logging.ERROR, logger="publisher.jobs.derived"):
        assert derived.slides(db.session.get(Township, township), DAY, NOW) == []
    assert "test_board has no slide builder" in caplog.text


def test_the_ledgers_slide_is_the_months_counts_and_nothing_of_the_residents(app, township):
    """What the plan airs for 群众诉求: counts by category as of the channel's day, and none of
    the names, numbers or words the residents gave (those stay in the ledger, encrypted)."""
    from publisher.extensions import db
    from publisher.models import Cadre, Township
    from publisher.requests import intake, workflow

    given = [("基础设施", "王秀英", "13700001111", "村口路灯坏了一个多月"),
             ("基础设施", "李大爷", "13700002222", "桥面塌了一块"),
             ("医疗卫生", "赵大娘", "13700003333", "卫生室缺常用药")]
    with app.app_context():
        home = db.session.get(Township, township)
        cadre = Cadre(township_id=township, name="张三", phone="13800000001")
        db.session.add(cadre)
        rows = [intake.intake(home, {"category": c, "village": "张家村", "resident_name": n,
                                     "resident_phone": p, "text": t}, source="admin", now=NOW)
                for c, n, p, t in given]
        db.session.flush()
        workflow.assign(rows[0], cadre, user=None, now=NOW)
        workflow.step(rows[0], "resolved", user=None, now=NOW, note="已修好")
        db.session.commit()
        (slide,) = [s for s in derived.slides(home, DAY, NOW) if s.kind == "requests"]
    assert slide.item == {
        "type": "requests", "month": "2026-11-01", "as_of": "2026-11-23", "received": 3,
        "resolved": 1, "on_time_rate": 1.0,
        "rows": [{"category": "基础设施", "received": 2, "resolved": 1},
                 {"category": "医疗卫生", "received": 1, "resolved": 0}]}
    assert slide.title == "11月群众诉求办理情况"
    aired = json.dumps(slide.item, ensure_ascii=False)
    for _category, name, phone, text in given:
        for secret in (name, phone, phone[-4:], text, "张家村"):
            assert secret not in aired
