"""A channel's schedule (编排): per content category, its share of airtime and its dayparts.

Stored on the channel as JSON; every value typed or read back is cleaned into the playlists
``CategoryRule``/``Daypart`` dataclasses the timeline runs on (:mod:`.rules`), shares of a
week and their wording are pure maths (:mod:`.airtime`), and :mod:`.store` reads and saves
the channel's schedule with an audit record. A channel without one airs the defaults.
"""

from publisher.services.schedule.airtime import (
    Airtime,
    ScheduleRow,
    describe_daypart,
    describe_days,
    describe_entry,
    describe_rule,
    percent,
    summary,
    weekly_airtime,
)
from publisher.services.schedule.rules import (
    ALL_OFF_FIELD,
    CATEGORIES,
    DEFAULT_CATEGORIES,
    DEFAULT_MAX_GAP_MINUTES,
    LABELS,
    MAX_DAYPARTS,
    MAX_GAP_FIELD,
    MAX_WEIGHT,
    PLAN_LABELS,
    SWITCHED,
    ScheduleError,
    clean_entry,
    clean_max_gap,
    clean_schedule,
    daypart_field,
    dayparts_field,
    schedule_from_form,
    schedule_json,
    weight_field,
)
from publisher.services.schedule.store import (
    max_gap_minutes,
    max_gap_s_for,
    rules_for,
    save_schedule,
)

__all__ = [
    "ALL_OFF_FIELD",
    "CATEGORIES",
    "DEFAULT_CATEGORIES",
    "DEFAULT_MAX_GAP_MINUTES",
    "MAX_GAP_FIELD",
    "LABELS",
    "MAX_DAYPARTS",
    "MAX_WEIGHT",
    "PLAN_LABELS",
    "SWITCHED",
    "Airtime",
    "ScheduleError",
    "ScheduleRow",
    "clean_entry",
    "clean_max_gap",
    "clean_schedule",
    "daypart_field",
    "dayparts_field",
    "describe_daypart",
    "describe_days",
    "describe_entry",
    "describe_rule",
    "max_gap_minutes",
    "max_gap_s_for",
    "percent",
    "rules_for",
    "save_schedule",
    "schedule_from_form",
    "schedule_json",
    "summary",
    "weekly_airtime",
    "weight_field",
]
