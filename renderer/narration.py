"""What each page says aloud: the narration script, from the item and its laid-out pages.

- **Documents** (notices, policies, services, alerts): the first page reads its tag, title
  and key facts, every page reads the body text it shows, so the voice turns the page
  with the picture. An alert opens with 紧急通知 and its severity.
- **Tables** (duty roster, whereabouts): the first page reads a spoken summary
  ("今天有9位干部在村走访，2位乡机关值班…"); the rows themselves are for the eye.
- **Produce**: the card read as a sentence (product, village, price, phone).
- **The ident** says nothing.
- **A kind whose template defines** ``narration(item) -> str`` (a new kind's statistics slide):
  the first page reads what it returns; its words live with its picture.

Scripts are written Chinese; :func:`renderer.normalise.normalise` turns them into what an
announcer says just before synthesis. Pure functions of the item and the page specs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from renderer.items import (
    AlertItem,
    Item,
    NoticeItem,
    PolicyItem,
    ProduceItem,
    RosterItem,
    ServiceItem,
    WhereaboutsItem,
)
from renderer.kinds import KINDS
from renderer.page import PageSpec
from renderer.templates import template_for

_STOPS = "。！？!?；;：:，,、"


def _sentence(text: str) -> str:
    """``text`` closed with a full stop unless it already ends in punctuation."""
    text = text.strip()
    return text if not text or text[-1] in _STOPS else text + "。"


def _doc_text(doc: Any, first: bool, head: str) -> str:
    """What a document page (``templates.document.DocPage``) shows, as running text."""
    parts: list[str] = []
    if first:
        if head:
            parts.append(_sentence(head))
        parts.append(_sentence("".join(line.text for line in doc.title.lines)))
    if doc.facts is not None:
        labels = doc.facts.page_labels[0]
        for label, row in zip(labels, doc.facts.fit.pages[0], strict=False):
            value = "".join(line.text for cell in row.cells for line in cell)
            if value:
                parts.append(_sentence(f"{label}：{value}" if label else value))
    paragraph = ""
    for line in doc.body:
        if line.first and line.marker:
            paragraph += f"{line.marker}、" if line.marker.isdigit() else ""
        paragraph += line.text
        if line.last:
            closing = "：" if line.style == "heading" else ""
            parts.append(paragraph + closing if closing else _sentence(paragraph))
            paragraph = ""
    if paragraph:
        parts.append(paragraph)
    return "".join(parts)


def whereabouts_summary(item: WhereaboutsItem, today: Any = None) -> str:
    """今天有9位干部在村走访，2位乡机关值班，1位未报告。(counts by status, largest first)."""
    day = (
        "今天"
        if item.date is None or item.date == today
        else f"{item.date.month}月{item.date.day}日"
    )
    counts = Counter(row.status or "未报告" for row in item.rows)
    if not counts:
        return ""
    ordered = counts.most_common()
    first_status, first_n = ordered[0]
    parts = [f"{day}有{first_n}位干部{first_status}"]
    parts += [f"{n}位{status}" for status, n in ordered[1:]]
    return "，".join(parts) + "。"


def roster_summary(item: RosterItem) -> str:
    villages = {v for row in item.rows for v in row.villages.replace("，", "、").split("、") if v}
    text = f"{item.title}：共有{len(item.rows)}位干部"
    if villages:
        text += f"，联系{len(villages)}个村"
    return text + "。各位干部的分工和联系电话，请看屏幕。"


def produce_card(item: ProduceItem) -> str:
    parts = [f"特色农产品，{item.village}{item.product}" if item.village else
             f"特色农产品，{item.product}"]  # fmt: skip
    if item.price:
        price = item.price if any(c in item.price for c in "元¥￥") else f"{item.price}元"
        parts.append(f"价格{price}" + (f"每{item.unit}" if item.unit else ""))
    if item.quantity:
        parts.append(f"数量{item.quantity}")
    if item.seller:
        parts.append(f"联系人{item.seller}")
    if item.phone:
        parts.append(f"联系电话{item.phone}")
    return "，".join(parts) + "。"


def _head(item: Item) -> str:
    if isinstance(item, AlertItem):
        return "紧急通知。" + (f"{item.severity}。" if item.severity else "")
    if isinstance(item, PolicyItem):
        return item.category or KINDS[item.type].label
    if isinstance(item, NoticeItem):
        return item.category
    if isinstance(item, ServiceItem):
        return KINDS[item.type].label
    return ""


def _template_narration(item: Item) -> Any:
    """The template's own ``narration(item)``, if its kind has a template that defines one."""
    try:
        return getattr(template_for(item.type), "narration", None)
    except KeyError:
        return None


def page_scripts(item: Item, specs: Sequence[PageSpec], today: Any = None) -> list[str]:
    """The narration script of each page (empty: the page is not read)."""
    own = _template_narration(item)
    if own is not None:
        return [own(item) if i == 0 else "" for i in range(len(specs))]
    scripts: list[str] = []
    for i, spec in enumerate(specs):
        doc = spec.data.get("doc")
        if isinstance(item, WhereaboutsItem):
            scripts.append(whereabouts_summary(item, today) if i == 0 else "")
        elif isinstance(item, RosterItem):
            scripts.append(roster_summary(item) if i == 0 else "")
        elif isinstance(item, ProduceItem) and doc is None:
            card = produce_card(item)
            if len(specs) == 1 and item.description:
                card += _sentence(item.description)
            scripts.append(card if i == 0 else "")
        elif doc is not None:
            scripts.append(_doc_text(doc, i == 0 or doc.big, _head(item) if i == 0 else ""))
        else:
            scripts.append("")
    return scripts
