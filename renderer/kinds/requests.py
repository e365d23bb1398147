"""群众诉求: what residents ask of the township, taken in, handled and summarised on air.

The seed's county "分类对群众诉求信息进行广泛收集、规范处理、综合运用": a request comes in (from
staff at the desk, a resident's text, a cadre's phone page, the API or a paper ledger's
spreadsheet), is classified, handled by a cadre within a deadline, and the month's counts
air as a slide. So the kind has two shapes, both declared here:

- ``fields``: the intake, which every door checks through (the resident's name and phone
  are personal: encrypted at rest, masked on screen, never aired);
- ``aired``: the anonymous statistics item the channel shows (:class:`RequestStats`), built
  by the publisher from the ledger's counts. It holds no name, number or request text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from renderer.declare import (
    CHOICE,
    DATE,
    DERIVED,
    LONG,
    PHONE,
    ROWS,
    TEXT,
    Column,
    Field,
    ItemError,
    KindDeclaration,
)

# The categories the township's paper ledgers sort requests into (closed: a typo would make
# a category of its own on the air and in the month's counts).
CATEGORIES = ("农业生产", "基础设施", "社会保障", "医疗卫生", "教育", "环境卫生", "矛盾纠纷",
              "政策咨询", "其他")  # fmt: skip
TEXT_MAX = 500  # characters: a request is a short summary, as the paper ledger's column is
COUNT_MAX = 99_999  # a township's month never comes near it; more is a bug upstream


@dataclass(frozen=True)
class CategoryCount:
    """One category's line of the month: requests received and resolved in it."""

    category: str
    received: int = 0
    resolved: int = 0


@dataclass(frozen=True)
class RequestStats:
    """The aired item: the month's counts, never a resident's data."""

    month: date  # the first day of the month counted
    received: int = 0  # received in the month
    resolved: int = 0  # resolved (办结) in the month
    on_time_rate: float | None = None  # 0..1 of those resolved by their deadline; None: none
    rows: tuple[CategoryCount, ...] = ()
    as_of: date | None = None  # the day the counts were taken
    type: str = "requests"


def _count(value: Any, label: str, name: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= COUNT_MAX:
        error = ItemError(f"“{label}”应为 0 到 {COUNT_MAX} 之间的整数。")
        error.field = name
        raise error
    return value


def _rate(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        rate = float(value)
    except (TypeError, ValueError):
        rate = math.nan
    if isinstance(value, bool) or not 0 <= rate <= 1:
        error = ItemError("“按时办结率”应为 0 到 1 之间的小数。")
        error.field = "on_time_rate"
        raise error
    return rate


def build(cleaned: dict[str, Any]) -> RequestStats:
    """The aired item from its cleaned fields: counts checked as counts."""
    rows = tuple(
        CategoryCount(
            category=row["category"],
            received=_count(row.get("received"), "受理", f"rows[{i}].received"),
            resolved=_count(row.get("resolved"), "办结", f"rows[{i}].resolved"),
        )
        for i, row in enumerate(cleaned.get("rows") or ())
    )
    as_of = cleaned.get("as_of")
    return RequestStats(
        month=date.fromisoformat(cleaned["month"]).replace(day=1),
        received=_count(cleaned.get("received"), "本月受理", "received"),
        resolved=_count(cleaned.get("resolved"), "本月办结", "resolved"),
        on_time_rate=_rate(cleaned.get("on_time_rate")),
        rows=rows,
        as_of=date.fromisoformat(as_of) if as_of else None,
    )


# What the channel airs: counts by month and category (the publisher builds it).
AIRED = (
    Field("month", "月份", DATE, required=True),
    Field("as_of", "统计日期", DATE),
    Field("received", "本月受理", TEXT, 5),
    Field("resolved", "本月办结", TEXT, 5),
    Field("on_time_rate", "按时办结率", TEXT, 20),
    Field("rows", "分类统计", ROWS, row=(
        Field("category", "诉求类别", TEXT, 10, True),
        Field("received", "受理", TEXT, 5),
        Field("resolved", "办结", TEXT, 5),
    )),
)

DECLARATION = KindDeclaration(
    name="requests",
    label="群众诉求",
    order=80,
    item=RequestStats,
    template="requests",
    source=DERIVED,
    guide_category="群众诉求",
    title_field="category",
    category_field="category",
    summary=("village",),
    aired=AIRED,
    build=build,
    fields=(
        Field("category", "诉求类别", CHOICE, required=True, choices=CATEGORIES,
              required_message="请选择诉求类别。",
              column=Column("诉求类别", ("类别", "问题类别", "诉求类型", "分类", "问题类型"),
                            note="从以下选择：" + "、".join(CATEGORIES), example="基础设施")),
        Field("village", "所在村", TEXT, 30, suggestions="villages",
              required_message="请填写所在村。",
              column=Column("所在村", ("村", "村别", "村组", "村（社区）", "所属村", "村名"),
                            example="三岔村")),
        Field("resident_name", "诉求人", TEXT, 20, personal=True,
              help="群众姓名只在台账中保存，加密存放，不会播出。",
              column=Column("诉求人", ("来电人", "来访人", "反映人", "姓名", "群众姓名",
                                      "诉求人姓名"), example="张三")),
        Field("resident_phone", "联系电话", PHONE, personal=True,
              help="用于短信告知办理进展；加密存放，页面上只显示前三位和后四位，不会播出。",
              column=Column("联系电话", ("电话", "手机", "手机号", "手机号码", "联系方式",
                                        "来电号码"), example="13800001234")),
        Field("text", "诉求内容", LONG, TEXT_MAX, required=True, wide=True,
              required_message="请填写诉求内容。",
              help=f"简要写清群众反映的问题和诉求，不超过 {TEXT_MAX} 字。",
              column=Column("诉求内容", ("反映问题", "问题内容", "诉求事项", "反映内容",
                                        "来电内容", "主要诉求", "诉求"),
                            example="村东头道路破损，雨天无法通行")),
        Field("received_on", "受理日期", DATE, help="不填则为今天。",
              column=Column("受理日期", ("登记日期", "来电日期", "来访日期", "日期"),
                            example="2026-12-01")),
    ),
    en={
        "群众诉求": "Residents' requests",
        "诉求类别": "Category",
        "所在村": "Village",
        "诉求人": "Resident",
        "联系电话": "Phone",
        "诉求内容": "Request",
        "受理日期": "Received on",
        "请选择诉求类别。": "Choose a category.",
        "请填写所在村。": "Enter the village.",
        "请填写诉求内容。": "Describe the request.",
        "群众姓名只在台账中保存，加密存放，不会播出。":
            "The resident's name is kept in the ledger only, encrypted, never aired.",
        "用于短信告知办理进展；加密存放，页面上只显示前三位和后四位，不会播出。":
            "Used to text the resident about progress; encrypted, shown with the first three "
            "and last four digits only, never aired.",
        f"简要写清群众反映的问题和诉求，不超过 {TEXT_MAX} 字。":
            f"What the resident raised and asks for, in brief (at most {TEXT_MAX} characters).",
        "不填则为今天。": "Empty: today.",
    },
)
