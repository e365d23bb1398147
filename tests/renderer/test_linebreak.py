"""Chinese line breaking: 避头尾 rules, numbers with units, phones, Latin words."""

from __future__ import annotations

import pytest

from renderer import linebreak
from renderer.breaks import NO_END, NO_START
from renderer.linebreak import break_lines


def _lines(text: str, fake, chars: float) -> list[str]:
    # Width in em at size 10: ``chars`` full-width characters per line.
    return break_lines(text, fake, 10, chars * 10)


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


def test_empty_and_whitespace_only_paragraphs_give_no_lines(fake):
    assert _lines("", fake, 5) == []
    assert _lines("   ", fake, 5) == []


@pytest.mark.parametrize("number", ["186,420.5 元", "52,000 元", "3,200 元"])
def test_a_number_with_thousands_separators_is_never_split(fake, number):
    text = "惠农资金：耕地地力保护补贴已发放，共计 " + number + "；农机购置补贴"
    for width in range(8, 30):
        lines = _lines(text, fake, width)
        assert any(number in line for line in lines), (width, lines)


@pytest.mark.parametrize("dot", ["·", "・", "‧", "•"])
def test_a_line_breaks_after_the_dot_of_a_name_never_before_it(fake, dot):
    name = f"阿依古丽{dot}买买提"
    # The fake metrics set ·‧• half an em wide and ・ a full em: 阿依古丽・ just fits 5 em.
    assert _lines(name, fake, 5) == [f"阿依古丽{dot}", "买买提"]
    for width in range(2, 9):
        lines = _lines("妇联主席" + name + "负责妇女工作", fake, width)
        assert all(not line.startswith(dot) for line in lines), (width, lines)


def test_a_dot_that_joins_no_name_still_stays_with_what_follows(fake):
    # A dot after a space (a bullet) is not a name's dot: no line ends right after it.
    text = "所需材料有 ·身份证、户口本"
    for width in range(4, 10):  # 有 ·身 is one cluster, 3 em wide
        lines = _lines(text, fake, width)
        assert all(not line.endswith("·") for line in lines), (width, lines)


def test_a_list_item_cut_near_the_end_of_a_full_line_moves_down_whole(fake):
    text = "各" * 25 + "石门村、黄土坪村"
    assert _lines(text, fake, 32) == ["各" * 25 + "石门村、", "黄土坪村"]


def test_running_text_stays_full_when_the_item_is_long_or_the_line_narrow(fake):
    # Moving a six-character item would leave the line six ems short: it is cut.
    long_item = "各" * 22 + "石门村、黄土坪柳树湾村"
    # (and the lone 村 it would leave is mended by one more character, not the whole item)
    assert _lines(long_item, fake, 32) == ["各" * 22 + "石门村、黄土坪柳树", "湾村"]
    # In a narrow box (10 em) at most 15% of the line may move: 1.5 em.
    assert _lines("一二三四石门村、黄土坪村", fake, 10) == ["一二三四石门村、黄土", "坪村"]


def test_moving_an_item_down_never_costs_running_text_a_line(fake, monkeypatch):
    texts = [
        "请石门村、黄土坪村、柳树湾村、杨家沟村、新街社区、监山村的农户于月底前登记。" * 3,
        "妇联主席阿依古丽·买买提、副主任热依拉·艾买提、委员古丽米拉·吐尔逊到会。" * 2,
    ]
    widths = range(8, 40)
    counts = {(t, w): len(_lines(t, fake, w)) for t in texts for w in widths}
    monkeypatch.setattr(linebreak, "LOOKBACK_EM", 0)  # plain filling
    for (text, width), count in counts.items():
        assert count <= len(_lines(text, fake, width)), (width, text)


def test_running_lists_keep_lines_nearly_full(fake):
    text = "请石门村、黄土坪村、柳树湾村、杨家沟村、新街社区、监山村的农户于月底前登记。" * 6
    for width in (20, 26, 32):
        lines = _lines(text, fake, width)
        assert "".join(lines) == text
        for line in lines[:-1]:
            assert fake.measure(line, 10) >= (width - 3 - 1) * 10, (width, line)


def _cell(text: str, fake, chars: float) -> list[str]:
    return break_lines(text, fake, 10, chars * 10, by_phrase=True)


@pytest.mark.parametrize(
    ("text", "chars", "lines"),
    [
        ("石门村、黄土坪村", 7, ["石门村、", "黄土坪村"]),
        ("新街社区、杨家沟村", 7, ["新街社区、", "杨家沟村"]),
        ("主持党委全面工作，分管党建、纪检", 10.5, ["主持党委全面工作，", "分管党建、纪检"]),
        ("负责基层党建、干部管理、人才工作", 10.5, ["负责基层党建、", "干部管理、人才工作"]),
        # The whole name fits a line: it moves down whole rather than break after its dot.
        ("妇联主席：阿依古丽·买买提", 9, ["妇联主席：", "阿依古丽·买买提"]),
        # It does not fit: it breaks after its dot, not inside a part.
        ("阿依古丽·买买提", 6, ["阿依古丽·", "买买提"]),
        # No lone character on the last line (filling gives 主持召开党委/会，研究防汛工/作).
        ("主持召开党委会，研究防汛工作", 7, ["主持召开", "党委会，", "研究防汛工作"]),
    ],
)
def test_short_fields_break_at_phrase_edges(fake, text, chars, lines):
    assert _cell(text, fake, chars) == lines


def test_short_fields_never_take_more_lines_than_filling_does(fake):
    texts = [
        "驻柳树湾村，负责民政、社会救助、养老服务，联系空巢老人和留守儿童",
        "根据《补贴办法》（2026年修订），每亩补贴120元；“一卡通”发放，请于12月31日前办理！",
        "石门村、黄土坪村、柳树湾村、杨家沟村",
        "Pneumonoultramicroscopicsilicovolcanoconiosis单词",
    ]
    for text in texts:
        for width in range(3, 25):
            cell = _cell(text, fake, width)
            assert "".join(cell).replace(" ", "") == text.replace(" ", "")
            assert len(cell) <= len(_lines(text, fake, width)), (width, cell)
            for line in cell:
                assert line[0] not in NO_START and line[-1] not in NO_END, (width, line)
                assert fake.measure(line, 10) <= width * 10, (width, line)


def test_a_lone_last_character_takes_one_more_from_the_line_before(fake):
    text = "请广大群众注意用火安全，外出时关闭电源，不在室内存放易燃物品。"
    lines = _lines(text, fake, 30)
    assert lines[-1] == "物品。" and len(lines) == 2, lines
    assert "".join(lines) == text


def test_runt_mending_keeps_the_line_count_and_kinsoku(fake):
    for width in range(6, 20):
        text = "为保护耕地地力，提高粮食生产能力（试行）。"
        lines = _lines(text, fake, width)
        assert "".join(lines) == text
        assert all(line[0] not in "，。）" and line[-1] != "（" for line in lines), lines
        if len(lines) > 1:
            assert sum(ch.isalnum() for ch in lines[-1]) >= 2 or len(lines[-2]) < 4, lines
