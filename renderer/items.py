"""Content items as the renderer sees them: frozen dataclasses, validated once.

Each class is declared beside its kind's fields in :mod:`renderer.kinds` and re-exported
here, where templates and tests import them. Items are built from the API's JSON shape by
:func:`renderer.item_parser.parse_item`, which checks every field, so a template can trust
what it is given: optional fields are ``""`` or ``()``, never ``None``.
"""

from __future__ import annotations

from renderer.declare import ItemError
from renderer.kinds.alert import AlertItem
from renderer.kinds.ident import IdentItem
from renderer.kinds.notice import NoticeItem
from renderer.kinds.policy import PolicyItem
from renderer.kinds.produce import ProduceItem
from renderer.kinds.roster import RosterItem, RosterRow
from renderer.kinds.service import ServiceItem
from renderer.kinds.video import VideoItem
from renderer.kinds.whereabouts import WhereaboutsItem, WhereaboutsRow

# Any item parse_item returns (a kind added later is an item too; this names the known ones
# for type hints).
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

__all__ = [
    "AlertItem", "IdentItem", "Item", "ItemError", "NoticeItem", "PolicyItem", "ProduceItem",
    "RosterItem", "RosterRow", "ServiceItem", "VideoItem", "WhereaboutsItem", "WhereaboutsRow",
]  # fmt: skip
