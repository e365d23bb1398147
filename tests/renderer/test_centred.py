"""Short items are set large and centred in the frame; long ones keep the reading layout."""

from __future__ import annotations

import pytest

from renderer.frame import frame_for
from renderer.render import draw_page, plan_item
from renderer.templates.centred import BODY_MIN
from renderer.templates.common import BODY
from tests.renderer import samples
from tests.renderer.conftest import TODAY, make_branding

SHORT = {"type": "notice", "title": "停水通知", "body": "明天上午9点至12点全乡停水。",
         "category": "通知公告", "issued_by": "监山乡人民政府", "date": "2026-11-20"}


def _page(item, profile="720p", ticker=""):
    ctx, specs = plan_item(item, profile=profile, branding=make_branding(ticker), today=TODAY)
    return ctx, specs, [draw_page(s, ctx) for s in specs]


def _content_marks(canvas, ctx):
    frame = frame_for(ctx.profile, ctx.branding, ctx.fonts)
    return [m for m in canvas.marks if m.kind == "text" and m.box.top >= frame.content.top
            and m.box.bottom <= frame.footer.bottom]


@pytest.mark.parametrize(("profile", "ticker"), [
    ("720p", ""), ("1080p", "今晚有大风降温，请关好门窗。"), ("576i-4x3", "今晚有大风降温。")])
def test_a_short_notice_is_large_and_centred(profile, ticker):
    ctx, specs, canvases = _page(SHORT, profile, ticker)
    assert len(specs) == 1 and "centred" in specs[0].data
    frame = frame_for(ctx.profile, ctx.branding, ctx.fonts)
    marks = _content_marks(canvases[0], ctx)
    texts = [m.text for m in marks]
    assert texts[:2] == ["通知公告", "停水通知"]
    assert "明天上午9点至12点全乡停水。" in "".join(texts)  # one line, two on 4:3
    assert "监山乡人民政府" in texts and "2026年11月20日" in texts
    body = next(m for m in marks if m.text.startswith("明天"))
    assert body.size >= ctx.profile.px(BODY_MIN) > ctx.profile.px(BODY)
    centre_x = (frame.content.left + frame.content.right) / 2
    for m in marks:  # every line centred across the frame
        assert abs((m.box.left + m.box.right) / 2 - centre_x) <= ctx.profile.width * 0.01, m.text
    top = min(m.box.top for m in marks)
    bottom = max(m.box.bottom for m in marks)
    free_above, free_below = top - frame.content.top, frame.content.bottom - bottom
    assert abs(free_above - free_below) <= ctx.profile.height * 0.03  # and centred down
    for m in canvases[0].marks:
        assert ctx.profile.safe.contains(m.box)


def test_the_size_fills_the_free_area_within_limits():
    sizes = []
    for body in ("今晚停电。", "明天上午9点至12点全乡停水，请提前储水。",
                 "明天上午9点至12点全乡停水，请各户提前储水，关好水龙头，来水后先放水再饮用。"):
        ctx, specs, canvases = _page({**SHORT, "body": body, "issued_by": "", "date": None})
        mark = next(m for m in _content_marks(canvases[0], ctx) if m.text[:2] == body[:2])
        sizes.append(mark.size)
    assert sizes[0] >= sizes[1] > sizes[2]  # shorter text, larger type
    assert sizes[0] <= ctx.profile.px(0.11)


def test_a_long_notice_keeps_the_reading_layout():
    ctx, specs, _ = _page(samples.NOTICE)
    assert all("doc" in s.data for s in specs)


@pytest.mark.parametrize("profile", ["720p", "1080p", "576i-16x9", "576i-4x3"])
@pytest.mark.parametrize("ticker", ["", "今晚有大风降温，请关好门窗，注意防寒保暖。"])
def test_the_ident_stays_above_the_ticker(profile, ticker):
    ctx, _specs, canvases = _page({"type": "ident"}, profile, ticker)
    frame = frame_for(ctx.profile, ctx.branding, ctx.fonts)
    marks = _content_marks(canvases[0], ctx)
    texts = [m.text for m in marks]
    assert texts[:3] == ["幸福乡村频道", "乾元县监山乡", "2026年11月22日 星期日"]
    for m in marks:  # nothing slides under the ticker (the stack gives up its logo first)
        assert m.box.bottom <= frame.content.bottom, (m.text, m.box, frame.content)
