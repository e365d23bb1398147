"""Every content kind, one module each, found by looking: a new module is a new kind.

A module of this package that defines ``DECLARATION`` (a
:class:`renderer.declare.KindDeclaration`) declares a kind; :data:`KINDS` holds them in
their ``order``. Nothing else lists the kinds: forms, parser, API, import, menus and the
guide are derived from here.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable

from renderer.declare import ALERT, REVIEWED, KindDeclaration


def discover(path: Iterable[str], package: str) -> dict[str, KindDeclaration]:
    """The declarations of the modules of ``package`` (found on ``path``), in their order."""
    found: list[KindDeclaration] = []
    for module in pkgutil.iter_modules(path):
        if module.name.startswith("_"):
            continue
        declared = getattr(importlib.import_module(f"{package}.{module.name}"), "DECLARATION",
                           None)  # fmt: skip
        if isinstance(declared, KindDeclaration):
            found.append(declared)
    names = [d.name for d in found]
    if len(set(names)) != len(names):
        raise RuntimeError(f"two kinds declare the same name: {sorted(names)}")
    return {d.name: d for d in sorted(found, key=lambda d: (d.order, d.name))}


KINDS: dict[str, KindDeclaration] = discover(__path__, __name__)


def declaration(name: str) -> KindDeclaration:
    """The declaration of kind ``name`` (KeyError if there is none)."""
    return KINDS[name]


def kinds_from(*sources: str) -> tuple[KindDeclaration, ...]:
    """The declarations whose content comes from one of ``sources`` (declare.REVIEWED …)."""
    return tuple(d for d in KINDS.values() if d.source in sources)


def reviewed_kinds() -> tuple[KindDeclaration, ...]:
    """The kinds staff type and reviewers approve (the admin's content menus)."""
    return kinds_from(REVIEWED)


def stored_kinds() -> tuple[KindDeclaration, ...]:
    """The kinds stored as content items: the reviewed ones and alerts."""
    return kinds_from(REVIEWED, ALERT)


def by_collection(collection: str) -> KindDeclaration:
    """The kind the content API serves at ``/…/<collection>`` (KeyError if none)."""
    for d in KINDS.values():
        if d.collection and d.collection == collection:
            return d
    raise KeyError(collection)


def register(declared: KindDeclaration) -> None:
    """Add a kind not found in this package (a plug-in, or a test's throwaway kind)."""
    KINDS[declared.name] = declared


def unregister(name: str) -> None:
    KINDS.pop(name, None)
