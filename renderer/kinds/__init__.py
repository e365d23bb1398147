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
            found.append(_airs_nothing_personal(declared))
    names = [d.name for d in found]
    if len(set(names)) != len(names):
        raise RuntimeError(f"two kinds declare the same name: {sorted(names)}")
    return {d.name: d for d in sorted(found, key=lambda d: (d.order, d.name))}


def _airs_nothing_personal(declared: KindDeclaration) -> KindDeclaration:
    """``declared``, unless a field it airs is personal: a resident's name or number must be
    kept off the air by the declaration itself (a kind with personal intake fields airs a
    shape of its own, ``aired``), not by every template remembering to leave it out."""
    aired = [f.name for f in declared.aired_fields if f.personal]
    if aired:
        raise RuntimeError(f"kind {declared.name!r} would air personal fields {aired}: "
                           "declare what airs with `aired=`")
    return declared


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
    KINDS[declared.name] = _airs_nothing_personal(declared)


def unregister(name: str) -> None:
    KINDS.pop(name, None)
