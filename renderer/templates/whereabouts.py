"""每日去向 today's whereabouts board: every cadre's status in a colour you can't miss.

Colours: 在村走访 green, 乡机关值班 blue, 外出开会/出差 amber, 请假 grey, 未报告 red.
The board says when it was last updated (更新于 HH:MM, in the channel's zone as sent).
"""

from __future__ import annotations

from renderer.draw import Canvas
from renderer.items import WhereaboutsItem
from renderer.layout import Para
from renderer.page import Ctx, PageSpec
from renderer.templates.tables import Column, Tail, draw_table, plan_table
from renderer.theme import RGB, STATUS_COLOURS

NAME = "whereabouts"
UNREPORTED = "未报告"  # the label of the condensed line of cadres without a report

# Checked in order: the first keyword found in the status picks the colour.
_KEYWORDS = (
    ("未报", "red"),
    ("请假", "grey"),
    ("休", "grey"),
    ("出差", "amber"),
    ("会", "amber"),
    ("外出", "amber"),
    ("值班", "blue"),
    ("机关", "blue"),
    ("村", "green"),
    ("走访", "green"),
)


def unreported(status: str) -> bool:
    """Is this the status of a cadre who has not reported (未报告, 未报)?"""
    return "未报" in status


def status_colour_name(status: str) -> str:
    """green / blue / amber / grey / red for a status text (blue when unknown)."""
    for keyword, name in _KEYWORDS:
        if keyword in status:
            return name
    return "blue"


def status_colours(status: str) -> tuple[RGB, RGB]:
    """(pill fill, text colour) for a status."""
    return STATUS_COLOURS[status_colour_name(status)]


def _cell(text: str, style: str = "body") -> list[Para]:
    return [Para(text, style)] if text else []


def plan(item: WhereaboutsItem, ctx: Ctx) -> list[PageSpec]:
    """Rows of cadres; the title names the day, the stamp the last update."""
    day = item.date or ctx.today
    title = "今日干部去向" if day == ctx.today else f"{day.month}月{day.day}日干部去向"
    stamp = ""
    if item.updated_at is not None:
        # The publisher sends the stamp in the channel's own zone: show its wall-clock time.
        stamp = f"更新于 {item.updated_at:%H:%M}"
    # Cadres without a report are named on one line under the table, not a red row each.
    missing = tuple(r.name for r in item.rows if unreported(r.status))
    reported = [r for r in item.rows if not unreported(r.status)]
    tail = Tail(UNREPORTED, missing) if missing else None
    longest = max((r.status for r in reported), key=len, default="")
    sample = longest if len(longest) > 4 else "外出开会"
    if ctx.profile.wide:
        # 16:9: one line per cadre wherever the activity allows, so a township's cadres fit on
        # one or two pages and the board reads at a glance. Posts are left to the duty-roster
        # slide: as a column here they pushed most activities onto a second and third line.
        columns = [
            Column("姓名", cap=0.14),
            Column("状态", sample=sample, status=True),
            Column("地点", 0.3, cap=0.18),
            Column("时间", sample="00:00-00:00"),
            Column("事项", 1.0, cap=0.55),
        ]
        rows = [
            [
                [Para(r.name, "heading")],
                [Para(r.status, "status")],
                _cell(r.village),
                _cell(r.time_window),
                _cell(r.activity),
            ]
            for r in reported
        ]
    else:
        # 4:3 stacks name over post and place over time to keep four readable columns.
        columns = [
            Column("姓名 / 职务", 0.3, cap=0.3),
            Column("状态", sample=sample, status=True),
            Column("地点 / 时间", 0.3, cap=0.3),
            Column("事项", 1.0, cap=0.5),
        ]
        rows = [
            [
                [Para(r.name, "heading"), *_cell(r.post, "muted")],
                [Para(r.status, "status")],
                [Para(p) for p in (r.village, r.time_window) if p],
                _cell(r.activity),
            ]
            for r in reported
        ]
    return plan_table(ctx, NAME, title=title, stamp=stamp, columns=columns, rows=rows, tail=tail)


def draw(spec: PageSpec, ctx: Ctx) -> Canvas:
    """Draw one whereabouts page."""
    return draw_table(spec, ctx, status_colours)
