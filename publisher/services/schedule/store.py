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
    ScheduleError,
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


def save_schedule(actor: User, channel: Channel,
                  rules: Mapping[str, CategoryRule] | None) -> bool:
    """Store ``rules`` (None: back to the defaults), audited; returns whether it changed.

    The clock notices on its next tick: the plan it builds differs, so it is rewritten.
    """
    ensure_township(actor, channel.township_id)
    admin_only(actor)
    before = schedule_json(rules_for(channel))
    after = schedule_json(rules if rules is not None else DEFAULT_CATEGORIES)
    old, new = audit.changed_fields(before, after)
    channel.schedule = schedule_json(rules) if rules is not None else None
    if new:
        audit.record("edit", actor=actor, township_id=channel.township_id,
                     target_type="channel_schedule", target_id=channel.id, summary=channel.name,
                     before=old, after=new)
    db.session.commit()
    return bool(new)
