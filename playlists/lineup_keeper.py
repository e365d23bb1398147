"""Keeping one channel's lineup file true to what its playout airs (see playlists.lineup).

Playout tells the keeper each page it chooses; after each segment the keeper rebuilds the
lineup if that page departs from it, else extends it towards a day. Hours of timeline take a
fraction of a second, so the work runs on a thread of its own from frozen copies of plan, page
and state: the next segment never waits for the guide.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from playlists.lineup import (
    FIRST_HOURS,
    Lineup,
    extend,
    materialise_with_state,
    needs_rebuild,
    save_lineup,
    shortfall,
)
from playlists.plan import ChannelPlan
from playlists.playstate import PlayState
from playlists.timeline import Slot

log = logging.getLogger(__name__)
# One lineup is built at a time in a playout process. When a county's channels start together
# (a restart, or a node taking many over) each would otherwise build its day at once, and a
# hundred builders sharing the interpreter with the feed threads made every segment 1-3 s late
# for the first minute. Waiting builders cost nothing; the guide fills in channel by channel.
_BUILDING = threading.Lock()


class LineupKeeper:
    """One channel's materialised lineup, as last written to ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lineup: Lineup | None = None
        self._tail: PlayState | None = None  # the play state at the lineup's end
        self._chosen: tuple[Slot, ChannelPlan, PlayState] | None = None
        self._stale = True
        self._busy = False

    def chosen(self, slot: Slot, plan: ChannelPlan, state: PlayState) -> None:
        """Playout chose ``slot`` from ``plan``; ``state`` is the play state after it."""
        self._chosen = (slot, plan, state)
        self._stale = self._stale or needs_rebuild(self.lineup, slot, plan)

    def write(self) -> None:
        """Rebuild the lineup from the page chosen last if it no longer holds, else extend
        it when it runs short; in the background, at most one piece of work at a time."""
        if self._chosen is None or self._busy:
            return
        on_air, plan, state = self._chosen
        work: Callable[[], None]
        if self._stale:
            self._stale = False
            work = lambda: self._rebuild(plan, on_air, state)  # noqa: E731
        elif self.lineup is not None and self._tail is not None:
            base, tail = self.lineup, self._tail
            by = shortfall(base, on_air.start)
            if not by or plan.generated_at != base.plan_generated_at:
                return
            work = lambda: self._extend(plan, base, tail, by)  # noqa: E731
        else:
            return
        self._busy = True

        def run() -> None:
            try:
                with _BUILDING:
                    work()
            except Exception:  # the guide may lag; the channel must not
                log.exception("%s: lineup not written", plan.slug)
                self._stale = True
            finally:
                self._busy = False

        threading.Thread(target=run, name=f"lineup-{plan.slug}", daemon=True).start()

    def _rebuild(self, plan: ChannelPlan, on_air: Slot, state: PlayState) -> None:
        lineup, tail = materialise_with_state(plan, on_air, state, FIRST_HOURS)
        save_lineup(lineup, self.path)
        self.lineup, self._tail = lineup, tail
        # Pages chosen meanwhile were checked against the old lineup: check again.
        if self._chosen is not None:
            latest, latest_plan, _ = self._chosen
            self._stale = needs_rebuild(lineup, latest, latest_plan)

    def _extend(self, plan: ChannelPlan, base: Lineup, tail: PlayState, by: timedelta) -> None:
        lineup, tail = extend(base, plan, tail, by)
        if self._stale or self.lineup is not base:
            return  # playout departed from it meanwhile: a rebuild follows
        save_lineup(lineup, self.path)
        self.lineup, self._tail = lineup, tail
