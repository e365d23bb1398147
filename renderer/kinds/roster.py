"""干部分工: the duty roster, built from the cadres' records (not typed as content)."""

from __future__ import annotations

from dataclasses import dataclass

from renderer.declare import DERIVED, LONG, ROWS, TEXT, Field, KindDeclaration


@dataclass(frozen=True)
class RosterRow:
    name: str
    post: str = ""
    villages: str = ""
    responsibilities: str = ""
    phone: str = ""


@dataclass(frozen=True)
class RosterItem:
    rows: tuple[RosterRow, ...]
    title: str = "干部分工"
    type: str = "roster"


DECLARATION = KindDeclaration(
    name="roster",
    label="干部分工",
    order=60,
    item=RosterItem,
    template="roster",
    source=DERIVED,
    fields=(
        Field("title", "标题", TEXT, 20),
        Field(
            "rows",
            "干部",
            ROWS,
            row_item=RosterRow,
            row=(
                Field("name", "姓名", TEXT, 12, True),
                Field("post", "职务", TEXT, 30),
                Field("villages", "包村", LONG),
                Field("responsibilities", "分管工作", LONG),
                Field("phone", "电话", TEXT, 30),
            ),
        ),
    ),
    # English for its words, where the catalogue has none (a new kind needs no .po edit).
    en={
        "干部分工": "Cadre duties",
        "标题": "Title",
        "干部": "Cadre",
        "姓名": "Name",
        "职务": "Post",
        "包村": "Assigned villages",
        "分管工作": "Responsibilities",
        "电话": "Phone call",
    },
)
