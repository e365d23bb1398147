"""干部分工 duty roster: who covers which villages, doing what, on which phone."""

from __future__ import annotations

from renderer.draw import Canvas
from renderer.items import RosterItem
from renderer.layout import Para
from renderer.page import Ctx, PageSpec
from renderer.templates.tables import Column, draw_table, plan_table

NAME = "roster"


def _cell(text: str, style: str = "body") -> list[Para]:
    return [Para(text, style)] if text else []


def plan(item: RosterItem, ctx: Ctx) -> list[PageSpec]:
    """One row per cadre; rows paginate, title and heads repeat. The phone column always
    holds a full landline number unbroken."""
    phone = Column("电话", sample="0991-12345678")
    if ctx.profile.wide:
        columns = [
            Column("姓名", cap=0.14),
            Column("职务", 0.05, cap=0.2),
            Column("包村", 0.5, cap=0.22),
            Column("分工", 1.0, cap=0.5),
            phone,
        ]
        rows = [
            [
                [Para(r.name, "heading")],
                _cell(r.post, "muted"),
                _cell(r.villages),
                _cell(r.responsibilities),
                _cell(r.phone),
            ]
            for r in item.rows
        ]
    else:
        columns = [
            Column("姓名 / 职务", 0.3, cap=0.3),
            Column("包村", 0.5, cap=0.26),
            Column("分工", 1.0, cap=0.4),
            phone,
        ]
        rows = [
            [
                [Para(r.name, "heading"), *_cell(r.post, "muted")],
                _cell(r.villages),
                _cell(r.responsibilities),
                _cell(r.phone),
            ]
            for r in item.rows
        ]
    title = item.title
    if ctx.branding.township:
        title = f"{ctx.branding.township}·{item.title}"
    return plan_table(ctx, NAME, title=title, stamp="", columns=columns, rows=rows)


def draw(spec: PageSpec, ctx: Ctx) -> Canvas:
    """Draw one roster page."""
    return draw_table(spec, ctx)
