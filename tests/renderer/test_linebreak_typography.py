"""Line breaking with the real fonts: URLs and Latin words at their own break points, units
kept with their numbers, compressed punctuation, and nothing lost, reordered or too wide."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renderer.breaks import atoms, url_parts
from renderer.fonts import default_fonts
from renderer.linebreak import break_lines
from renderer.spacing import place

SIZE = 40
URL = "https://www.qianyuan.gov.cn/zhengce/2026-03/guangfu_butie.html?id=128&from=tv"


@pytest.fixture(scope="module")
def chain():
    return default_fonts().regular


def test_a_url_is_cut_only_after_its_break_characters():
    assert url_parts(URL) == [
        "https://", "www.", "qianyuan.", "gov.", "cn/", "zhengce/", "2026-03/", "guangfu_",
        "butie.", "html?", "id=", "128&", "from=", "tv",
    ]  # fmt: skip
    # The full stop after an address ends the sentence, not the address.
    assert atoms("见www.gov.cn.")[-1] == "."


def test_a_url_in_running_text_breaks_only_at_its_break_points(chain):
    text = f"请登录网站{URL}下载申请表，或到村委会领取。"
    parts = url_parts(URL)
    ends = {sum(len(p) for p in parts[: i + 1]) for i in range(len(parts))}
    start = text.index(URL)
    for chars in range(12, 30):
        lines = break_lines(text, chain, SIZE, chars * SIZE)
        assert "".join(lines) == text
        at = 0
        for line in lines[:-1]:
            at += len(line)
            if start < at < start + len(URL):
                assert at - start in ends, (chars, line)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Panels from a well-known installer are inspected on site", "well-"),
        ("新能源self-service终端机和自助服务", "self-"),
    ],
)
def test_english_words_break_at_spaces_and_after_hyphens_only(chain, text, word):
    for chars in range(6, 16):
        lines = break_lines(text, chain, SIZE, chars * SIZE)
        rest = text
        for line in lines[:-1]:
            assert rest.startswith(line)
            rest = rest[len(line) :]
            # At a space, after the hyphen, or where Latin meets Han.
            latin = line[-1].isascii() and rest[0].isascii()
            assert rest[0] == " " or line.endswith(word) or not latin, (chars, lines)
            rest = rest.lstrip(" ")
        assert rest == lines[-1]


@pytest.mark.parametrize(
    "kept",
    [
        "12.5 千瓦时", "3 亩", "3–5 亩", "20 m²", "5 kW", "12.5 kWh", "2.4万亩", "120平方米",
        "30公顷", "45立方米", "200升", "3吨", "50公斤", "8,000元", "1.2万元", "15%", "-5℃",
        "20°C", "2.5 L", "100千瓦", "0991-1234567", "186,420.5",
    ],
)  # fmt: skip
def test_a_unit_is_never_separated_from_its_number(chain, kept):
    text = f"本年度全乡新增{kept}，比上年有所增加"
    # From the width that holds the number, its unit and the comma glued to it.
    for chars in range(len(kept) // 2 + 4, 20):
        lines = break_lines(text, chain, SIZE, chars * SIZE)
        assert any(kept in line for line in lines), (chars, lines)


def test_a_latin_unit_needs_to_be_a_whole_word():
    assert "3 Lakes" not in atoms("共3 Lakes")


TEXT = st.lists(
    st.sampled_from(
        list("农户补贴申请发放资金亩元千瓦时，。、：；！？「」『』（）“”《》abc Wxyz0123456789.-/%")
        + ["https://www.gov.cn/a-b/c.html?x=1&y=2", "12.5 千瓦时", "3 亩", "well-known", "kWh"]
    ),
    min_size=1,
    max_size=40,
).map("".join)


@settings(max_examples=120, deadline=None)
@given(text=TEXT, chars=st.integers(3, 20))
def test_breaking_loses_nothing_reorders_nothing_and_never_overflows(text, chars):
    chain = default_fonts().regular
    width = chars * SIZE
    lines = break_lines(text.strip(), chain, SIZE, width)
    # Only spaces at the edges of lines may go.
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        assert chain.measure(line, SIZE) <= width + 0.01 or len(line) == 1
        # A justified line is drawn exactly as wide as the measure, else as measured.
        placed = place(line, chain, SIZE, width)
        assert placed.width == (width if placed.justified else chain.measure(line, SIZE))
