"""Reminders: an acknowledged call nobody resolves is re-notified every reminder interval
of its call plan until someone resolves it (with a note: staff page or "办结 37 …" by SMS).

The timer is the incident's ``next_action_at`` (while acknowledged it means "next
reminder"), claimed with the same conditional UPDATE on ``version`` as the escalation, so
a resolution that gets in first stops the reminder and a restarted clock sends none twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update

from publisher.emergency import crypto, engine, messages
from publisher.emergency.facts import facts_of
from publisher.emergency.incidents import log_event
from publisher.extensions import db
from publisher.models.emergency import Incident, NotificationAttempt
from publisher.sms import queue
from publisher.sms.store import queue_sms

log = logging.getLogger(__name__)
# After every first notification and repeat of a call still unanswered.
REMINDER_PRIORITY = queue.REMINDER


def _targets(incident: Incident) -> list[NotificationAttempt]:
    """One alert per number to remind: the number that acknowledged, if it was a reply or a
    link; else (acknowledged on the staff page) every number alerted."""
    seen: dict[str, NotificationAttempt] = {}
    for attempt in incident.attempts:
        if (attempt.purpose in ("alert", "final") and attempt.status not in ("skipped", "failed")
                and attempt.channel == "sms"):
            seen.setdefault(attempt.address_digest, attempt)
    if incident.acknowledged_digest in seen:
        return [seen[incident.acknowledged_digest]]
    return list(seen.values())


def _remind(incident_id: int, now: datetime) -> list[int]:
    incident = db.session.get(Incident, incident_id)
    call_plan = engine.CallPlanSnapshot.from_json(incident.call_plan_snapshot)
    claimed = db.session.execute(
        update(Incident).where(Incident.id == incident_id, Incident.version == incident.version,
                               Incident.state == engine.ACKNOWLEDGED)
        .values(next_action_at=engine.reminder_at(call_plan, now), version=Incident.version + 1)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return []
    minutes = max(1, int((now - incident.acknowledged_at).total_seconds() // 60))
    text = messages.reminder_text(facts_of(incident), incident.reply_code, minutes)
    queued = []
    for alert in _targets(incident):
        notice = NotificationAttempt(
            incident_id=incident.id, seq=None, purpose="remind",
            responder_name=alert.responder_name, channel="sms", address_enc=alert.address_enc,
            address_digest=alert.address_digest, address_masked=alert.address_masked,
            created_at=now, scheduled_at=now)
        db.session.add(notice)
        db.session.flush()
        notice.sms = queue_sms(crypto.decrypt(alert.address_enc), text,
                               key=f"attempt:{notice.id}", related_type="incident",
                               related_id=incident.id, priority=REMINDER_PRIORITY, now=now)
        if notice.sms.status == "pending":
            queued.append(notice.sms.id)
        log_event(incident.id, "remind",
                  f"已接警{minutes}分钟未办结，提醒{alert.responder_name} {alert.address_masked}",
                  now)
    return queued


def run_reminders(now: datetime, limit: int = 200) -> list[int]:
    """Send the reminders due by ``now``; one transaction per call. Returns SMS rows queued."""
    ids = db.session.scalars(
        select(Incident.id).where(Incident.state == engine.ACKNOWLEDGED,
                                  Incident.next_action_at <= now)
        .order_by(Incident.next_action_at).limit(limit)).all()
    queued: list[int] = []
    for incident_id in ids:
        try:
            queued.extend(_remind(incident_id, now))
            db.session.commit()
        except Exception:  # noqa: BLE001 - one broken call must not stop the others
            db.session.rollback()
            log.exception("reminder of incident %s failed", incident_id)
    return queued
