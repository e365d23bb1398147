"""One module per content type; each has ``NAME``, ``plan(item, ctx)`` and ``draw(spec, ctx)``.

``plan`` lays the item out into :class:`renderer.page.PageSpec` objects (cheap, no
pixels); ``draw`` turns one spec into a :class:`renderer.draw.Canvas` (expensive).
"""

from __future__ import annotations

from types import ModuleType

from renderer.templates import (
    alert,
    ident,
    notice,
    policy,
    produce,
    roster,
    service,
    whereabouts,
)

TEMPLATES: dict[str, ModuleType] = {
    m.NAME: m for m in (policy, service, produce, notice, roster, whereabouts, alert, ident)
}


def template_for(item_type: str) -> ModuleType:
    """The template module for an item type."""
    return TEMPLATES[item_type]
