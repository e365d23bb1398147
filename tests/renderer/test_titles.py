"""Wrapped titles: broken where their phrases end, set as even lines."""

from __future__ import annotations

import pytest

from renderer.layout import Para, lay_out_lines
from renderer.titles import balanced_lines


def _title(text: str, fake, chars: float) -> list[str]:
    return [line.text for line in balanced_lines([Para(text, "title")], fake, 10, chars * 10)]


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        # Before a conjunction, not inside 补贴 as filling would (…保护补/贴发放通知).
        (
            "2026年一次性补贴及耕地地力保护补贴发放通知",
            ["2026年一次性补贴", "及耕地地力保护补贴发放通知"],
        ),
        # Both are phrase edges (filling gives …（财务公开）/工作的通知): the even one wins.
        (
            "关于做好农村低保申请（财务公开）工作的通知",
            ["关于做好农村低保申请", "（财务公开）工作的通知"],
        ),
        # After a comma, not inside a phrase (filling gives …注意/防寒保暖。).
        (
            "今晚有大风降温，请关好门窗，注意防寒保暖。",
            ["今晚有大风降温，", "请关好门窗，注意防寒保暖。"],
        ),
    ],
)
def test_a_two_line_title_breaks_where_a_phrase_ends(fake, text, lines):
    assert _title(text, fake, 16) == lines


def test_several_paragraphs_are_set_as_even_lines_in_no_more_lines(fake):
    paras = [Para("第一段文字比较长一些的内容"), Para("第二段")]
    filled = lay_out_lines(paras, fake, 10, 100)
    balanced = balanced_lines(paras, fake, 10, 100)
    assert [line.text for line in filled] == ["第一段文字比较长一些", "的内容", "第二段"]
    assert [line.text for line in balanced] == ["第一段文字比较", "长一些的内容", "第二段"]


def test_a_title_that_fits_one_line_is_left_alone(fake):
    assert _title("防汛通知", fake, 16) == ["防汛通知"]
