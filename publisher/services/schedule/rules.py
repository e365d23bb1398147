"""A channel's schedule (编排) as rules: cleaning what staff type or storage holds.

Per content category: its share of airtime (a weight; 0 = off air) and the dayparts it airs
in. Every value typed into the admin form or read back from the channel's JSON goes through
:func:`clean_schedule`, which turns it into the ``CategoryRule``/``Daypart`` dataclasses the
timeline runs on, or lists what is wrong under the form field's name. Pure: no database.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import time
from typing import Any, Protocol

from flask_babel import gettext as _

from playlists.plan import CategoryRule, Daypart
from publisher.services.errors import ServiceError
from publisher.words import kind_word
from renderer.declare import DERIVED, REVIEWED
from renderer.kinds import KINDS, kinds_from

# Categories in the order staff see them: every kind that airs by schedule (reviewed content
# and the boards derived from records), in its declared order. Alerts interrupt whatever
# airs and the ident fills gaps: neither has a share. The plan labels stay Chinese whatever
# the UI language, because they describe what airs.
SCHEDULED = (REVIEWED, DERIVED)
CATEGORIES = tuple(d.name for d in kinds_from(*SCHEDULED))
PLAN_LABELS = {cat: KINDS[cat].label for cat in CATEGORIES}
LABELS = {cat: kind_word(cat) for cat in CATEGORIES}  # in the reader's language
# Airtime shares when a channel has no schedule of its own. All categories air all day
# so that anything approved shows up at once; dayparts are a per-channel refinement.
# Policies matter most to households; a board or a new kind starts at the smallest share.
DEFAULT_WEIGHTS = {"policy": 3.0, "service": 2.0, "produce": 2.0, "notice": 2.0}
DEFAULT_WEIGHT = 1.0
DEFAULT_CATEGORIES = {
    cat: CategoryRule(weight=DEFAULT_WEIGHTS.get(cat, DEFAULT_WEIGHT), label=PLAN_LABELS[cat])
    for cat in CATEGORIES
}
# Categories whose weight only says on (1) or off (0), shown as a tick box. None since the
# whereabouts board takes its share by weight like the rest (issue 10).
SWITCHED: frozenset[str] = frozenset()
# Morning, noon, evening and night: more windows than that is a job for the weights.
MAX_DAYPARTS = 4
MAX_WEIGHT = 100.0  # shares are relative; a bigger number is a typo, not a wish
# The longest an approved item may go without airing, in minutes (0: no limit). Half an hour
# lets a household that watches for a while see everything; a gap shorter than the library
# needs takes airtime from the weights (see playlists.timeline).
MAX_GAP_FIELD = "max-gap"
DEFAULT_MAX_GAP_MINUTES = 30
MAX_GAP_LIMIT_MINUTES = 24 * 60
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::00)?$")


class ScheduleError(ServiceError):
    """A schedule that cannot air; ``errors`` maps each form field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("请修改标红的项目后再保存。"))
        self.errors = errors


# ---- form field names: the service reports errors under the names the form uses --------


def weight_field(category: str) -> str:
    return f"weight-{category}"


def daypart_field(category: str, index: int, part: str) -> str:
    """``part`` is ``days``, ``start`` or ``end``."""
    return f"dp-{category}-{index}-{part}"


def dayparts_field(category: str) -> str:
    return f"dayparts-{category}"


ALL_OFF_FIELD = "weights"


# ---- cleaning ------------------------------------------------------------------------


def _weight(value: Any, field: str, errors: dict[str, str]) -> float:
    if isinstance(value, bool) or value is None:
        value = ""
    text = str(value).strip()
    if text == "":
        errors[field] = _("请填写比例，不播出填 0。")
        return 0.0
    try:
        weight = float(text)
    except ValueError:
        errors[field] = _("比例请填写数字，例如 2。")
        return 0.0
    if not math.isfinite(weight):
        errors[field] = _("比例请填写数字，例如 2。")
    elif weight < 0:
        errors[field] = _("比例不能是负数。")
    elif weight > MAX_WEIGHT:
        errors[field] = _("比例不能超过 %(n)d。", n=int(MAX_WEIGHT))
    else:
        return weight
    return 0.0


def _clock(value: Any, field: str, errors: dict[str, str], missing: str) -> time | None:
    text = "" if value is None else str(value).strip()
    if not text:
        errors[field] = missing
        return None
    match = _TIME.match(text)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        errors[field] = _("时间格式应为“时:分”，例如 07:30。")
        return None
    return time(int(match[1]), int(match[2]))


def _weekdays(value: Any, field: str, errors: dict[str, str]) -> tuple[int, ...]:
    values = value if isinstance(value, list | tuple) else [value] if value not in (None, "") \
        else []
    days = set()
    for day in values:
        try:
            number = int(str(day).strip())
        except ValueError:
            number = -1
        if not 0 <= number <= 6:
            errors[field] = _("星期只能是周一到周日。")
            return ()
        days.add(number)
    if not days:
        errors[field] = _("请至少勾选一天。")
    return tuple(sorted(days))


def _blank(part: Any) -> bool:
    """A daypart row left empty in the form: ignored, not an error."""
    return isinstance(part, Mapping) and not part.get("weekdays") and not str(
        part.get("start") or "").strip() and not str(part.get("end") or "").strip()


def _daypart(cat: str, index: int, part: Any, errors: dict[str, str]) -> Daypart | None:
    if not isinstance(part, Mapping):
        errors[dayparts_field(cat)] = _("时段格式不正确。")
        return None
    before = len(errors)
    days = _weekdays(part.get("weekdays"), daypart_field(cat, index, "days"), errors)
    start = _clock(part.get("start"), daypart_field(cat, index, "start"), errors,
                   _("请填写开始时间。"))
    end = _clock(part.get("end"), daypart_field(cat, index, "end"), errors,
                 _("请填写结束时间。"))
    if start is not None and start == end:
        errors[daypart_field(cat, index, "end")] = _(
            "结束时间不能和开始时间相同；要全天播出，不设时段即可。")
    if len(errors) > before or start is None or end is None:
        return None
    return Daypart(weekdays=days, start=start, end=end)


def _rule(cat: str, entry: Any, errors: dict[str, str]) -> CategoryRule:
    if not isinstance(entry, Mapping):
        errors[weight_field(cat)] = _("编排格式不正确。")
        return DEFAULT_CATEGORIES[cat]
    weight = _weight(entry.get("weight"), weight_field(cat), errors)
    raw_parts = entry.get("dayparts") or []
    if not isinstance(raw_parts, list | tuple):
        errors[dayparts_field(cat)] = _("时段格式不正确。")
        raw_parts = []
    dayparts = []
    for index, part in enumerate(raw_parts):
        if _blank(part):
            continue
        daypart = _daypart(cat, index, part, errors)
        if daypart is not None:
            dayparts.append(daypart)
    if sum(not _blank(p) for p in raw_parts) > MAX_DAYPARTS:
        errors[dayparts_field(cat)] = _("每类节目最多设 %(n)d 个时段。", n=MAX_DAYPARTS)
    return CategoryRule(weight=weight, dayparts=tuple(dayparts), label=PLAN_LABELS[cat])


def clean_max_gap(value: Any) -> int:
    """Minutes between two airings of any item at most (0: no limit); ScheduleError if not."""
    text = "" if value is None or isinstance(value, bool) else str(value).strip()
    if text == "":
        return DEFAULT_MAX_GAP_MINUTES
    try:
        minutes = int(text)
    except ValueError:
        minutes = -1
    if not 0 <= minutes <= MAX_GAP_LIMIT_MINUTES:
        message = _("最长间隔请填写 0 到 %(n)d 之间的整数分钟，0 表示不限。",
                    n=MAX_GAP_LIMIT_MINUTES)
        raise ScheduleError({MAX_GAP_FIELD: message})
    return minutes


def clean_entry(entry: Any, category: str = "policy") -> CategoryRule:
    """One category's stored entry (as in the audit log) as a rule, or ScheduleError."""
    errors: dict[str, str] = {}
    rule = _rule(category, entry, errors)
    if errors:
        raise ScheduleError(errors)
    return rule


def clean_schedule(raw: Mapping[str, Any]) -> dict[str, CategoryRule]:
    """The rules of a stored or submitted schedule, or :class:`ScheduleError` listing
    every problem. A category missing from ``raw`` keeps its default rule."""
    errors: dict[str, str] = {}
    rules = {cat: _rule(cat, raw[cat], errors) if cat in raw else DEFAULT_CATEGORIES[cat]
             for cat in CATEGORIES}
    if not errors and all(rule.weight == 0 for rule in rules.values()):
        errors[ALL_OFF_FIELD] = _("所有节目的比例都是 0，频道将只播台标。请至少让一类节目播出。")
    if errors:
        raise ScheduleError(errors)
    return rules


def schedule_json(rules: Mapping[str, CategoryRule]) -> dict[str, Any]:
    """Rules as stored on the channel (and as :func:`clean_schedule` reads them back)."""
    return {cat: {"weight": rule.weight,
                  "dayparts": [{"weekdays": list(d.weekdays), "start": d.start.strftime("%H:%M"),
                                "end": d.end.strftime("%H:%M")} for d in rule.dayparts]}
            for cat, rule in rules.items()}


class _Form(Protocol):
    def get(self, key: str, default: Any = ...) -> Any: ...
    def getlist(self, key: str) -> list[Any]: ...


def schedule_from_form(form: _Form) -> dict[str, Any]:
    """The raw schedule of a posted form, rows kept in place so errors find their field."""
    raw: dict[str, Any] = {}
    for cat in CATEGORIES:
        weight = form.get(weight_field(cat), "")
        if cat in SWITCHED:
            weight = "1" if weight else "0"
        raw[cat] = {"weight": weight, "dayparts": [
            {"weekdays": form.getlist(daypart_field(cat, i, "days")),
             "start": form.get(daypart_field(cat, i, "start"), ""),
             "end": form.get(daypart_field(cat, i, "end"), "")}
            for i in range(MAX_DAYPARTS)]}
    raw["max_gap_minutes"] = form.get(MAX_GAP_FIELD, "")
    return raw
