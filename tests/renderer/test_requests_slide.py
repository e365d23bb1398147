"""群众诉求办理情况: the ledger's statistics slide in every profile, and its declaration."""

from __future__ import annotations

import dataclasses
from datetime import date
from functools import cache

import pytest

from renderer.declare import ItemError
from renderer.draw import Mark
from renderer.fonts import default_fonts
from renderer.kinds import requests as kind
from renderer.kinds.requests import CATEGORIES, CategoryCount, RequestStats
from renderer.page import Ctx
from renderer.profiles import PROFILES
from renderer.templates import requests as template
from renderer.theme import contrast_ratio
from tests.renderer.conftest import TODAY, make_branding

TICKER = "今晚有大风降温，请关好门窗，注意防寒保暖。"
MONTH = date(2026, 11, 1)
ALL = RequestStats(MONTH, 23, 17, 15 / 17, tuple(
    CategoryCount(c, 9 - i, 8 - i) for i, c in enumerate(CATEGORIES)), as_of=TODAY)
CASES = {
    "all-categories": ALL,
    "few": RequestStats(MONTH, 4, 2, 1.0, ALL.rows[:2], as_of=TODAY),
    "empty": RequestStats(MONTH, 0, 0, None, ()),
}


@cache
def rendered(name: str, profile: str, ticker: bool):
    ctx = Ctx(PROFILES[profile], make_branding(TICKER if ticker else ""), default_fonts(), TODAY)
    specs = template.plan(CASES[name], ctx)
    return ctx, specs, [template.draw(spec, ctx) for spec in specs]


def _texts(canvas) -> list[Mark]:
    return [m for m in canvas.marks if m.kind == "text"]


GRID = [(n, p, t) for n in CASES for p in PROFILES for t in (False, True)]


@pytest.mark.parametrize(("name", "profile", "ticker"), GRID)
def test_safe_area_floor_and_contrast(name, profile, ticker):
    ctx, specs, canvases = rendered(name, profile, ticker)
    assert specs
    for canvas in canvases:
        for mark in canvas.marks:
            assert ctx.profile.safe.contains(mark.box), (mark.text or mark.kind, mark.box)
        for mark in _texts(canvas):
            assert mark.size >= ctx.profile.min_text, (mark.text, mark.size)
            assert contrast_ratio(mark.fg, mark.bg) >= 7.0, (mark.text, mark.fg, mark.bg)


@pytest.mark.parametrize(("name", "profile", "ticker"), GRID)
def test_every_category_airs_once_with_its_counts(name, profile, ticker):
    _, specs, canvases = rendered(name, profile, ticker)
    item = CASES[name]
    pages = [[m.text for m in _texts(c)] for c in canvases]
    first = pages[0]
    assert "11月群众诉求办理情况" in first
    for label, value in template.figures(item):
        assert label in first and value in first
        if PROFILES[profile].wide:  # beside the table on every page
            assert all(value in texts for texts in pages)
    for row in item.rows:
        where = [i for i, texts in enumerate(pages) if row.category in texts]
        assert len(where) == 1, (row.category, where)
        texts = pages[where[0]]
        at = texts.index(row.category)
        assert texts[at + 1: at + 3] == [f"{row.received}件", f"{row.resolved}件"]
    if not item.rows:
        assert template.EMPTY in first
    for no, texts in enumerate(pages, start=1):
        mark = f"第{no}/{len(specs)}页"
        assert (mark in texts) == (len(specs) > 1)
        assert "2026年11月22日 星期日" in texts


def test_nine_categories_fit_one_wide_page_and_the_stamp_says_when():
    _, specs, canvases = rendered("all-categories", "1080p", False)
    assert len(specs) == 1
    assert "截至11月22日" in [m.text for m in _texts(canvases[0])]


def test_figures_are_the_largest_text_on_the_page():
    _, _, canvases = rendered("few", "576i-4x3", True)
    sizes = {m.text: m.size for m in _texts(canvases[0])}
    assert sizes["4件"] > sizes[ALL.rows[0].category]


@pytest.mark.parametrize(("rate", "shown"), [(None, "暂无"), (1.0, "100%"), (0.999, "99%"),
                                             (15 / 17, "88%"), (0.0, "0%")])
def test_the_rate_is_rounded_down_so_a_late_request_never_shows_100(rate, shown):
    assert template.rate_text(rate) == shown


def test_narration_reads_the_figures_and_the_largest_categories():
    assert template.narration(CASES["few"]) == (
        "11月以来，共受理群众诉求4件，已办结2件，按时办结率100%。"
        "反映较多的是农业生产9件、基础设施8件。")
    assert template.narration(CASES["empty"]) == "11月以来，共受理群众诉求0件，已办结0件。"
    ones = RequestStats(MONTH, 3, 0, None, (CategoryCount("其他", 2), CategoryCount("教育", 1)))
    assert "反映较多" not in template.narration(ones)  # one each, or 其他: nothing to single out


def test_the_first_page_is_read_aloud_through_the_template(tmp_path):
    from renderer.render import render_item

    pages = render_item({"type": "requests", **AIRED}, profile="720p", branding=make_branding(),
                        cache_dir=tmp_path, today=TODAY)
    assert pages[0].script == ("11月以来，共受理群众诉求3件，已办结2件，按时办结率50%。"
                               "反映较多的是教育3件。")


AIRED = {"month": "2026-11-01", "as_of": "2026-11-22", "received": 3, "resolved": "2",
         "on_time_rate": 0.5, "rows": [{"category": "教育", "received": 3, "resolved": 2}]}


def test_build_makes_the_aired_item_from_counts():
    item = kind.build(AIRED)
    assert item == RequestStats(MONTH, 3, 2, 0.5, (CategoryCount("教育", 3, 2),),
                                as_of=date(2026, 11, 22))


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"received": -1}, "received", "“本月受理”应为 0 到 99999 之间的整数。"),
    ({"resolved": "很多"}, "resolved", "“本月办结”应为 0 到 99999 之间的整数。"),
    ({"on_time_rate": 1.5}, "on_time_rate", "“按时办结率”应为 0 到 1 之间的小数。"),
    ({"on_time_rate": True}, "on_time_rate", "“按时办结率”应为 0 到 1 之间的小数。"),
    ({"rows": [{"category": "教育", "received": 1.5}]}, "rows[0].received",
     "“受理”应为 0 到 99999 之间的整数。"),
])
def test_build_refuses_what_is_not_a_count_in_chinese(change, field, message):
    with pytest.raises(ItemError) as caught:
        kind.build({**AIRED, **change})
    assert str(caught.value) == message and caught.value.field == field


def test_the_aired_item_holds_counts_only():
    """What airs cannot carry a resident's data: no field of the aired shape is personal or
    free text, while the intake's name and phone are declared personal."""
    assert {f.name for f in dataclasses.fields(RequestStats)} == {
        "month", "received", "resolved", "on_time_rate", "rows", "as_of", "type"}
    assert {f.name for f in dataclasses.fields(CategoryCount)} == {
        "category", "received", "resolved"}
    assert kind.DECLARATION.personal_fields == ("resident_name", "resident_phone")
    assert not any(f.personal for f in kind.AIRED)


def test_the_declaration_takes_paper_ledger_headers():
    headers = {f.name: (f.column.header, *f.column.aliases) for f in kind.DECLARATION.columns}
    assert "来电人" in headers["resident_name"] and "诉求人" in headers["resident_name"]
    assert "反映问题" in headers["text"] and "联系电话" in headers["resident_phone"]
    assert "所在村" in headers["village"]
    assert kind.DECLARATION.field("category").choices == CATEGORIES


def test_the_aired_json_renders_through_the_declaration(tmp_path):
    """The publisher's item JSON → parse_item (the declaration's aired fields) → this template."""
    from renderer.item_parser import parse_item
    from renderer.render import render_item

    assert parse_item({"type": "requests", **AIRED}) == kind.build(AIRED)
    with pytest.raises(ItemError):
        parse_item({"type": "requests", **AIRED, "rows": [{"received": 1}]})  # no category
    pages = render_item({"type": "requests", **AIRED}, profile="576i-4x3",
                        branding=make_branding(), cache_dir=tmp_path, today=TODAY)
    assert len(pages) == 1 and pages[0].path.stat().st_size > 0
