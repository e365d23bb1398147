"""Every template in every profile: safe area, legibility floor, contrast, content."""

from __future__ import annotations

from functools import cache

import pytest
from PIL import Image

from renderer.draw import Mark
from renderer.page import Ctx, PageSpec
from renderer.profiles import PROFILES
from renderer.render import draw_page, plan_item
from renderer.templates.tables import table_floor
from renderer.theme import contrast_ratio
from tests.renderer import samples
from tests.renderer.conftest import TODAY, make_branding

TICKER = "今晚有大风降温，请关好门窗，注意防寒保暖。"
LONG = "各村要组织人员逐户排查，发现隐患立即整改，确保群众生命财产安全。" * 12

EDGE_CASES = {
    "policy-title-only": {"type": "policy", "title": "临时救助政策"},
    "policy-long": {**samples.POLICY, "body": LONG * 2},
    "service-empty": {"type": "service", "title": "办理居住证"},
    "produce-bare": {"type": "produce", "product": "核桃"},
    "produce-missing-photo": {**samples.PRODUCE, "photo": "/nonexistent/photo.jpg"},
    "notice-long": {**samples.NOTICE, "body": LONG, "category": "村务公开"},
    "notice-short": {**samples.NOTICE, "body": "明天上午9点至12点全乡停水。"},
    "roster-empty": {"type": "roster", "rows": []},
    "roster-tall-row": {
        "type": "roster",
        "rows": [{"name": "王五", "post": "包村干部", "responsibilities": LONG, "phone": "1"}],
    },
    "whereabouts-many": {
        "type": "whereabouts",
        "rows": [
            {"name": f"干部{i}", "status": s, "village": "三岔村", "activity": "走访农户"}
            for i, s in enumerate(["在村走访", "乡机关值班", "出差", "请假", "未报告"] * 4)
        ],
    },
    "alert-long": {**samples.ALERT, "body": LONG, "severity": ""},
}
ITEMS = {**samples.ALL, **EDGE_CASES}


@cache
def rendered(name: str, profile: str, ticker: bool) -> tuple[Ctx, tuple[PageSpec, ...], tuple]:
    """Plan and draw once per case; several tests read the same canvases."""
    branding = make_branding(TICKER if ticker else "")
    ctx, specs = plan_item(ITEMS[name], profile=profile, branding=branding, today=TODAY)
    canvases = tuple(draw_page(spec, ctx) for spec in specs)
    return ctx, tuple(specs), canvases


CASES = [(n, p, False) for n in samples.ALL for p in PROFILES]
CASES += [(n, p, True) for n in samples.ALL for p in ("1080p", "576i-4x3")]
CASES += [(n, p, t) for n in EDGE_CASES for p, t in (("720p", False), ("576i-4x3", True))]


def floor(ctx: Ctx, template: str) -> int:
    """The legibility floor: 4.5% of picture height, 1/24 for the cells of a table page
    (so eight cadres fit a 16:9 page; see renderer.templates.tables.table_floor)."""
    return table_floor(ctx) if template in ("roster", "whereabouts") else ctx.profile.min_text


def _texts(canvas) -> list[Mark]:
    return [m for m in canvas.marks if m.kind == "text"]


@pytest.mark.parametrize(("name", "profile", "ticker"), CASES)
def test_safe_area_floor_and_contrast(name, profile, ticker):
    ctx, specs, canvases = rendered(name, profile, ticker)
    safe = ctx.profile.safe
    assert specs, "every item makes at least one page"
    for canvas in canvases:
        assert canvas.image.size == (ctx.profile.width, ctx.profile.height)
        for mark in canvas.marks:
            assert safe.contains(mark.box), (mark.text or mark.kind, mark.box, safe)
        for mark in _texts(canvas):
            assert mark.size >= floor(ctx, specs[0].template), (mark.text, mark.size)
            assert contrast_ratio(mark.fg, mark.bg) >= 7.0, (mark.text, mark.fg, mark.bg)


@pytest.mark.parametrize(("name", "profile", "ticker"), CASES)
def test_every_page_has_branding_date_page_marks_and_ticker(name, profile, ticker):
    ctx, specs, canvases = rendered(name, profile, ticker)
    for spec, canvas in zip(specs, canvases, strict=True):
        texts = [m.text for m in _texts(canvas)]
        assert "幸福乡村频道" in texts
        assert "2026年11月22日 星期日" in texts
        assert any(m.kind == "logo" for m in canvas.marks)
        if spec.page_count > 1:
            assert f"第{spec.page_no}/{spec.page_count}页" in texts
        else:
            assert not any(t.startswith("第") and t.endswith("页") for t in texts)
        joined = "".join(texts)
        assert ("紧急通知" in texts) == ticker or name.startswith("alert")
        if ticker:
            assert TICKER.replace("，", "")[:6] in joined.replace("，", "")


@pytest.mark.parametrize("profile", list(PROFILES))
def test_body_text_is_never_dropped(profile):
    _, _, canvases = rendered("notice-long", profile, False)
    drawn = "".join(m.text for c in canvases for m in _texts(c))
    for paragraph in LONG.split("。"):
        assert paragraph.replace("，", "") in drawn.replace("，", "").replace(" ", "")


def test_alert_is_unmistakable():
    ctx, specs, canvases = rendered("alert", "1080p", False)
    image = canvases[0].image
    red = image.getpixel((ctx.profile.width // 2, ctx.profile.height - 5))
    assert red[0] > 100 and red[1] < 40 and red[2] < 40
    banner = [m for m in _texts(canvases[0]) if m.text.startswith("紧急通知")]
    assert banner and banner[0].size >= ctx.profile.px(0.09)
    assert "红色预警" in banner[0].text
    _, long_specs, long_canvases = rendered("alert-long", "576i-4x3", True)
    assert len(long_specs) > 1
    assert all(any(m.text == "紧急通知" for m in _texts(c)) for c in long_canvases)


def test_whereabouts_status_colours_and_stamp():
    _, _, canvases = rendered("whereabouts", "1080p", False)
    texts = [m for c in canvases for m in _texts(c)]
    assert any(m.text == "更新于 09:30" for m in texts)
    fills = {
        m.text: m.bg
        for m in texts
        if m.text in ("在村走访", "乡机关值班", "外出开会", "请假", "未报告")
    }
    assert fills["在村走访"][1] > fills["在村走访"][0]  # green
    assert fills["乡机关值班"][2] > fills["乡机关值班"][0]  # blue
    assert fills["外出开会"][0] > 200 and fills["外出开会"][1] > 120  # amber
    assert fills["请假"][0] == fills["请假"][1] == fills["请假"][2]  # grey
    assert fills["未报告"][0] > 3 * fills["未报告"][1]  # red


def test_whereabouts_board_paginates_by_rows_and_keeps_everyone():
    _, specs, canvases = rendered("whereabouts-many", "720p", False)
    assert len(specs) > 1
    names = [m.text for c in canvases for m in _texts(c) if m.text.startswith("干部")]
    # Every fifth cadre has not reported: named on one line, not a red row each.
    missing = "、".join(f"干部{i}" for i in range(4, 20, 5))
    assert missing in names
    assert names.count(missing) == 1 and not any(m.text == "未报告" for m in _texts(canvases[0]))
    rows = sorted(n for n in names if n != missing)
    assert rows == sorted(f"干部{i}" for i in range(20) if i % 5 != 4)


def test_roster_splits_a_row_taller_than_a_page():
    _, specs, canvases = rendered("roster-tall-row", "576i-4x3", True)
    assert len(specs) > 1
    drawn = "".join(m.text for c in canvases for m in _texts(c))
    assert LONG.replace("，", "")[:40] in drawn.replace("，", "")


def test_policy_cover_shows_key_facts():
    _, specs, canvases = rendered("policy", "1080p", False)
    texts = [m.text for m in _texts(canvases[0])]
    assert {"补贴标准", "截止日期", "咨询电话"} <= set(texts)
    assert "每亩120元" in texts and "2026年12月31日" in texts
    assert specs[0].page_count == len(specs) >= 2


def test_produce_card_price_phone_and_qr(tmp_path):
    _, _, canvases = rendered("produce", "1080p", False)
    marks = canvases[0].marks
    assert any(m.kind == "qr" for m in marks)
    texts = {m.text: m for m in marks if m.kind == "text"}
    assert texts["1.8"].size >= 120  # the price is the biggest thing on the card
    assert "电话 13800138000" in texts


def test_produce_photo_is_used_when_given(tmp_path):
    photo = tmp_path / "potato.png"
    Image.new("RGB", (400, 300), (150, 110, 60)).save(photo)
    item = {**samples.PRODUCE, "photo": str(photo)}
    ctx, specs = plan_item(item, profile="720p", branding=make_branding(), today=TODAY)
    canvas = draw_page(specs[0], ctx)
    box = next(m.box for m in canvas.marks if m.kind == "image")
    assert canvas.image.getpixel((box.left + 10, box.top + 10)) == (150, 110, 60)
