"""Derived slides are found through the declarations: a derived kind's workflow registers
its builder (publisher.jobs.derived.slide_builder) and the plan takes every one of them."""

from __future__ import annotations

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
