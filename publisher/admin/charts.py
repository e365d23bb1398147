"""The overview's charts as numbers and shapes: pure functions, no Flask, no database, no clock.

Each chart is computed in two steps: the data (airtime shares from as-run rows, a week of the
plan hour by hour, on-air minutes per hour, calls per week) and its geometry (rectangles in an
SVG user space). The templates (``admin/_charts.html``) only place them and add the words, so
what a chart shows can be checked here with plain values.

The plan side mirrors the timeline's rules (:mod:`playlists.timeline`): in a given hour a
category may air when its weight is above 0, one of its dayparts is open and one of its items
is valid; categories that may air share the hour by weight; valid alerts take the whole hour;
with nothing eligible the channel ident fills it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from playlists.plan import CategoryRule, ChannelPlan
from playlists.timeline import daypart_contains, is_valid
from playlists.timezones import zone
from renderer.kinds import KINDS

HOUR = timedelta(hours=1)
IDENT = "ident"
ALERT = "alert"
# Category order in legends and tables: the kinds' declared order (what staff know from the
# menus and the schedule page first), alerts and the ident last.
CATEGORY_ORDER = tuple(KINDS)
# Fills for categories, each at least 3:1 against the white card (WCAG 1.4.11), and told apart
# by labels as well as colour (legend, text on bars, the data table).
PALETTE = {
    "policy": "#1f5fa8", "service": "#0b7a6b", "produce": "#8a5700", "notice": "#7a3ea1",
    "roster": "#b4441a", "whereabouts": "#4e6b12", "video": "#a02a6c", ALERT: "#b3141c",
    IDENT: "#6a6f76",
}
# Declared kinds without a colour of their own take one of these in declared order, so a new
# kind is told apart from the rest without an edit here.
SPARE_FILLS = ("#2e6b8a", "#8e3b8e", "#6b5b1f", "#3b5f3b", "#5b4a9e")
OTHER_FILL = "#555b61"


def fill(category: str) -> str:
    if category in PALETTE:
        return PALETTE[category]
    spare = [c for c in KINDS if c not in PALETTE]
    if category in spare:
        return SPARE_FILLS[spare.index(category) % len(SPARE_FILLS)]
    return OTHER_FILL


def ordered(categories: Iterable[str]) -> list[str]:
    """``categories`` in legend order; unknown ones last, alphabetically."""
    known = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    return sorted(set(categories), key=lambda c: (known.get(c, len(known)), c))


# --- data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AiredHour:
    """The as-run log summed: the seconds of ``category`` pages that began on ``channel`` in
    hour ``hour`` (0 = the chart's first). The database sums, so a county's day (~100,000
    rows of 10 s pages) costs a few hundred rows here."""

    channel: int
    hour: int
    category: str
    seconds: float


def aired_shares(summed: Iterable[AiredHour]) -> dict[str, float]:
    """Each category's fraction of the airtime logged."""
    seconds: dict[str, float] = {}
    for row in summed:
        seconds[row.category] = seconds.get(row.category, 0.0) + row.seconds
    total = sum(seconds.values())
    return {c: s / total for c, s in seconds.items()} if total else {}


def hour_shares(plan: ChannelPlan, moment: datetime) -> dict[str, float]:
    """How the plan shares the channel at ``moment`` (aware): category → fraction."""
    if any(item.interrupt and is_valid(item, moment) for item in plan.items):
        return {ALERT: 1.0}
    local = moment.astimezone(zone(plan.timezone))
    weights: dict[str, float] = {}
    for item in plan.items:
        if item.interrupt or not item.pages or not is_valid(item, moment):
            continue
        rule = plan.categories.get(item.category, CategoryRule())
        open_now = not rule.dayparts or any(daypart_contains(d, local) for d in rule.dayparts)
        if rule.weight > 0 and open_now:
            weights[item.category] = rule.weight
    total = sum(weights.values())
    return {c: w / total for c, w in weights.items()} if total else {IDENT: 1.0}


def planned_shares(plans: Iterable[ChannelPlan], start: datetime, end: datetime
                   ) -> dict[str, float]:
    """The plans' shares averaged over [start, end), sampled at each half hour's middle (the
    hours of every plan count alike, as each channel airs all day)."""
    totals: dict[str, float] = {}
    samples = 0
    for plan in plans:
        moment = start + HOUR / 4
        while moment < end:
            samples += 1
            for category, share in hour_shares(plan, moment).items():
                totals[category] = totals.get(category, 0.0) + share
            moment += HOUR / 2
    return {c: v / samples for c, v in totals.items()} if samples else {}


@dataclass(frozen=True)
class PlanDay:
    day: date
    hours: tuple[Mapping[str, float], ...]  # 24 (23 or 25 on a clock change), local hours

    def hours_of(self, category: str) -> float:
        """Hours of the day the category is planned to fill (by share)."""
        return sum(h.get(category, 0.0) for h in self.hours)

    def tenths(self, categories: Sequence[str]) -> dict[str, float]:
        """Each category's hours to a tenth, rounded so that a row still adds up to its
        day (largest remainders): nine categories rounded one by one could show 24.3."""
        return dict(zip(categories, tenths_summing([self.hours_of(c) for c in categories]),
                        strict=True))


def tenths_summing(values: Sequence[float]) -> list[float]:
    """``values`` to one decimal each, their sum the sum of ``values`` to one decimal."""
    scaled = [v * 10 for v in values]
    floors = [math.floor(v) for v in scaled]
    short = round(sum(scaled)) - sum(floors)
    by_remainder = sorted(range(len(values)), key=lambda i: floors[i] - scaled[i])
    for i in by_remainder[:max(short, 0)]:
        floors[i] += 1
    return [f / 10 for f in floors]


def week_plan(plan: ChannelPlan, first_day: date, days: int = 7) -> list[PlanDay]:
    """The plan hour by hour for ``days`` channel-local days from ``first_day``: what airs when,
    judged at each hour's middle."""
    tz = zone(plan.timezone)
    out = []
    for n in range(days):
        day = first_day + timedelta(days=n)
        start = datetime.combine(day, time(0), tzinfo=tz)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
        hours = []
        moment = start.astimezone(UTC)
        while moment < end:
            hours.append(hour_shares(plan, moment + HOUR / 2))
            moment += HOUR
        out.append(PlanDay(day, tuple(hours)))
    return out


def on_air_minutes(summed: Iterable[AiredHour], channel: int, hours: int = 24) -> list[float]:
    """Minutes of each hour that ``channel`` had a page on air: the as-run log is the outside
    truth of a feed's health, a gap is time nothing went out.

    Pages are summed by the hour they began in; what runs past the hour's end (a page that
    straddles it) is carried into the next hour, so a continuous feed fills every hour. A gap
    shorter than the page that straddles its hour can hide; longer ones show.
    """
    began = [0.0] * hours
    before = 0.0  # hour -1: pages that began before the chart and may run into its first hour
    for row in summed:
        if row.channel == channel and 0 <= row.hour < hours:
            began[row.hour] += row.seconds
        elif row.channel == channel and row.hour == -1:
            before += row.seconds
    minutes, carry = [], max(before - 3600.0, 0.0)
    for seconds in began:
        total = seconds + carry
        minutes.append(round(min(total, 3600.0) / 60, 1))
        carry = max(total - 3600.0, 0.0)
    return minutes


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_counts(days: Iterable[date], last_week: date, weeks: int = 8) -> list[tuple[date, int]]:
    """(Monday, how many of ``days`` fall in that week) for ``weeks`` weeks up to the week of
    ``last_week``."""
    newest = week_start(last_week)
    mondays = [newest - timedelta(weeks=weeks - 1 - n) for n in range(weeks)]
    counts = dict.fromkeys(mondays, 0)
    for day in days:
        monday = week_start(day)
        if monday in counts:
            counts[monday] += 1
    return list(counts.items())


# --- geometry ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    key: str  # a category, or what the bar stands for


@dataclass(frozen=True)
class ShareRow:
    category: str
    planned: float | None  # None: no plan to compare with
    aired: float
    y: float
    planned_bar: Rect | None
    aired_bar: Rect


SHARE_LABEL_W = 92  # room for a four-character category name at 14 px
SHARE_BAR_W = 160
SHARE_ROW_H = 40


def share_rows(planned: Mapping[str, float], aired: Mapping[str, float]) -> list[ShareRow]:
    """Two bars per category, the plan's share above the aired one, 100 % = SHARE_BAR_W."""
    rows = []
    for n, category in enumerate(ordered([*planned, *aired])):
        y = 8 + n * SHARE_ROW_H
        p = planned.get(category, 0.0) if planned else None
        a = aired.get(category, 0.0)
        rows.append(ShareRow(
            category, p, a, y,
            Rect(SHARE_LABEL_W, y, max(p * SHARE_BAR_W, 1), 14, "planned") if p is not None
            else None,
            Rect(SHARE_LABEL_W, y + 16, max(a * SHARE_BAR_W, 1), 14, category)))
    return rows


TIMELINE_LABEL_W = 64
TIMELINE_HOUR_W = 26
TIMELINE_ROW_H = 30
TIMELINE_BAND_H = 22


def timeline_rects(days: Sequence[PlanDay]) -> list[tuple[PlanDay, float, list[Rect]]]:
    """Per day a row; per hour a column split top to bottom by the categories' shares."""
    out = []
    for n, day in enumerate(days):
        y0 = 24 + n * TIMELINE_ROW_H
        rects = []
        for h, shares in enumerate(day.hours):
            x = TIMELINE_LABEL_W + h * TIMELINE_HOUR_W
            y = float(y0)
            for category in ordered(shares):
                height = shares[category] * TIMELINE_BAND_H
                if height > 0:
                    rects.append(Rect(x, round(y, 2), TIMELINE_HOUR_W - 1, round(height, 2),
                                      category))
                    y += height
        out.append((day, y0, rects))
    return out


HEALTH_LABEL_W = 96
HEALTH_HOUR_W = 26
HEALTH_ROW_H = 44
HEALTH_BAR_H = 30
# An hour short of this much is still whole: pages are summed by the hour they began in, so
# the page straddling an hour's start can be off by its length (10-40 s).
FULL_TOLERANCE_MIN = 1.0


def possible_minutes(start: datetime, now: datetime, hours: int = 24) -> list[float]:
    """How many minutes of each hour from ``start`` have passed by ``now`` (the current hour
    is not over, so a short bar there is no gap)."""
    return [round(min(max((now - start - n * HOUR).total_seconds() / 60, 0), 60), 1)
            for n in range(hours)]


def health_rects(minutes: Sequence[float], y0: float,
                 possible: Sequence[float] | None = None) -> list[Rect]:
    """24 bars for one channel, their height the minutes on air (60 = full); ``key`` says
    "full" (on air all the hour, or all of it so far), "gap" (some minutes missing) or "off"
    (nothing aired)."""
    rects = []
    for h, m in enumerate(minutes):
        wanted = possible[h] if possible is not None else 60
        key = "off" if m <= 0 else "full" if m >= wanted - FULL_TOLERANCE_MIN else "gap"
        height = max(HEALTH_BAR_H * min(m, 60) / 60, 1.5)
        rects.append(Rect(HEALTH_LABEL_W + h * HEALTH_HOUR_W, y0 + HEALTH_BAR_H - height,
                          HEALTH_HOUR_W - 3, height, key))
    return rects


CALLS_BAR_W = 28
CALLS_GAP = 8
CALLS_H = 120


def calls_rects(weeks: Sequence[tuple[date, int]]) -> list[Rect]:
    """One bar per week, scaled so the busiest week fills CALLS_H."""
    top = max((n for _, n in weeks), default=0) or 1
    rects = []
    for i, (monday, n) in enumerate(weeks):
        height = CALLS_H * n / top
        rects.append(Rect(28 + i * (CALLS_BAR_W + CALLS_GAP), 24 + CALLS_H - height,
                          CALLS_BAR_W, height, monday.isoformat()))
    return rects
