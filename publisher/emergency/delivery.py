"""After an attempt is created: reading back SMS status, escalating on failure, and
calling the voice / external webhook. Called by the clock every tick (via escalation.tick).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from publisher.emergency import crypto, engine, messages, notify
from publisher.emergency.facts import facts_of
from publisher.emergency.incidents import log_event
from publisher.extensions import db
from publisher.models import SmsMessage, SmsStatus
from publisher.models.emergency import Incident, NotificationAttempt
from publisher.sms.gateway import GatewayError

_SMS_TO_ATTEMPT = {SmsStatus.PENDING: "pending", SmsStatus.SENDING: "pending",
                   SmsStatus.QUEUED: "queued", SmsStatus.SENT: "sent",
                   SmsStatus.FAILED: "failed"}


def sync_attempts(now: datetime) -> int:
    """Copy SMS status onto attempts; a failed step escalates without waiting."""
    rows = db.session.execute(
        select(NotificationAttempt, SmsMessage)
        .join(SmsMessage, NotificationAttempt.sms_message_id == SmsMessage.id)
        .where(NotificationAttempt.status.in_(("pending", "queued")))).all()
    changed = 0
    for attempt, sms in rows:
        status = _SMS_TO_ATTEMPT.get(SmsStatus(sms.status), attempt.status)
        if status == attempt.status:
            continue
        attempt.status, attempt.status_at, changed = status, now, changed + 1
        if status == "failed":
            attempt.error = sms.error[:300]
        if status in ("sent", "failed"):
            who = f"{attempt.responder_name} {attempt.address_masked}"
            # The reason last, after its own label: it may have brackets of its own.
            log_event(attempt.incident_id, "status",
                      f"短信已发出：{who}" if status == "sent" else
                      f"短信发送失败：{who}；原因：{sms.error or '网关报告失败'}", now)
        if status == "failed":
            _escalate_if_step_failed(attempt, now)
    db.session.commit()
    return changed


def _escalate_if_step_failed(attempt: NotificationAttempt, now: datetime) -> None:
    if attempt.seq is None or attempt.purpose not in ("alert", "final"):
        return
    siblings = db.session.scalars(select(NotificationAttempt.status).where(
        NotificationAttempt.incident_id == attempt.incident_id,
        NotificationAttempt.seq == attempt.seq)).all()
    if any(s not in ("failed", "skipped") for s in siblings):
        return
    if attempt.purpose == "final":
        _retry_final(attempt, now)
        return
    # Only while the next step is still waited for: once it has run (and the final step
    # may be waiting for its retry) a late failure of an older step changes nothing.
    next_step_ran = select(NotificationAttempt.id).where(
        NotificationAttempt.incident_id == attempt.incident_id,
        NotificationAttempt.seq == attempt.seq + 1).exists()
    result = db.session.execute(
        update(Incident).where(Incident.id == attempt.incident_id,
                               Incident.state == engine.TRIGGERED,
                               Incident.next_seq == attempt.seq + 1,
                               Incident.next_action_at > now, ~next_step_ran)
        .values(next_action_at=now, version=Incident.version + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount == 1:
        log_event(attempt.incident_id, "escalate",
                  f"第{attempt.seq + 1}步全部发送失败，立即进入下一步", now)


def _retry_final(attempt: NotificationAttempt, now: datetime) -> None:
    """Nothing of the final step got through: schedule it again (see engine.FINAL_RETRY)."""
    incident = db.session.get(Incident, attempt.incident_id, populate_existing=True)
    timer = engine.Timer(incident.state, incident.next_seq, incident.next_action_at)
    call_plan = engine.CallPlanSnapshot.from_json(incident.call_plan_snapshot)
    retry = engine.retry_final(timer, call_plan, attempt.seq, now)
    if retry == timer:
        return
    result = db.session.execute(
        update(Incident).where(Incident.id == incident.id, Incident.version == incident.version,
                               Incident.state == engine.TRIGGERED)
        .values(next_seq=retry.next_seq, next_action_at=retry.next_at,
                version=Incident.version + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount == 1:
        minutes = round(engine.FINAL_RETRY.total_seconds() / 60)
        log_event(incident.id, "escalate",
                  f"最后一步（乡镇值班电话）全部发送失败，{minutes}分钟后重试", now)


def _call_text(incident: Incident, attempt: NotificationAttempt) -> str:
    """What the voice gateway reads out: the duty phone hears that nobody answered."""
    facts = facts_of(incident)
    code = incident.reply_code  # the same code the SMS carries, so a reply by text works
    if attempt.purpose != "final":
        return messages.alert_text(facts, code)
    call_plan = engine.CallPlanSnapshot.from_json(incident.call_plan_snapshot)
    alerted = len({a.address_digest for a in incident.attempts if a.purpose == "alert"})
    return messages.final_text(facts, alerted, call_plan.final.instructions, code)


def dispatch_voice(now: datetime, limit: int = 50) -> int:
    """Hand pending voice attempts to the webhook (one POST each, claimed first)."""
    attempts = db.session.scalars(select(NotificationAttempt).where(
        NotificationAttempt.channel == "voice", NotificationAttempt.status == "pending")
        .order_by(NotificationAttempt.id).limit(limit)).all()
    done = 0
    for attempt in attempts:
        claimed = db.session.execute(
            update(NotificationAttempt).where(NotificationAttempt.id == attempt.id,
                                              NotificationAttempt.status == "pending")
            .values(status="queued", status_at=now)
            .execution_options(synchronize_session=False))
        db.session.commit()
        if claimed.rowcount != 1:
            continue
        db.session.refresh(attempt)
        incident = attempt.incident
        if incident.state != engine.TRIGGERED and attempt.purpose in ("alert", "final"):
            attempt.status, attempt.error = "skipped", "呼救已结束，未拨打"
            db.session.commit()
            continue
        payload = {"kind": "call", "to": crypto.decrypt(attempt.address_enc),
                   "text": _call_text(incident, attempt), "incident_id": incident.id,
                   "attempt_id": attempt.id, "is_drill": incident.is_drill,
                   "ack_url": notify.ack_url(incident.id, attempt.address_digest)}
        try:
            notify.webhook().notify(payload)
        except GatewayError as exc:
            attempt.status, attempt.error = "failed", str(exc)[:300]
            log_event(incident.id, "status", f"电话通知失败：{attempt.responder_name}（{exc}）",
                      now)
            _escalate_if_step_failed(attempt, now)
        else:
            attempt.status = "sent"
            log_event(incident.id, "status", f"电话通知已发出：{attempt.responder_name}", now)
        attempt.status_at = now
        db.session.commit()
        done += 1
    return done
