"""Table pages use the screen: eight or more cadres a 16:9 page at 1/24 of the picture height
or larger, rows grown into the space there is, the last page balanced, and cadres without a
report named on one line (issue #10, part 5)."""

from __future__ import annotations

import pytest

from renderer.render import draw_page, plan_item
from renderer.table import pack_names
from renderer.templates.tables import table_floor
from tests.renderer.conftest import TODAY, make_branding

TICKER = "今晚有大风降温，请关好门窗，注意防寒保暖。"
SURNAMES = "李张马赵王刘陈杨黄周吴郑孙钱冯欧"
STATUSES = ["在村走访", "乡机关值班", "外出开会", "请假"]


def board(cadres: int, missing: int = 0) -> dict:
    """A whereabouts board of ``cadres`` typical reports and ``missing`` without one."""
    rows = [
        {"name": f"{SURNAMES[i % 16]}建{'国华明'[i % 3]}", "status": STATUSES[i % 4],
         "village": "石门村", "time_window": "9:00-17:00", "activity": "走访低保户、空巢老人"}
        for i in range(cadres)
    ]
    rows += [{"name": f"未报{i}号", "status": "未报告"} for i in range(missing)]
    return {"type": "whereabouts", "date": "2026-11-22", "rows": rows}


def roster(cadres: int) -> dict:
    rows = [
        {"name": f"{SURNAMES[i % 16]}秀英", "post": "副乡长", "villages": "三岔村",
         "responsibilities": "分管民政、社会保障", "phone": "13912345678"}
        for i in range(cadres)
    ]
    return {"type": "roster", "rows": rows}


def plan(item: dict, profile: str, ticker: bool = False):
    return plan_item(item, profile=profile, branding=make_branding(TICKER if ticker else ""),
                     today=TODAY)


def _cadre_rows(spec) -> int:
    return sum(1 for r in spec.data["table"].rows if not r.span)


@pytest.mark.parametrize("profile", ["720p", "1080p"])
@pytest.mark.parametrize("ticker", [False, True])
@pytest.mark.parametrize("make", [board, roster])
def test_eight_or_more_cadres_a_page_at_a_legible_size(profile, ticker, make):
    ctx, specs = plan(make(30), profile, ticker)
    # Room for eight a page at least: thirty cadres take at most four pages (8+7+8+7), not five.
    assert len(specs) <= 4
    for spec in specs:
        page = spec.data["table"]
        assert page.size >= table_floor(ctx) >= ctx.profile.height / 24
        assert _cadre_rows(spec) >= 7, (spec.page_no, _cadre_rows(spec))
    ctx, specs = plan(make(8), profile, ticker)
    assert len(specs) == 1


@pytest.mark.parametrize("cadres", [9, 12, 17, 23, 30])
def test_pages_are_full_and_the_last_page_is_balanced(cadres):
    ctx, specs = plan(board(cadres), "720p")
    counts = [_cadre_rows(s) for s in specs]
    assert sum(counts) == cadres
    assert max(counts) - min(counts) <= 1, counts  # no lone row on the last page
    for spec in specs:
        page = spec.data["table"]
        used = sum(r.height + page.stretch for r in page.rows)
        # rows grow into the space: no page half empty
        assert used >= 0.8 * _area(ctx, page), (cadres, spec.page_no, used)


def _area(ctx, page) -> int:
    from renderer.frame import frame_for
    from renderer.templates.common import gap, title_height

    frame = frame_for(ctx.profile, ctx.branding, ctx.fonts)
    return (frame.footer.bottom - frame.content.top - title_height(page.title) - gap(ctx, 0.5)
            - page.head_h)


def test_rows_pack_tight_rather_than_spill_onto_a_second_page():
    item = board(9, missing=3)
    item["rows"][3]["name"] = "阿依古丽·买买提"  # wraps after its dot: one row two lines
    ctx, specs = plan(item, "720p")
    assert len(specs) == 1 and _cadre_rows(specs[0]) == 9
    assert specs[0].data["table"].size >= table_floor(ctx)


def test_a_short_board_is_set_large():
    ctx, specs = plan(board(4), "1080p")
    assert len(specs) == 1
    assert specs[0].data["table"].size > ctx.profile.min_text


def test_cadres_without_a_report_share_one_line_and_no_name_is_cut():
    ctx, specs = plan(board(6, missing=40), "720p")
    canvases = [draw_page(s, ctx) for s in specs]
    texts = [m.text for c in canvases for m in c.marks if m.kind == "text"]
    assert texts.count("未报告") == 1  # one red label, not forty red rows
    lines = [t for t in texts if t.startswith("未报")and "号" in t]
    assert len(lines) >= 2  # long: wrapped
    names = [n for line in lines for n in line.split("、") if n]
    assert names == [f"未报{i}号" for i in range(40)]  # every name whole, in order
    for c in canvases:  # and within the safe area
        assert all(ctx.profile.safe.contains(m.box) for m in c.marks)


def test_names_pack_between_names_only(fake):
    names = ["张三", "李四", "欧阳娜娜", "王五"]
    # 10 px a Han character: "张三、李四、" is 60 px wide.
    assert pack_names(names, fake, 10, 65) == ["张三、李四、", "欧阳娜娜、", "王五"]
    assert pack_names(names, fake, 10, 1000) == ["张三、李四、欧阳娜娜、王五"]
    assert pack_names(["阿不都热合曼"], fake, 10, 35) == ["阿不都", "热合曼"]  # longer than a line
    assert pack_names([], fake, 10, 100) == []


def test_a_board_of_only_missing_reports_still_shows_them():
    ctx, specs = plan(board(0, missing=3), "720p")
    canvas = draw_page(specs[0], ctx)
    texts = [m.text for m in canvas.marks if m.kind == "text"]
    assert "未报0号、未报1号、未报2号" in texts and "暂无记录" not in texts
