"""通知公告 / 村务公开 notice: tag, title, body, then the issuer and date signed off.

A short notice (a one-liner: 停水、停电、开会) is set large and centred in the frame
(:mod:`renderer.templates.centred`); a longer one flows as a document.
"""

from __future__ import annotations

from renderer.draw import Canvas
from renderer.items import NoticeItem
from renderer.layout import Para, paragraphs
from renderer.page import Ctx, PageSpec, short_date
from renderer.templates.centred import draw_centred, plan_centred
from renderer.templates.document import draw_document, plan_document

NAME = "notice"


def plan(item: NoticeItem, ctx: Ctx) -> list[PageSpec]:
    """Centred when the whole notice fits one page set large; else the body flows after the
    title and the signature closes the last page."""
    sign = [s for s in (item.issued_by, short_date(item.date) if item.date else "") if s]
    centred = plan_centred(ctx, NAME, title=item.title, paras=paragraphs(item.body),
                           tag=item.category, sign=sign)
    if centred is not None:
        return centred
    paras = paragraphs(item.body) + [Para(s, "sign") for s in sign]
    return plan_document(ctx, NAME, title=item.title, tag=item.category, paras=paras)


def draw(spec: PageSpec, ctx: Ctx) -> Canvas:
    """Draw one planned notice page."""
    if "centred" in spec.data:
        return draw_centred(spec, ctx)
    return draw_document(spec, ctx)
