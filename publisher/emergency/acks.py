"""Responders answering an alert: by SMS ("1", the call's reply code, "办结 37 …") or
through a signed link.

A bare "1" names no call: it is taken only when exactly one call is open for the number
that sent it; otherwise the reply lists the open calls with their codes and nothing
changes (issue 12: "1" used to acknowledge the newest call, leaving the first unanswered).
"""

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
from publisher.sms import queue
from publisher.sms.store import queue_sms


def open_alerts_to(number: str) -> list[NotificationAttempt]:
    """The newest alert sent to this number for each call still open, newest call first."""
    key = crypto.digest(number)
    if not key:
        return []
    rows = db.session.scalars(
        select(NotificationAttempt).join(Incident)
        .where(NotificationAttempt.address_digest == key,
               NotificationAttempt.purpose.in_(("alert", "final")),
               Incident.state.in_(engine.OPEN))
        .order_by(NotificationAttempt.id.desc())).all()
    latest: dict[int, NotificationAttempt] = {}
    for attempt in rows:
        latest.setdefault(attempt.incident_id, attempt)
    return list(latest.values())


def latest_alert_to(number: str) -> NotificationAttempt | None:
    """The newest alert sent to this number for an incident still open."""
    found = open_alerts_to(number)
    return found[0] if found else None


def acknowledge_attempt(attempt: NotificationAttempt, now: datetime, via: str) -> tuple[bool, str]:
    """Acknowledge the attempt's incident. Returns (this call acknowledged it, reply text).

    A second acknowledgement (another responder, a repeated link or webhook) changes
    nothing and is answered with the incident's current state.
    """
    incident = attempt.incident
    by = f"{attempt.responder_name}（{via}）"
    try:
        change_state(incident, "acknowledge", now=now, by=by, commit=False,
                     digest=attempt.address_digest)
    except ServiceError:
        db.session.refresh(incident)
        label = source_label("incident_state", incident.state)  # goes into an SMS
        if incident.state == engine.ACKNOWLEDGED:
            label = f"由{incident.acknowledged_by}确认接警"
        log_event(incident.id, "reply", f"{by}再次确认，呼救已{label}", now)
        return False, messages.already_handled_text(label)
    return True, messages.ack_reply_text(facts_of(incident), incident.reply_code)


def _resolve(attempt: NotificationAttempt, note: str, now: datetime) -> str:
    incident = attempt.incident
    if not note:
        return messages.resolve_needs_note_text(incident.reply_code)
    try:
        change_state(incident, "resolve", now=now, note=note, commit=False,
                     by=f"{attempt.responder_name}（短信）")
    except ServiceError as exc:
        return str(exc)
    return messages.resolve_reply_text(facts_of(incident), note)


def _choose(reply: messages.Reply, open_calls: list[NotificationAttempt]
            ) -> NotificationAttempt | None:
    if reply.code:
        return next((a for a in open_calls if a.incident.reply_code == reply.code), None)
    return open_calls[0] if len(open_calls) == 1 else None


def ack_by_sms(message: SmsMessage, now: datetime) -> bool:
    """Handle a responder's reply: True if it came from a number alerted for an open call
    (a reply is then queued, even when it only asks which call was meant)."""
    reply = messages.parse_reply(message.text)
    open_calls = open_alerts_to(message.number)
    if reply is None or not open_calls:
        return False
    chosen = _choose(reply, open_calls)
    first = chosen or open_calls[0]
    message.township_id = first.incident.township_id
    if chosen is None:
        calls = sorted((a.incident.reply_code, facts_of(a.incident).name) for a in open_calls)
        text = messages.which_call_text(calls, reply.code)
        for attempt in open_calls:
            log_event(attempt.incident_id, "reply", f"{attempt.responder_name} "
                      f"{attempt.address_masked}回复“{message.text[:40]}”，未指明哪一个呼救", now)
        message.related_type = "incident"
    else:
        log_event(chosen.incident_id, "reply", f"{chosen.responder_name} "
                  f"{chosen.address_masked}回复“{message.text[:40]}”", now)
        if reply.action == "resolve":
            text = _resolve(chosen, reply.note, now)
        else:
            via = f"短信回复{reply.code}" if reply.code else "短信回复1"
            _acked, text = acknowledge_attempt(chosen, now, via)
        message.related_type, message.related_id = "incident", chosen.incident_id
    queue_sms(message.number, text, key=f"reply:{message.id}", related_type="incident",
              related_id=message.related_id, reply_to=message, priority=queue.REPLY, now=now)
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
