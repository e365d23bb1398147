"""Chinese line breaking: 避头尾 rules, numbers with units, phones, Latin words."""

from __future__ import annotations

import pytest

from renderer.linebreak import NO_END, NO_START, atoms, break_lines, clusters


def _lines(text: str, fake, chars: float) -> list[str]:
    # Width in em at size 10: ``chars`` full-width characters per line.
    return break_lines(text, fake, 10, chars * 10)


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


@pytest.mark.parametrize("closing", list("，。、；：？！）》」』】〉…’”") + list(",.;:?!)]}"))
def test_closing_punctuation_never_starts_a_line(fake, closing):
    text = "一二三四五" + closing + "六七八"
    # Exactly five characters fit: the punctuation would land at the start of line 2.
    lines = _lines(text, fake, 5)
    assert all(line[0] not in NO_START for line in lines)
    assert "".join(lines) == text


@pytest.mark.parametrize("opening", list("（《「『【〈‘“") + list("([{"))
def test_opening_punctuation_never_ends_a_line(fake, opening):
    text = "一二三四" + opening + "五六七八"
    lines = _lines(text, fake, 5)
    assert all(line[-1] not in NO_END for line in lines)
    assert "".join(lines) == text


def test_every_line_obeys_both_rules_in_real_prose(fake):
    text = "根据《补贴办法》（2026年修订），每亩补贴120元；“一卡通”发放，请于12月31日前办理！" * 6
    for width in range(4, 30):
        lines = _lines(text, fake, width)
        assert "".join(lines) == text
        for line in lines:
            assert line[0] not in NO_START, (width, line)
            assert line[-1] not in NO_END, (width, line)


@pytest.mark.parametrize(
    "keep",
    ["1200元", "3.5亩", "50%", "2026年11月22日", "0991-1234567", "13800138000", "Internet"],
)
def test_units_phones_dates_and_words_are_not_split_across_lines(fake, keep):
    text = "这是一段测试文字" + keep + "之后还有一些文字内容"
    for width in range(len(keep), 20):
        lines = _lines(text, fake, width)
        assert any(keep in line for line in lines), (width, lines)


def test_lines_never_exceed_the_width(fake):
    text = "混合English文字和数字12345与标点，测试！" * 5
    for width in range(3, 25):
        for line in _lines(text, fake, width):
            assert fake.measure(line, 10) <= width * 10


def test_a_word_longer_than_the_line_is_force_broken_not_overflowing(fake):
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis"
    lines = _lines("单词" + word + "结束", fake, 6)
    assert "".join(lines) == "单词" + word + "结束"
    assert all(fake.measure(line, 10) <= 60 for line in lines)
    assert len(lines) > 3


def test_latin_words_break_at_spaces_and_keep_them_inside_lines(fake):
    lines = _lines("hello world from the village channel", fake, 6)
    assert lines == ["hello world", "from the", "village", "channel"]


def test_mixed_scripts_break_between_han_and_latin(fake):
    lines = _lines("请扫码关注WeChat公众号", fake, 6)
    assert "".join(lines) == "请扫码关注WeChat公众号"
    assert lines[0] == "请扫码关注"  # WeChat (3 em) does not fit after 5 Han characters
    assert any("WeChat" in line for line in lines)


def test_space_before_closing_punctuation_is_kept_with_the_word():
    assert clusters("word ，next")[0] == ("word ，", False)


def test_empty_and_whitespace_only_paragraphs_give_no_lines(fake):
    assert _lines("", fake, 5) == []
    assert _lines("   ", fake, 5) == []


def test_dashes_and_ellipses_stay_whole():
    assert "——" in atoms("他说——好的")
    assert clusters("等等……")[-1] == ("等……", False)
