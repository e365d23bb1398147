"""办事指南 service procedure: where and when, then numbered steps and documents."""

from __future__ import annotations

from renderer.draw import Canvas
from renderer.items import ServiceItem
from renderer.layout import Para
from renderer.page import Ctx, PageSpec
from renderer.templates.document import draw_document, plan_document

NAME = "service"


def plan(item: ServiceItem, ctx: Ctx) -> list[PageSpec]:
    """Cover (title, place, hours, time limit, fee, contact) then steps and documents."""
    facts = [
        ("办理地点", item.location),
        ("办公时间", item.office_hours),
        ("办理时限", item.time_limit),
        ("收费标准", item.fee),
        ("咨询电话", item.contact),
    ]
    paras: list[Para] = []
    if item.steps:
        paras.append(Para("办理流程", "heading"))
        paras.extend(Para(step, marker=str(i)) for i, step in enumerate(item.steps, start=1))
    if item.documents:
        paras.append(Para("所需材料", "heading"))
        paras.extend(Para(doc, marker="•") for doc in item.documents)
    return plan_document(
        ctx,
        NAME,
        title=item.title,
        tag="办事指南",
        facts=facts,
        accent_label="咨询电话",
        paras=paras,
    )


def draw(spec: PageSpec, ctx: Ctx) -> Canvas:
    """Draw one planned service page."""
    return draw_document(spec, ctx)
