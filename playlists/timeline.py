"""The channel timeline: which page airs next, as a pure function of plan, time and play state.

No system clock, no I/O: ``now`` is an argument and everything that must be remembered between
pages lives in a small frozen :class:`~playlists.playstate.PlayState` the caller persists
(``to_dict``/``from_dict``).

Order of decisions at each page boundary:

1. **Alerts.** Valid ``interrupt`` items take over at once (even mid-item; dayparts do not apply)
   and loop among themselves. When none is valid any more the schedule resumes by itself with the
   next item of the rotation; the item the alert cut into is not resumed.
2. **Fresh** items: eligible, and either a new version of an item that aired before, or never
   aired and ready after this state began (so a restart with an empty state does not make the
   whole library "fresh"). A fresh item airs at the next *page* boundary: the page on screen is
   never cut, but an item part-way through its pages steps aside and is carried on (``resume``)
   once the fresh items have aired (a fresh item on air steps aside for a later one the same
   way; the latest pushed aside is carried on first). Oldest ``ready_at`` first; each airs once
   this way and then keeps its normal place (if that place was next anyway, the rotation steps
   past it rather than air it twice running).
3. **The item on air** continues with its next page, so an item's pages air consecutively. If
   its version changed it restarts at page 1; if it is gone or no longer eligible it stops.
4. At an item boundary, in this order:

   a. the item a fresh one stepped in front of, from its next page;
   b. **overdue** items, when the plan sets ``max_gap_s``: an eligible item that would otherwise
      go longer than that without airing airs now, the most overdue first;
   c. **rotation**: categories share airtime by weight (virtual-time fair queueing, charged per
      second aired, so long items cost more; fresh and overdue airings are charged too, so the
      shares still hold); inside a category items rotate in order of ``priority`` (highest
      first), then id, so every item airs once per turn of its category. The whereabouts board
      is a category like any other: its weight sets its share;
   d. ``plan.filler`` (the channel ident).

If nothing is eligible and the plan has no filler, :class:`NothingToAirError` is raised: the
clock process always writes an ident, so a plan without one is a configuration error, and a
made-up slot with no encoded unit behind it would only fail later and less clearly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from playlists.plan import CategoryRule, ChannelPlan, Daypart, PlannedItem, PlannedPage
from playlists.playstate import Aired, InProgress, PlayState
from playlists.timezones import local_midnight, zone

WHEREABOUTS = "whereabouts"
INTERRUPT_ROTATION = "!interrupt"  # cursor key of the alert loop; no category has a "!"
MAX_RESUME = 4  # items waiting to be carried on; more approvals at once drop the oldest
_ALL_DAYS = frozenset(range(7))
_DEFAULT_RULE = CategoryRule()


class NothingToAirError(LookupError):
    """Nothing is eligible and the plan has no filler."""


@dataclass(frozen=True)
class Slot:
    """One page on air: what, from when, for how long."""

    item_id: str
    version: int
    category: str
    page: PlannedPage
    start: datetime
    duration_s: float
    interrupt: bool

    @property
    def end(self) -> datetime:
        return self.start + _span(self.duration_s)


def _span(seconds: float) -> timedelta:
    # Page durations sit on the 0.64 s grid, which whole microseconds represent exactly.
    return timedelta(microseconds=round(seconds * 1_000_000))


def daypart_contains(daypart: Daypart, local: datetime) -> bool:
    """Whether channel-local ``local`` falls in ``daypart``.

    A window whose end is not after its start wraps past midnight and belongs to the weekday it
    starts on (Friday 22:00-02:00 covers Saturday 01:00); start == end means 24 hours from start.
    Empty ``weekdays`` means every day.
    """
    days = daypart.weekdays or _ALL_DAYS
    t, wd = local.time(), local.weekday()
    if daypart.start < daypart.end:
        return wd in days and daypart.start <= t < daypart.end
    return (wd in days and t >= daypart.start) or ((wd - 1) % 7 in days and t < daypart.end)


def is_valid(item: PlannedItem, now: datetime) -> bool:
    """Inside the item's validity window: valid_from <= now < valid_until (None = open)."""
    return (item.valid_from is None or item.valid_from <= now) and (
        item.valid_until is None or now < item.valid_until
    )


def _playable(item: PlannedItem) -> bool:
    return bool(item.pages) and all(p.duration_s > 0 for p in item.pages)


def _news_worthy(item: PlannedItem) -> bool:
    # The board changes with every check-in and alerts have their own loop: neither is news
    # that jumps the queue.
    return item.category != WHEREABOUTS and not item.interrupt


def _rank(item: PlannedItem) -> tuple[int, str]:
    return (-item.priority, item.id)


def _length(item: PlannedItem) -> float:
    return sum(p.duration_s for p in item.pages)


class _Run:
    """A plan indexed once plus a mutable copy of the play state, stepped page by page."""

    def __init__(self, plan: ChannelPlan, state: PlayState) -> None:
        self.plan = plan
        self.tz = zone(plan.timezone)
        self.items = {i.id: i for i in plan.items if _playable(i)}
        self.alerts = sorted((i for i in self.items.values() if i.interrupt), key=_rank)
        self.by_cat: dict[str, list[PlannedItem]] = {}
        for item in sorted(self.items.values(), key=_rank):
            if not item.interrupt:
                self.by_cat.setdefault(item.category, []).append(item)
        self.rules = {c: plan.categories.get(c, _DEFAULT_RULE) for c in self.by_cat}
        self.filler = plan.filler if plan.filler and _playable(plan.filler) else None
        self.max_gap = timedelta(seconds=plan.max_gap_s) if plan.max_gap_s else None
        self.longest = _span(max((_length(i) for i in self.items.values()), default=0.0))
        self.started_at = state.started_at
        self.aired = dict(state.aired)
        self.current = state.current
        self.resume = state.resume
        self.cursors = dict(state.cursors)
        self.lag = dict(state.lag)
        self.fresh: set[str] | None = None  # computed once started_at is known

    def freeze(self) -> PlayState:
        known = self.items.keys() | ({self.filler.id} if self.filler else set())
        return PlayState(
            started_at=self.started_at,
            aired={k: v for k, v in self.aired.items() if k in known},
            current=self.current,
            # Forget categories the plan no longer has, so the state stays small.
            cursors={k: v for k, v in self.cursors.items() if k in self.rules or k[0] == "!"},
            lag={k: v for k, v in self.lag.items() if k in self.rules},
            resume=self.resume,
        )

    def step(self, now: datetime) -> Slot:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        if self.started_at is None:
            self.started_at = now
        alerts = [i for i in self.alerts if is_valid(i, now)]
        if alerts:
            self.resume = ()  # the item an alert cut into is not resumed
            going = self._continuing(self.current, now, {i.id for i in alerts})
            if going:
                return self._air(*going, now)
            return self._air(self._rotate(INTERRUPT_ROTATION, alerts), 0, now)
        going = self._continuing(self.current, now, None)
        fresh = self._fresh(now)
        if fresh is not None and (going is None or self._may_step_aside(going[0], fresh)):
            if going is not None and going[1] > 0 and going[0] is not self.filler:
                # Carried on after the fresh items; a few at most, so the state stays small.
                self.resume = (*self.resume, self.current)[-MAX_RESUME:]
            self._skip_if_next(fresh, now)
            return self._air(fresh, 0, now)
        if going:
            return self._air(*going, now)
        while self.resume:
            *rest, last = self.resume
            self.resume = tuple(rest)
            going = self._continuing(last, now, None)
            if going:
                return self._air(*going, now)
        item = self._overdue(now) or self._pick(now)
        if item is not None:
            return self._air(item, 0, now)
        if self.filler is not None:
            return self._air(self.filler, 0, now)
        raise NothingToAirError(
            f"channel {self.plan.slug!r}: nothing eligible at {now.isoformat()} and no filler"
        )

    def _may_step_aside(self, on_air: PlannedItem, fresh: PlannedItem) -> bool:
        """Whether the item on air gives way to ``fresh`` at this page boundary."""
        # A new version of the item on air restarts at page 1 anyway.
        return on_air.id != fresh.id

    def _on_air(self, category: str, local: datetime) -> bool:
        """Whether ``category`` airs at channel-local ``local`` (weight > 0, in a daypart)."""
        rule = self.rules[category]
        return rule.weight > 0 and (
            not rule.dayparts or any(daypart_contains(d, local) for d in rule.dayparts)
        )

    def _eligible(self, item: PlannedItem, now: datetime) -> bool:
        if not is_valid(item, now):
            return False
        if item.interrupt or item is self.filler:
            return True
        return self._on_air(item.category, now.astimezone(self.tz))

    def _continuing(
        self, cur: InProgress | None, now: datetime, alert_ids: set[str] | None
    ) -> tuple[PlannedItem, int] | None:
        """The item of ``cur`` and the page to show next, if it goes on."""
        if cur is None:
            return None
        item = self.filler if self.filler and cur.item_id == self.filler.id else None
        item = self.items.get(cur.item_id, item)
        if item is None or (alert_ids is not None and item.id not in alert_ids):
            return None
        if not self._eligible(item, now):
            return None
        if item.version != cur.version:
            return item, 0
        return (item, cur.next_page) if cur.next_page < len(item.pages) else None

    def _fresh(self, now: datetime) -> PlannedItem | None:
        """The oldest eligible fresh item (rule 2), if any."""
        news = (self.items[i] for i in self._fresh_ids())
        fresh = [i for i in news if _news_worthy(i) and self._eligible(i, now)]
        return min(fresh, key=lambda i: (i.ready_at, -i.priority, i.id)) if fresh else None

    def _live(self, cat: str, now: datetime) -> list[PlannedItem]:
        return [i for i in self.by_cat.get(cat, ()) if is_valid(i, now)]

    def _skip_if_next(self, item: PlannedItem, now: datetime) -> None:
        """Airing ``item`` out of turn: if its turn was next anyway, step the rotation past it."""
        if self._peek(item.category, self._live(item.category, now)) is item:
            self._rotate(item.category, [item])

    def _last_aired(self, item: PlannedItem) -> datetime:
        aired = self.aired.get(item.id)
        if aired is not None:
            return aired.at
        assert self.started_at is not None
        return max(self.started_at, item.ready_at)

    def _overdue(self, now: datetime) -> PlannedItem | None:
        """The eligible item longest unaired, if the rotation might take some item past
        ``max_gap_s`` (rule 4b).

        Earliest deadline first: if the items, aired longest-unaired first after one more
        item of the rotation, would not all start within the gap, the longest-unaired goes
        now. A gap shorter than the library needs makes this rule air the library in turn,
        taking airtime from the weights.
        """
        if self.max_gap is None:
            return None
        local = now.astimezone(self.tz)
        waiting = sorted(
            (
                (self._last_aired(i), _rank(i), i)
                for cat, items in self.by_cat.items()
                if self._on_air(cat, local)
                for i in items
                if is_valid(i, now)
            ),
            key=lambda entry: entry[:2],
        )
        start = now + self.longest
        for last, _rank_key, item in waiting:
            if start - last > self.max_gap:
                first = waiting[0][2]
                self._skip_if_next(first, now)
                return first
            start += _span(_length(item))
        return None

    def _pick(self, now: datetime) -> PlannedItem | None:
        """The next item of the weighted rotation (rule 4c)."""
        local = now.astimezone(self.tz)
        cats = [
            c
            for c in self.by_cat
            if self._on_air(c, local) and any(is_valid(i, now) for i in self.by_cat[c])
        ]
        if not cats:
            return None
        cat = min(cats, key=lambda c: (self.lag.get(c, 0.0), -self.rules[c].weight, c))
        shift = self.lag.get(cat, 0.0)
        if shift:
            # Keep lags relative to the least-served category; a category that was off air
            # drops to 0, so it rejoins on par instead of bursting to catch up.
            self.lag = {c: max(0.0, v - shift) for c, v in self.lag.items()}
        return self._rotate(cat, self._live(cat, now))

    def _fresh_ids(self) -> set[str]:
        """Ids of items whose current version has not aired and counts as news (rule 2)."""
        if self.fresh is None:
            seen = {k: a.version for k, a in self.aired.items()}
            self.fresh = {
                i.id
                for i in self.items.values()
                if seen.get(i.id, i.version) != i.version
                or (i.id not in seen and i.ready_at >= self.started_at)
            }
        return self.fresh

    def _peek(self, key: str, ranked: list[PlannedItem]) -> PlannedItem | None:
        """The item after the one ``key`` picked last, in rank order, wrapping round."""
        if not ranked:
            return None
        last = self.cursors.get(key)
        if last is None:
            return ranked[0]
        after = (-last[0], last[1])
        return next((i for i in ranked if _rank(i) > after), ranked[0])

    def _rotate(self, key: str, ranked: list[PlannedItem]) -> PlannedItem:
        """Take the next item of rotation ``key`` and move its cursor there."""
        choice = self._peek(key, ranked)
        assert choice is not None
        self.cursors[key] = (choice.priority, choice.id)
        return choice

    def _air(self, item: PlannedItem, index: int, now: datetime) -> Slot:
        page = item.pages[index]
        self.aired[item.id] = Aired(item.version, now)
        if self.fresh is not None:
            self.fresh.discard(item.id)
        more = index + 1 < len(item.pages)
        self.current = InProgress(item.id, item.version, index + 1) if more else None
        if not item.interrupt and item is not self.filler:
            cat = item.category
            self.lag[cat] = self.lag.get(cat, 0.0) + page.duration_s / self.rules[cat].weight
        return Slot(
            item.id, item.version, item.category, page, now, page.duration_s, item.interrupt
        )


def next_slot(plan: ChannelPlan, now: datetime, state: PlayState) -> tuple[Slot, PlayState]:
    """The page to air at ``now`` (a page boundary) and the play state after airing it."""
    run = _Run(plan, state)
    slot = run.step(now)
    return slot, run.freeze()


def fresh_ids(plan: ChannelPlan, state: PlayState) -> set[str]:
    """The items that count as fresh news (rule 2) for ``state``: they air at the next page
    boundary. The whereabouts board and alerts are never among them."""
    run = _Run(plan, state)
    if run.started_at is None:
        return set()
    return {i for i in run._fresh_ids() if _news_worthy(run.items[i])}  # noqa: SLF001


def simulate(
    plan: ChannelPlan, start: datetime, end: datetime, state: PlayState
) -> tuple[list[Slot], PlayState]:
    """Every slot starting in [start, end) back to back, and the state after the last one."""
    run = _Run(plan, state)
    slots: list[Slot] = []
    now = start
    while now < end:
        slot = run.step(now)
        slots.append(slot)
        now = slot.end
    return slots, run.freeze()


def plan_day(plan: ChannelPlan, day: date, state: PlayState) -> list[Slot]:
    """The slots of one channel-local calendar day, simulated from ``state`` at its midnight."""
    tz = zone(plan.timezone)
    return simulate(plan, local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz),
                    state)[0]
