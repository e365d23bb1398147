"""One module per content type; each has ``NAME``, ``plan(item, ctx)`` and ``draw(spec, ctx)``.

``plan`` lays the item out into :class:`renderer.page.PageSpec` objects (cheap, no
pixels); ``draw`` turns one spec into a :class:`renderer.draw.Canvas` (expensive). Which
module draws a kind is the kind's declaration (``KindDeclaration.template``).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from renderer.kinds import KINDS


def template_for(item_type: str) -> ModuleType:
    """The template module for an item type (KeyError for a kind with no paged template)."""
    name = KINDS[item_type].template
    if not name:
        raise KeyError(item_type)
    return importlib.import_module(f"{__name__}.{name}")
