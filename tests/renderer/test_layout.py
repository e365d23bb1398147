"""Fitting and pagination: largest size down to the floor, then pages; nothing dropped."""

from __future__ import annotations

import re

import pytest

from renderer.layout import (
    Line,
    Para,
    block_height,
    continued_headings,
    fit_text,
    lay_out_lines,
    page_text,
    paginate,
    paragraphs,
)

PROSE = "补贴资金通过“一卡通”直接发放到农户账户，任何单位和个人不得截留、挪用。"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_short_text_gets_the_largest_size(fake):
    fit = fit_text(paragraphs("你好"), fake, width=1000, heights=[500], max_size=60, min_size=40)
    assert fit.size == 60
    assert len(fit.pages) == 1


def test_text_shrinks_to_fit_before_paginating(fake):
    text = "字" * 100  # 100 em of text
    fit = fit_text(paragraphs(text), fake, width=1000, heights=[300], max_size=60, min_size=30)
    assert len(fit.pages) == 1
    assert 30 <= fit.size < 60
    assert block_height(fit.lines, fit.line_height) <= 300


def test_below_the_floor_it_paginates_instead_of_shrinking(fake):
    text = "字" * 2000
    fit = fit_text(paragraphs(text), fake, width=1000, heights=[300], max_size=60, min_size=40)
    assert fit.size >= 40
    assert len(fit.pages) > 1
    for page in fit.pages:
        assert block_height(page, fit.line_height) <= 300


def test_paginated_text_uses_the_largest_size_with_the_same_page_count(fake):
    text = "字" * 300
    at_floor = fit_text(paragraphs(text), fake, width=500, heights=[300], max_size=40, min_size=40)
    fit = fit_text(paragraphs(text), fake, width=500, heights=[300], max_size=60, min_size=40)
    assert len(fit.pages) == len(at_floor.pages)
    assert fit.size >= at_floor.size


def test_ten_thousand_characters_make_many_pages_and_nothing_is_dropped(fake, fonts):
    body = "\n".join(PROSE * 4 + f"第{i}段，电话0991-1234567，面积3.5亩。" for i in range(90))
    assert len(body) >= 10_000
    for metrics in (fake, fonts.regular):
        fit = fit_text(
            paragraphs(body), metrics, width=1700, heights=[700, 800], max_size=67, min_size=49
        )
        assert len(fit.pages) >= 10
        assert _squash("".join(page_text(p) for p in fit.pages)) == _squash(body)
        caps = [700] + [800] * len(fit.pages)
        for cap, page in zip(caps, fit.pages, strict=False):
            assert block_height(page, fit.line_height) <= cap
        for line in fit.lines:
            assert metrics.measure(line.text, fit.size) <= 1700


def test_empty_text_gives_one_empty_page(fake):
    fit = fit_text([], fake, width=100, heights=[100], max_size=20, min_size=10)
    assert fit.pages == ((),)
    assert paragraphs("") == []
    assert paragraphs("  \n\n ") == []


def _lines(*spec: tuple[int, bool, bool]) -> list[Line]:
    return [Line(f"l{i}", first=first, last=last) for i, (_, first, last) in enumerate(spec)]


def test_widow_control_never_leaves_a_paragraphs_last_line_alone_on_a_page():
    # One paragraph of 5 lines; a page holds 4: a naive split leaves 1 line on page 2.
    lines = [Line(f"l{i}", first=i == 0, last=i == 4) for i in range(5)]
    pages = paginate(lines, 10, [40])
    assert [len(p) for p in pages] == [3, 2]


def test_whole_text_widow_on_the_last_page_takes_a_companion():
    # Single-line paragraphs: the last page would hold just one line.
    lines = [Line(f"l{i}") for i in range(5)]
    pages = paginate(lines, 10, [40])
    assert len(pages[-1]) >= 2
    assert sum(len(p) for p in pages) == 5


def test_a_heading_is_never_the_last_line_of_a_page(fake):
    paras = [Para("一" * 10), Para("标题", "heading"), Para("二" * 10)]
    lines = lay_out_lines(paras, fake, 10, 100, fake)
    # A page holds line + gap + heading, but not the body line after it.
    pages = paginate(lines, 15, [40])
    assert [line.style for line in pages[1]] == ["heading", "body"]
    for page in pages[:-1]:
        assert page[-1].style != "heading"


def test_orphan_first_line_moves_to_the_next_page(fake):
    paras = [Para("一" * 10), Para("二" * 30)]
    lines = lay_out_lines(paras, fake, 10, 100, fake)
    pages = paginate(lines, 15, [36])  # two lines + gap fit, so line 2 would be an orphan
    assert pages[0][-1].last


def test_a_box_smaller_than_one_line_still_makes_progress(fake):
    lines = lay_out_lines(paragraphs("一二三四五六"), fake, 10, 20)
    pages = paginate(lines, 15, [5])
    assert sum(len(p) for p in pages) == len(lines)


def test_markers_make_a_hanging_indent(fake):
    lines = lay_out_lines([Para("一" * 30, marker="1")], fake, 10, 100)
    assert lines[0].marker == "1"
    assert all(line.indent > 0 for line in lines)
    assert all(not line.marker for line in lines[1:])
    assert all(fake.measure(line.text, 10) <= 100 - line.indent for line in lines)


def test_min_above_max_is_refused(fake):
    with pytest.raises(ValueError):
        fit_text(paragraphs("x"), fake, width=10, heights=[10], max_size=10, min_size=20)


def _sections() -> list[Para]:
    return [
        Para("开头说明文字"),
        Para("享受对象", "heading"),
        Para("一" * 30),
        Para("政策内容", "heading"),
        Para("二" * 60),
        Para("三" * 20),
    ]


def test_a_section_continued_on_a_new_page_repeats_its_heading(fake):
    fit = fit_text(
        _sections(), fake, width=100, heights=[60], max_size=10, min_size=10, continued="（续）"
    )
    assert len(fit.pages) > 2
    for page in fit.pages[1:]:
        opener = page[0]
        if opener.text.endswith("（续）"):
            assert opener.style == "heading"
            assert page[1].style != "heading"
        else:
            assert opener.style == "heading"  # a page opening a section needs no repeat
    assert "政策内容（续）" in [p[0].text for p in fit.pages]
    assert "享受对象（续）" in [p[0].text for p in fit.pages]
    for page in fit.pages:
        assert block_height(page, fit.line_height) <= 60
        assert any(line.style != "heading" for line in page)
    drawn = "".join(line.text for line in fit.lines if not line.text.endswith("（续）"))
    assert drawn == "".join(p.text for p in _sections())


def test_a_repeated_heading_is_set_off_from_its_text_like_the_heading_itself():
    under_heading = [Line("政策内容", "heading"), Line("正文", first=True, last=False)]
    under_repeat = [Line("政策内容（续）", "heading"), Line("续文", first=False, last=True)]
    assert block_height(under_repeat, 10) == block_height(under_heading, 10) == 24


def test_without_a_mark_no_heading_is_repeated(fake):
    fit = fit_text(_sections(), fake, width=100, heights=[60], max_size=10, min_size=10)
    assert all("（续）" not in line.text for line in fit.lines)


def test_text_before_the_first_heading_and_headings_themselves_repeat_nothing(fake):
    paras = _sections()
    lines = lay_out_lines(paras, fake, 10, 100, fake)
    resume = continued_headings(paras, lines, fake, 10, 100, fake, "（续）")
    assert resume[0] == ()
    for line, repeat in zip(lines, resume, strict=True):
        if line.style == "heading":
            assert repeat == ()
    assert [r[0].text for r in resume if r] == ["享受对象（续）"] * 3 + ["政策内容（续）"] * 8


def test_widow_rules_hold_with_a_repeated_heading_on_top():
    heading = Line("标题", "heading")
    lines = [heading] + [Line(f"l{i}", first=i == 0, last=i == 6) for i in range(7)]
    repeat = (Line("标题（续）", "heading"),)
    resume = [()] + [repeat] * 7
    pages = paginate(lines, 10, [40], resume)
    assert [line.text for line in pages[1]][0] == "标题（续）"
    assert sum(1 for p in pages for line in p if line.text.startswith("l")) == 7
    for page in pages:
        assert block_height(page, 10) <= 40
        assert page[-1].style != "heading"
    # No page holds just the repeated heading and a paragraph's lone last line.
    assert all(not (len(p) == 2 and p[1].last and not p[1].first) for p in pages[1:])


def test_keep_rules_never_leave_a_heading_alone_on_a_page(fake):
    # Three lines a page: the widow rule, then the orphan rule, then "no heading at the
    # bottom" would back the page off to its heading alone; a widow is the lesser evil.
    paras = [Para("开头"), Para("标题", "heading"), Para("一" * 30)]
    pages = paginate(lay_out_lines(paras, fake, 10, 100, fake), 15, [60])
    for page in pages:
        assert any(line.style != "heading" for line in page), [line.text for line in page]
    assert sum(len(p) for p in pages) == 5
