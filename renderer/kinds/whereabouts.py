"""每日去向: today's whereabouts of the township's cadres, from their check-ins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from renderer.declare import DATE, DATETIME, DERIVED, LONG, ROWS, TEXT, Field, KindDeclaration


@dataclass(frozen=True)
class WhereaboutsRow:
    name: str
    post: str = ""
    status: str = "未报告"
    village: str = ""
    time_window: str = ""
    activity: str = ""


@dataclass(frozen=True)
class WhereaboutsItem:
    rows: tuple[WhereaboutsRow, ...]
    date: date | None = None
    updated_at: datetime | None = None
    type: str = "whereabouts"


DECLARATION = KindDeclaration(
    name="whereabouts",
    label="每日去向",
    order=70,
    item=WhereaboutsItem,
    template="whereabouts",
    source=DERIVED,
    fields=(
        Field(
            "rows",
            "干部",
            ROWS,
            row_item=WhereaboutsRow,
            row=(
                Field("name", "姓名", TEXT, 12, True),
                Field("post", "职务", TEXT, 30),
                Field("status", "状态", TEXT, 10),
                Field("village", "地点", TEXT, 30),
                Field("time_window", "时间", TEXT, 30),
                Field("activity", "事项", LONG),
            ),
        ),
        Field("date", "日期", DATE),
        Field("updated_at", "更新时间", DATETIME),
    ),
    # English for its words, where the catalogue has none (a new kind needs no .po edit).
    en={
        "每日去向": "Daily whereabouts",
        "干部": "Cadre",
        "姓名": "Name",
        "职务": "Post",
        "状态": "Status",
        "地点": "Place",
        "时间": "Time",
        "事项": "Activity",
        "日期": "Date",
        "更新时间": "Updated at",
    },
)
