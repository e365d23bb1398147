"""Control, format and replacement characters are removed before text reaches a page."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renderer.fonts import default_fonts
from renderer.item_parser import parse_item
from renderer.sanitise import clean_text, invisible

DROPPED = [
    "\x00", "\x07", "\x1b", "\x7f", "\x9b",  # C0 and C1 controls
    "\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad",  # zero-width, BOM, soft hyphen
    "\u202e", "\u202d", "\u2066", "\u200f",  # bidi overrides, isolates, marks
    "\ufffd", "\ufffc",  # what a broken decoding or a pasted object leaves
    "\ufe0f", "\U000e0100",  # variation selectors
    "\ufdd0", "\uffff",  # noncharacters
]  # fmt: skip


@pytest.mark.parametrize("ch", DROPPED)
def test_an_invisible_character_is_removed(ch):
    assert invisible(ch)
    assert clean_text(f"通知{ch}公告") == "通知公告"


@pytest.mark.parametrize("ch", ["通", "a", " ", "\u3000", "\u00a0", "〓", "\ue000", "é", "·"])
def test_visible_characters_and_spaces_stay(ch):
    assert not invisible(ch)
    assert clean_text(f"通知{ch}公告") == f"通知{ch}公告"


@pytest.mark.parametrize("brk", ["\r\n", "\r", "\n", "\x85", "\u2028", "\u2029", "\v", "\f"])
def test_every_line_break_is_a_newline_or_a_space(brk):
    assert clean_text(f"第一段{brk}第二段", multiline=True) == "第一段\n第二段"
    assert clean_text(f"第一段{brk}第二段") == "第一段 第二段"
    assert clean_text("标题\t副题") == "标题 副题"


@given(st.text())
def test_cleaning_keeps_every_visible_character_in_order_and_is_idempotent(value):
    out = clean_text(value, multiline=True)
    assert not any(invisible(c) for c in out if c != "\n")
    assert clean_text(out, multiline=True) == out
    # No visible character is lost, added or moved.
    visible = [c for c in value if not c.isspace() and not invisible(c)]
    assert [c for c in out if not c.isspace()] == visible


def test_the_item_door_cleans_every_text_field():
    item = parse_item(
        {"type": "notice", "title": "通知\u202e公告\x00", "body": "第一段\u2028第二段\ufffd"}
    )
    assert item.title == "通知公告"
    assert item.body == "第一段\n第二段"


def test_text_that_bypassed_the_door_is_set_without_the_invisible_characters():
    chain = default_fonts().regular
    assert chain.measure("乡村\x00频道\u202e", 40) == chain.measure("乡村频道", 40)
    assert "".join(run.text for run in chain.runs("乡村\x00频道\ufeff")) == "乡村频道"
    assert not chain.missing("\x00\u200b")  # removed, so not reported as a missing glyph
