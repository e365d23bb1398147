"""惠农政策: a subsidy or benefit policy, read as a document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from renderer.declare import (
    ANNOUNCEMENT,
    DATE,
    ENQUIRY_PHONE,
    LONG,
    LONG_TEXT,
    TEXT,
    TITLE_MAX,
    Field,
    KindDeclaration,
)


@dataclass(frozen=True)
class PolicyItem:
    title: str
    category: str = ""
    eligibility: str = ""
    amount: str = ""
    how_to_apply: str = ""
    deadline: date | None = None
    source_document: str = ""
    contact: str = ""
    body: str = ""
    id: str = ""  # the API's extras: which item and version this is
    version: int = 0
    type: str = "policy"


CATEGORIES = ("种粮补贴", "农机补贴", "医疗保障", "养老保险", "教育帮扶", "就业创业",
              "社会救助", "产业扶持", "其他")  # fmt: skip

DECLARATION = KindDeclaration(
    name="policy",
    label="惠农政策",
    order=10,
    item=PolicyItem,
    template="policy",
    collection="policies",
    category_field="category",
    summary=("amount", "截止 %(deadline)s"),
    fields=(
        Field(
            "title",
            "政策名称",
            TEXT,
            TITLE_MAX,
            True,
            wide=True,
            required_message="请填写政策名称。",
            help="例如：2025年耕地地力保护补贴",
        ),
        Field(
            "category",
            "政策类别",
            TEXT,
            20,
            suggestions=CATEGORIES,
            help="可从列表中选择，也可自行填写。",
        ),
        Field("amount", "补贴标准", TEXT, 40, help="例如：每亩 105 元"),
        Field("deadline", "申请截止日期", DATE),
        ENQUIRY_PHONE,
        Field("source_document", "政策依据", TEXT, 200, wide=True, help="文件名称和文号。"),
        Field("eligibility", "补贴对象", LONG, LONG_TEXT, help="谁可以享受，写清条件。"),
        Field("how_to_apply", "申请办法", LONG, LONG_TEXT, help="到哪里、带什么、找谁办理。"),
        Field("body", "政策说明", LONG, LONG_TEXT, help="较长的内容会自动分成多页播出。"),
        ANNOUNCEMENT,
    ),
    # English for its words, where the catalogue has none (a new kind needs no .po edit).
    en={
        "惠农政策": "Subsidy policies",
        "政策类别": "Policy category",
        "政策名称": "Policy name",
        "例如：2025年耕地地力保护补贴": "e.g. 2025 arable land protection subsidy",
        "请填写政策名称。": "Please enter the policy name.",
        "可从列表中选择，也可自行填写。": "Pick from the list or type your own.",
        "补贴标准": "Amount",
        "例如：每亩 105 元": "e.g. 105 yuan per mu",
        "申请截止日期": "Application deadline",
        "咨询电话": "Enquiry phone",
        "可写单位和电话，例如：乡农业服务中心 0991-1234567": (
            "Office and number, e.g. Township Agricultural Service Centre 0991-1234567"
        ),
        "政策依据": "Source document",
        "文件名称和文号。": "Title and number of the document.",
        "补贴对象": "Who qualifies",
        "谁可以享受，写清条件。": "Who is entitled, and on what conditions.",
        "申请办法": "How to apply",
        "到哪里、带什么、找谁办理。": "Where to go, what to bring, whom to see.",
        "政策说明": "Details",
        "较长的内容会自动分成多页播出。": (
            "Long text is split into several pages on air automatically."
        ),
        "录音": "Recording",
        "截止 %(deadline)s": "Deadline %(deadline)s",
    },
)
