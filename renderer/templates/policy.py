"""惠农政策 subsidy policy: a cover with the key facts, then the policy text."""

from __future__ import annotations

from renderer.draw import Canvas
from renderer.items import PolicyItem
from renderer.layout import Para, paragraphs
from renderer.page import Ctx, PageSpec, short_date
from renderer.templates.document import draw_document, plan_document

NAME = "policy"
AMOUNT = "补贴标准"


def plan(item: PolicyItem, ctx: Ctx) -> list[PageSpec]:
    """Cover (category, title, amount, deadline, contact) then body pages."""
    facts = [
        (AMOUNT, item.amount),
        ("截止日期", short_date(item.deadline) if item.deadline else ""),
        ("咨询电话", item.contact),
    ]
    paras: list[Para] = []
    for heading, text in (
        ("享受对象", item.eligibility),
        ("申请办法", item.how_to_apply),
        ("政策内容", item.body),
        ("政策依据", item.source_document),
    ):
        if text:
            paras.append(Para(heading, "heading"))
            paras.extend(paragraphs(text))
    return plan_document(
        ctx,
        NAME,
        title=item.title,
        tag=item.category or "惠农政策",
        facts=facts,
        accent_label=AMOUNT,
        paras=paras,
    )


def draw(spec: PageSpec, ctx: Ctx) -> Canvas:
    """Draw one planned policy page."""
    return draw_document(spec, ctx)
