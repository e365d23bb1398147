"""Where a line may break: numbers with units, dates, phones and words as single atoms."""

from __future__ import annotations

import pytest

from renderer.breaks import atoms, clusters


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("补贴每亩1200元发放", "1200元"),
        ("共计3.5亩耕地", "3.5亩"),
        ("比例不低于50%的农户", "50%"),
        ("于2026年11月22日前办理", "2026年11月22日"),
        ("11月22日截止", "11月22日"),
        ("电话0991-1234567咨询", "0991-1234567"),
        ("手机13800138000联系", "13800138000"),
        ("单价4.5元/斤起", "4.5元/斤"),
        ("需要30个工作日办结", "30个工作日"),
        ("上午8:30-12:00办公", "8:30-12:00"),
        ("使用GPS定位", "GPS"),
        ("见第1/3页内容", "第1/3页"),
    ],
)
def test_numbers_units_dates_phones_and_words_are_single_atoms(text, unit):
    assert unit in atoms(text)


def test_space_before_closing_punctuation_is_kept_with_the_word():
    assert clusters("word ，next")[0] == ("word ，", False)


def test_dashes_and_ellipses_stay_whole():
    assert "——" in atoms("他说——好的")
    assert clusters("等等……")[-1] == ("等……", False)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("共计 186,420.5 元；", "186,420.5 元"),
        ("上级转移支付 52,000 元", "52,000 元"),
        ("补贴12,345,678元整", "12,345,678元整"),
        ("收益12,450元", "12,450元"),
        ("共１,０００元", "１,０００元"),
        ("临时救助 3 人次", "3 人次"),
    ],
)
def test_thousands_separators_and_a_spaced_unit_stay_in_the_number(text, number):
    assert number in atoms(text)


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("2024,2025年", "2024"),  # four digits after the comma: two numbers
        ("1,2345元", "1"),
        ("第1,2,3项", "第1"),  # a list of small numbers
        ("1，000元", "1"),  # a full-width comma separates list items
    ],
)
def test_only_an_ascii_comma_before_exactly_three_digits_joins_a_number(text, first):
    assert atoms(text)[0] == first
