"""The channel's play state: what has aired, as the timeline needs to remember it between pages.

The timeline (:mod:`playlists.timeline`) is a pure function of plan, time and this state; the
caller persists the state between pages as JSON (``to_dict``/``from_dict``) so that a restarted
channel resumes where it left off: the item part-way through its pages, the item a fresh one
stepped in front of, each rotation's cursor and each category's share of airtime.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

STATE_FORMAT = 1


class PlayStateError(ValueError):
    """A persisted play state that does not have the expected shape."""


@dataclass(frozen=True)
class Aired:
    """The version of an item that aired last, and when its latest page started."""

    version: int
    at: datetime


@dataclass(frozen=True)
class InProgress:
    """An item part-way through its pages; ``next_page`` is a 0-based index."""

    item_id: str
    version: int
    next_page: int


@dataclass(frozen=True)
class PlayState:
    """What has aired: everything ``timeline.next_slot`` needs besides the plan and the time.

    ``lag`` is each category's virtual time (seconds aired / weight) ahead of the least-served
    eligible category; ``cursors`` holds, per category, the (priority, id) of the item the
    rotation picked last; ``resume`` holds the items fresh items stepped in front of between
    two of their pages, the latest last, to be carried on once the fresh ones have aired.
    """

    started_at: datetime | None = None
    aired: Mapping[str, Aired] = field(default_factory=dict)
    current: InProgress | None = None
    cursors: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    lag: Mapping[str, float] = field(default_factory=dict)
    resume: tuple[InProgress, ...] = ()

    def __post_init__(self) -> None:
        for name in ("aired", "cursors", "lag"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (ISO-8601 instants)."""
        cur = self.current
        return {
            "format": STATE_FORMAT,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "aired": {k: [a.version, a.at.isoformat()] for k, a in self.aired.items()},
            "current": [cur.item_id, cur.version, cur.next_page] if cur else None,
            "cursors": {k: list(v) for k, v in self.cursors.items()},
            "lag": dict(self.lag),
            "resume": [[r.item_id, r.version, r.next_page] for r in self.resume],
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> PlayState:
        """Inverse of :meth:`to_dict`; raises :class:`PlayStateError` on anything else."""
        try:
            if raw.get("format") != STATE_FORMAT:
                raise PlayStateError(f"unsupported play state format {raw.get('format')!r}")
            cur, res = raw.get("current"), raw.get("resume")
            return cls(
                started_at=_aware(raw["started_at"]) if raw.get("started_at") else None,
                aired={k: Aired(int(v), _aware(at)) for k, (v, at) in raw["aired"].items()},
                current=InProgress(str(cur[0]), int(cur[1]), int(cur[2])) if cur else None,
                cursors={k: (int(p), str(i)) for k, (p, i) in raw["cursors"].items()},
                lag={k: float(v) for k, v in raw["lag"].items()},
                resume=tuple(InProgress(str(r[0]), int(r[1]), int(r[2])) for r in res or ()),
            )
        except PlayStateError:
            raise
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise PlayStateError(f"malformed play state: {exc!r}") from exc


def _aware(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise PlayStateError(f"naive datetime in play state: {text}")
    return parsed
