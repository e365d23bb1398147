"""How a schedule shares a week's airtime, and how to say it in words.

Pure: :func:`weekly_airtime` runs the timeline's own daypart test over a week and splits
each stretch by weight (what the timeline's fair queueing converges to, the whereabouts board
included); the ``describe_*``
functions and :func:`summary` put rules into the words the admin and channel pages show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _

from playlists.plan import CategoryRule, Daypart
from playlists.timeline import WHEREABOUTS, daypart_contains
from publisher.services.schedule.rules import (
    CATEGORIES,
    DEFAULT_CATEGORIES,
    LABELS,
    ScheduleError,
    clean_entry,
)

_WEEK_MINUTES = 7 * 24 * 60
_MONDAY = datetime(2024, 1, 1)  # any Monday: only the weekday and the time are read


@dataclass(frozen=True)
class Airtime:
    """Shares of a week's airtime, in percent."""

    shares: dict[str, float]  # category → share
    idle: float  # no category on air: the channel ident fills the time
    board: bool  # the whereabouts board airs at all


def _on_air(rule: CategoryRule, moment: datetime) -> bool:
    return rule.weight > 0 and (
        not rule.dayparts or any(daypart_contains(d, moment) for d in rule.dayparts))


def _breakpoints(rules: Mapping[str, CategoryRule]) -> list[int]:
    """Minutes of the week at which some category goes on or off air."""
    points = {0}
    for rule in rules.values():
        for d in rule.dayparts:
            start = d.start.hour * 60 + d.start.minute
            length = (d.end.hour * 60 + d.end.minute - start) % 1440 or 1440
            for day in d.weekdays or range(7):
                points.add((day * 1440 + start) % _WEEK_MINUTES)
                points.add((day * 1440 + start + length) % _WEEK_MINUTES)
    return sorted(points)


def weekly_airtime(rules: Mapping[str, CategoryRule]) -> Airtime:
    """Each category's share of a week, if every category always has something to air.

    Categories on air at the same time share it by weight (what the timeline's fair
    queueing converges to); when none is on air the ident fills the time. The whereabouts
    board is a category like the others.
    """
    rotation = dict(rules)
    minutes = dict.fromkeys(rotation, 0.0)
    idle = 0.0
    points = _breakpoints(rotation)
    for start, end in zip(points, [*points[1:], _WEEK_MINUTES], strict=True):
        moment = _MONDAY + timedelta(minutes=start)
        open_ = {c: r.weight for c, r in rotation.items() if _on_air(r, moment)}
        total = sum(open_.values())
        if not total:
            idle += end - start
            continue
        for cat, weight in open_.items():
            minutes[cat] += (end - start) * weight / total
    board = rules.get(WHEREABOUTS)
    return Airtime(shares={c: 100 * m / _WEEK_MINUTES for c, m in minutes.items()},
                   idle=100 * idle / _WEEK_MINUTES, board=bool(board and board.weight > 0))


# ---- describing a schedule to people -------------------------------------------------


def percent(value: float) -> str:
    """``37.5%``, ``40%``; a share that rounds to 0 but is not 0 shows as ``<0.1%``."""
    if 0 < value < 0.05:
        return "<0.1%"
    return f"{value:.1f}".removesuffix(".0") + "%"


def _weekday_names() -> tuple[str, ...]:
    return (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))


def describe_days(days: tuple[int, ...]) -> str:
    """``周一至周五``, ``周六、周日``, ``每天``: runs of three or more days are joined."""
    names = _weekday_names()
    if len(set(days)) == 7 or not days:
        return _("每天")
    runs: list[list[int]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(_("%(a)s至%(b)s", a=names[run[0]], b=names[run[-1]]))
        else:
            parts.extend(names[d] for d in run)
    return "、".join(parts)


def describe_daypart(d: Daypart) -> str:
    start, end = d.start.strftime("%H:%M"), d.end.strftime("%H:%M")
    if d.end == time(0):
        end = "24:00"
    elif d.end < d.start:
        end = _("次日%(time)s", time=end)
    return f"{describe_days(d.weekdays)} {start}–{end}"


def describe_rule(rule: CategoryRule, switched: bool = False) -> str:
    """``比例 3 · 周一至周五 07:00–09:00``; ``不播出`` when its weight is 0."""
    if rule.weight <= 0:
        return _("不播出")
    when = "；".join(describe_daypart(d) for d in rule.dayparts) or _("全天")
    if switched:
        return when
    return _("比例 %(w)s · %(when)s", w=f"{rule.weight:g}", when=when)


def describe_entry(entry: Any) -> str:
    """One stored category entry (as in the audit log) in words; as is if malformed."""
    try:
        return describe_rule(clean_entry(entry))
    except ScheduleError:
        return str(entry)


@dataclass(frozen=True)
class ScheduleRow:
    category: str
    label: str
    share: str  # "37.5%", or how the board airs
    when: str  # "全天", "周一至周五 07:00–09:00", "不播出"
    on_air: bool


def summary(rules: Mapping[str, CategoryRule]) -> tuple[list[ScheduleRow], str]:
    """Rows for people (category, share, dayparts) and the share left to the ident."""
    airtime = weekly_airtime(rules)
    rows = []
    for cat in CATEGORIES:
        rule = rules.get(cat, DEFAULT_CATEGORIES[cat])
        share = percent(airtime.shares.get(cat, 0.0))
        when = describe_rule(rule, switched=True)
        rows.append(ScheduleRow(cat, str(LABELS[cat]), share, when, rule.weight > 0))
    return rows, percent(airtime.idle)
