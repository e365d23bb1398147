"""Responders acknowledging an alert: by replying "1" by SMS or through a signed link."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from publisher.emergency import crypto, engine, messages
from publisher.emergency.facts import facts_of
from publisher.emergency.incidents import change_state, log_event
from publisher.emergency.labels import source_label
from publisher.extensions import db
from publisher.models import SmsMessage
from publisher.models.emergency import Incident, NotificationAttempt
from publisher.services.errors import ServiceError
from publisher.sms.store import queue_sms


def latest_alert_to(number: str) -> NotificationAttempt | None:
    """The newest alert sent to this number for an incident still open."""
    key = crypto.digest(number)
    if not key:
        return None
    return db.session.scalar(
        select(NotificationAttempt).join(Incident)
        .where(NotificationAttempt.address_digest == key,
               NotificationAttempt.purpose.in_(("alert", "final")),
               Incident.state.in_(engine.OPEN))
        .order_by(NotificationAttempt.id.desc()).limit(1))


def acknowledge_attempt(attempt: NotificationAttempt, now: datetime, via: str) -> tuple[bool, str]:
    """Acknowledge the attempt's incident. Returns (this call acknowledged it, reply text).

    A second acknowledgement (another responder, a repeated link or webhook) changes
    nothing and is answered with the incident's current state.
    """
    incident = attempt.incident
    by = f"{attempt.responder_name}（{via}）"
    try:
        change_state(incident, "acknowledge", now=now, by=by, commit=False)
    except ServiceError:
        db.session.refresh(incident)
        label = source_label("incident_state", incident.state)  # goes into an SMS
        if incident.state == engine.ACKNOWLEDGED:
            label = f"由{incident.acknowledged_by}确认接警"
        log_event(incident.id, "reply", f"{by}再次确认，呼救已{label}", now)
        return False, messages.already_handled_text(label)
    return True, messages.ack_reply_text(facts_of(incident))


def ack_by_sms(message: SmsMessage, now: datetime) -> bool:
    """Handle an inbound "1": True if it answered an alert (then a reply is queued)."""
    attempt = latest_alert_to(message.number)
    if attempt is None:
        return False
    log_event(attempt.incident_id, "reply",
              f"{attempt.responder_name} {attempt.address_masked}回复“{message.text[:40]}”", now)
    _acked, reply = acknowledge_attempt(attempt, now, "短信回复1")
    message.related_type, message.related_id = "incident", attempt.incident_id
    message.township_id = attempt.incident.township_id
    queue_sms(message.number, reply, key=f"reply:{message.id}", related_type="incident",
              related_id=attempt.incident_id, reply_to=message, priority="A", now=now)
    return True


def attempt_for_link(incident_id: int, digest_prefix: str) -> NotificationAttempt | None:
    """The alert a signed link was sent with."""
    return db.session.scalar(
        select(NotificationAttempt)
        .where(NotificationAttempt.incident_id == incident_id,
               NotificationAttempt.address_digest.startswith(digest_prefix, autoescape=True),
               NotificationAttempt.purpose.in_(("alert", "final")))
        .order_by(NotificationAttempt.id).limit(1))


def ack_by_link(attempt: NotificationAttempt, now: datetime) -> tuple[Incident, bool, str]:
    """A responder opened their signed link and pressed the button (commits)."""
    acked, reply = acknowledge_attempt(attempt, now, "点击链接")
    db.session.commit()
    return attempt.incident, acked, reply
