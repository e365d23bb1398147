"""Item validation: typed items out, clear Chinese errors naming the field."""

from __future__ import annotations

import re
from datetime import date

import pytest

from renderer.item_parser import parse_item
from renderer.items import ItemError
from tests.renderer import samples


@pytest.mark.parametrize("kind", list(samples.ALL))
def test_every_sample_parses(kind):
    assert parse_item(samples.ALL[kind]).type == kind


def test_fields_are_typed_and_trimmed():
    item = parse_item({"type": "policy", "title": "  标题 ", "deadline": "2026-12-31"})
    assert item.title == "标题"
    assert item.deadline == date(2026, 12, 31)
    assert item.amount == "" and item.body == ""


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"type": "policy"}, "title"),
        ({"type": "policy", "title": ""}, "title"),
        ({"type": "policy", "title": "x", "deadline": "明年"}, "deadline"),
        ({"type": "policy", "title": "x", "version": "2"}, "version"),
        ({"type": "produce", "product": "土豆", "phone": "call me"}, "phone"),
        ({"type": "produce"}, "product"),
        ({"type": "notice", "title": "x", "category": "其他"}, "category"),
        ({"type": "service", "title": "x", "steps": "一步"}, "steps"),
        ({"type": "service", "title": "x", "steps": [1, {"a": 1}]}, "steps[1]"),
        ({"type": "roster", "rows": [{"post": "乡长"}]}, "rows[0].name"),
        ({"type": "whereabouts", "rows": ["x"]}, "rows[0]"),
        ({"type": "whereabouts", "updated_at": "9点半"}, "updated_at"),
        ({"type": "alert", "title": "字" * 61}, "title"),
        ({"type": "weather"}, "type"),
        ({}, "type"),
    ],
)
def test_errors_name_the_field_in_chinese(data, field):
    with pytest.raises(ItemError) as err:
        parse_item(data)
    message = str(err.value)
    assert field in message or getattr(err.value, "field", None) == field
    assert re.search(r"[\u4e00-\u9fff]", message)  # Chinese
    assert not re.search(r"\b(field|item|must|longer|required)\b", message)  # no English


def test_non_object_is_refused():
    with pytest.raises(ItemError):
        parse_item(["policy"])


def test_optional_fields_may_be_null_or_missing():
    item = parse_item({"type": "produce", "product": "蜂蜜", "photo": None, "price": None})
    assert item.photo == "" and item.price == ""
    empty = parse_item({"type": "whereabouts"})
    assert empty.rows == () and empty.date is None
    row = parse_item({"type": "whereabouts", "rows": [{"name": "王五"}]}).rows[0]
    assert row.status == "未报告"
