"""紧急通知: a public emergency notice, issued straight to air by the emergency workflow."""

from __future__ import annotations

from dataclasses import dataclass

from renderer.declare import ALERT, LONG, TEXT, TITLE_MAX, Field, KindDeclaration


@dataclass(frozen=True)
class AlertItem:
    title: str
    body: str = ""
    severity: str = ""
    issued_by: str = ""
    expires: str = ""
    type: str = "alert"


DECLARATION = KindDeclaration(
    name="alert",
    label="紧急通知",
    order=90,
    item=AlertItem,
    template="alert",
    source=ALERT,  # never reviewed: cleaned all the same
    summary=("severity", "issued_by"),
    fields=(
        Field("title", "标题", TEXT, TITLE_MAX, True),
        Field("body", "内容", LONG, 1000),
        Field("severity", "级别", TEXT, 10),
        Field("issued_by", "发布单位", TEXT, 40),
        Field("expires", "失效时间", TEXT, 40),
    ),
    # English for its words, where the catalogue has none (a new kind needs no .po edit).
    en={
        "紧急通知": "Emergency notice",
        "标题": "Title",
        "内容": "Content",
        "级别": "Level",
        "发布单位": "Issued by",
        "失效时间": "Expires",
    },
)
