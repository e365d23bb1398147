"""Content items as the renderer sees them: frozen dataclasses, validated once.

Items are built from the API's JSON shape by :func:`renderer.item_parser.parse_item`, which
checks every field, so a template can trust what it is given: optional fields are ``""`` or
``()``, never ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


class ItemError(ValueError):
    """An item that cannot be rendered; the message names the offending field."""


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
    id: str = ""
    version: int = 0
    type: str = "policy"


@dataclass(frozen=True)
class ServiceItem:
    title: str
    steps: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    location: str = ""
    office_hours: str = ""
    time_limit: str = ""
    fee: str = ""
    contact: str = ""
    type: str = "service"


@dataclass(frozen=True)
class ProduceItem:
    product: str
    village: str = ""
    seller: str = ""
    price: str = ""
    unit: str = ""
    quantity: str = ""
    photo: str = ""
    phone: str = ""
    available_until: date | None = None
    description: str = ""
    type: str = "produce"


@dataclass(frozen=True)
class NoticeItem:
    title: str
    body: str = ""
    category: str = "通知公告"
    issued_by: str = ""
    date: date | None = None
    type: str = "notice"


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


@dataclass(frozen=True)
class AlertItem:
    title: str
    body: str = ""
    severity: str = ""
    issued_by: str = ""
    expires: str = ""
    type: str = "alert"


@dataclass(frozen=True)
class VideoItem:
    """An uploaded clip (renderer.video): aired as its own pictures and sound."""

    title: str
    video: str  # the stored upload
    category: str = ""
    trim_in: float = 0.0  # seconds into the upload
    trim_out: float | None = None  # None: to the end
    caption: str = ""
    caption_style: str = ""  # "" | "strip" | "lower_third"
    type: str = "video"


@dataclass(frozen=True)
class IdentItem:
    type: str = "ident"


Item = (
    PolicyItem
    | ServiceItem
    | ProduceItem
    | NoticeItem
    | RosterItem
    | WhereaboutsItem
    | AlertItem
    | VideoItem
    | IdentItem
)
