"""通知公告 / 村务公开: a notice read as a document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from renderer.declare import (
    ANNOUNCEMENT,
    CHOICE,
    DATE,
    LONG,
    LONG_TEXT,
    TEXT,
    TITLE_MAX,
    Field,
    KindDeclaration,
)

CATEGORIES = ("通知公告", "村务公开")


@dataclass(frozen=True)
class NoticeItem:
    title: str
    body: str = ""
    category: str = CATEGORIES[0]
    issued_by: str = ""
    date: date | None = None
    type: str = "notice"


DECLARATION = KindDeclaration(
    name="notice",
    label="通知公告",
    order=40,
    item=NoticeItem,
    template="notice",
    collection="notices",
    category_field="category",
    summary=("issued_by", "date"),
    fields=(
        Field("title", "标题", TEXT, TITLE_MAX, True, wide=True, required_message="请填写标题。"),
        Field("category", "类别", CHOICE, choices=CATEGORIES, help="村务公开：每月 9 日为公开日。"),
        Field("issued_by", "发布单位", TEXT, 40, help="例如：监山乡人民政府"),
        Field("date", "发布日期", DATE),
        Field("body", "正文", LONG, LONG_TEXT, required_message="请填写正文。"),
        ANNOUNCEMENT,
    ),
    # English for its words, where the catalogue has none (a new kind needs no .po edit).
    en={
        "通知公告": "Notices",
        "类别": "Category",
        "标题": "Title",
        "请填写标题。": "Please enter a title.",
        "村务公开：每月 9 日为公开日。": (
            "Village affairs disclosure: the 9th of each month is disclosure day."
        ),
        "发布单位": "Issued by",
        "例如：监山乡人民政府": "e.g. Jianshan Township Government",
        "发布日期": "Date issued",
        "正文": "Text",
        "请填写正文。": "Please enter the text.",
        "录音": "Recording",
        "村务公开": "Village affairs",
    },
)
