"""Reading and saving a channel's schedule: the database and the audit log.

What is stored is only ever used through :func:`rules_for`, which cleans it like a form.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from playlists.plan import CategoryRule
from publisher.extensions import db
from publisher.models import Channel, User
from publisher.services import audit
from publisher.services.org.places import admin_only
from publisher.services.schedule.rules import (
    DEFAULT_CATEGORIES,
    DEFAULT_MAX_GAP_MINUTES,
    ScheduleError,
    clean_max_gap,
    clean_schedule,
    schedule_json,
)
from publisher.services.scope import ensure_township

log = logging.getLogger(__name__)


def rules_for(channel: Channel) -> dict[str, CategoryRule]:
    """The channel's schedule as the timeline needs it; the defaults when it has none.

    A stored schedule that no longer cleans (edited by hand, or written by a newer version)
    falls back to the defaults rather than stop the channel.
    """
    if not channel.schedule:
        return dict(DEFAULT_CATEGORIES)
    try:
        return clean_schedule(channel.schedule)
    except ScheduleError as exc:
        log.warning("channel %s: unusable schedule (%s); airing the default", channel.slug,
                    exc.errors)
        return dict(DEFAULT_CATEGORIES)


def max_gap_minutes(channel: Channel) -> int:
    """The channel's longest gap between two airings of an item, in minutes (0: no limit)."""
    try:
        return clean_max_gap((channel.schedule or {}).get("max_gap_minutes"))
    except ScheduleError:
        return DEFAULT_MAX_GAP_MINUTES


def max_gap_s_for(channel: Channel) -> float | None:
    """The same for the plan: seconds, None for no limit."""
    minutes = max_gap_minutes(channel)
    return minutes * 60.0 if minutes else None


def _stored(rules: Mapping[str, CategoryRule], max_gap: int) -> dict:
    return {**schedule_json(rules), "max_gap_minutes": max_gap}


def save_schedule(actor: User, channel: Channel, rules: Mapping[str, CategoryRule] | None,
                  max_gap: int = DEFAULT_MAX_GAP_MINUTES) -> bool:
    """Store ``rules`` and the longest gap in minutes (rules None: back to the defaults),
    audited; returns whether it changed.

    The clock notices on its next tick: the plan it builds differs, so it is rewritten.
    """
    ensure_township(actor, channel.township_id)
    admin_only(actor)
    before = _stored(rules_for(channel), max_gap_minutes(channel))
    after = (_stored(rules, max_gap) if rules is not None
             else _stored(DEFAULT_CATEGORIES, DEFAULT_MAX_GAP_MINUTES))
    old, new = audit.changed_fields(before, after)
    channel.schedule = _stored(rules, max_gap) if rules is not None else None
    if new:
        audit.record("edit", actor=actor, township_id=channel.township_id,
                     target_type="channel_schedule", target_id=channel.id, summary=channel.name,
                     before=old, after=new)
    db.session.commit()
    return bool(new)
