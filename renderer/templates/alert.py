"""Emergency alert: the whole page turns red, a yellow banner shouts 紧急通知 / 预警."""

from __future__ import annotations

import re

from renderer.draw import Canvas
from renderer.items import AlertItem
from renderer.layout import Para, paragraphs
from renderer.page import Ctx, PageSpec
from renderer.profiles import Rect
from renderer.templates.common import gap, px
from renderer.templates.document import DocPage, draw_document, plan_document
from renderer.theme import ALERT_RED, ALERT_YELLOW, BLACK, ensure_contrast

NAME = "alert"
BANNER = 0.10  # banner text: 10% of picture height


def banner_text(item: AlertItem) -> str:
    """紧急通知, plus the severity (e.g. 红色预警) when given."""
    return f"紧急通知·{item.severity}" if item.severity else "紧急通知"


def _banner_height(ctx: Ctx) -> int:
    return round(px(ctx, BANNER) * 1.45)


# A sentence with its closing punctuation (and any closing quote or bracket after it).
_SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]+[”’」』）)]*|[^。！？!?]+$")


def sentences(text: str) -> list[str]:
    """``text`` cut after each 。！？ (nothing dropped, edges trimmed)."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def plan(item: AlertItem, ctx: Ctx) -> list[PageSpec]:
    """Banner on every page; title, body, then issuer and expiry signed off.

    An alert too long for one page is set one sentence per paragraph, so the page turns
    between two sentences: a viewer never waits twenty seconds in the middle of a word
    (``切勿涉水过 / 河``) to learn which number to call."""
    sign = []
    if item.issued_by:
        sign.append(Para(f"发布单位：{item.issued_by}", "sign"))
    if item.expires:
        sign.append(Para(f"有效期至：{item.expires}", "sign"))

    def plan_with(body: list[Para]) -> list[PageSpec]:
        return plan_document(
            ctx,
            NAME,
            title=item.title,
            paras=[*body, *sign],
            banner=banner_text(item),
            banner_height=_banner_height(ctx) + gap(ctx),
        )

    specs = plan_with(paragraphs(item.body))
    if len(specs) > 1:
        split = [Para(s) for p in paragraphs(item.body) for s in sentences(p.text)]
        by_sentence = plan_with(split)
        # Worth a slightly smaller body (never below 90%, never more pages).
        size = specs[0].data["doc"].body_size
        if len(by_sentence) <= len(specs) and by_sentence[0].data["doc"].body_size >= 0.9 * size:
            return by_sentence
    return specs


def _draw_banner(canvas: Canvas, ctx: Ctx, box: Rect, top: int, text: str) -> int:
    height = _banner_height(ctx)
    size = px(ctx, BANNER)
    width = canvas.measure(text, size, bold=True)
    while width > box.width * 0.94 and size > ctx.profile.min_text:
        size -= 2
        width = canvas.measure(text, size, bold=True)
    canvas.rect(
        Rect(box.left, top, box.right, top + height), ALERT_YELLOW, radius=ctx.profile.px(0.012)
    )
    fill = ensure_contrast(BLACK, ALERT_YELLOW)
    canvas.text(
        box.left + box.width / 2,
        top,
        text,
        size,
        fill=fill,
        bg=ALERT_YELLOW,
        bold=True,
        line_height=height,
        align="center",
    )
    return top + height + gap(ctx)


def draw(spec: PageSpec, ctx: Ctx) -> Canvas:
    """Draw one planned alert page on the red field."""
    page: DocPage = spec.data["doc"]
    return draw_document(
        spec,
        ctx,
        alert=True,
        body_bg=ALERT_RED,
        draw_banner=lambda c, x, b, t: _draw_banner(c, x, b, t, page.banner),
    )
