"""通知公告 / 村务公开 notice: tag, title, body, then the issuer and date signed off."""

from __future__ import annotations

from renderer.draw import Canvas
from renderer.items import NoticeItem
from renderer.layout import Para, paragraphs
from renderer.page import Ctx, PageSpec, short_date
from renderer.templates.document import draw_document, plan_document

NAME = "notice"


def plan(item: NoticeItem, ctx: Ctx) -> list[PageSpec]:
    """Body flows after the title; the signature closes the last page."""
    paras = paragraphs(item.body)
    if item.issued_by:
        paras.append(Para(item.issued_by, "sign"))
    if item.date:
        paras.append(Para(short_date(item.date), "sign"))
    return plan_document(ctx, NAME, title=item.title, tag=item.category, paras=paras)


def draw(spec: PageSpec, ctx: Ctx) -> Canvas:
    """Draw one planned notice page."""
    return draw_document(spec, ctx)
