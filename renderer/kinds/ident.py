"""频道标识: the channel's own filler (logo, name, date); it has no fields."""

from __future__ import annotations

from dataclasses import dataclass

from renderer.declare import IDENT, KindDeclaration


@dataclass(frozen=True)
class IdentItem:
    type: str = "ident"


DECLARATION = KindDeclaration(
    name="ident",
    label="频道标识",
    order=99,
    item=IdentItem,
    template="ident",
    source=IDENT,
    guide_category="频道介绍",
    narrated=False,
    fields=(),
    # English for its words, where the catalogue has none (a new kind needs no .po edit).
    en={
        "频道标识": "Channel ident",
    },
)
