"""Working the escalation timers kept in the database (called by the clock every tick).

``run_due`` asks the pure engine which steps are due, creates their notification
attempts (and SMS rows) and stores the new timer with a conditional UPDATE on
``version``: if an acknowledgement got in first, the whole step is rolled back and
nothing is sent. Because timers and attempts are rows, a restarted clock continues at the
right step; an SMS row handed to the gateway twice is recognised by its ref.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from publisher.emergency import crypto, engine, messages, notify
from publisher.emergency.facts import facts_of, local
from publisher.emergency.incidents import log_event
from publisher.extensions import db
from publisher.models import Cadre, SmsMessage, SmsStatus, Whereabouts
from publisher.models.emergency import Incident, NotificationAttempt, Responder
from publisher.sms.gateway import GatewayError
from publisher.sms.store import deliver_pending, queue_sms

log = logging.getLogger(__name__)
DUTY_STATUS = "乡机关值班"
_SMS_TO_ATTEMPT = {SmsStatus.PENDING: "pending", SmsStatus.SENDING: "pending",
                   SmsStatus.QUEUED: "queued", SmsStatus.SENT: "sent",
                   SmsStatus.FAILED: "failed"}


@dataclass(frozen=True)
class Contact:
    name: str
    number: str


def contacts_for(rule: engine.StepRule, incident: Incident, now: datetime
                 ) -> tuple[list[Contact], str]:
    """Whom a step reaches now, or ([], why not)."""
    responder = db.session.get(Responder, rule.responder_id)
    if responder is None or not responder.active:
        return [], f"联系人{rule.responder_name}已停用"
    if responder.kind == "duty_cadre":
        today = local(incident.township, now).date()
        reports = db.session.scalars(
            select(Whereabouts).join(Cadre).where(
                Whereabouts.day == today, Cadre.township_id == incident.township_id,
                Cadre.active.is_(True))
            .order_by(Whereabouts.reported_at, Whereabouts.id)).all()
        latest = {r.cadre_id: r for r in reports}  # the latest report of the day wins
        on_duty = [r.cadre for r in latest.values() if r.status == DUTY_STATUS and r.cadre.phone]
        if not on_duty:
            return [], "今日没有登记乡机关值班的干部"
        return [Contact(f"值班干部{c.name}", c.phone) for c in on_duty], ""
    if responder.kind == "cadre":
        cadre = responder.cadre
        if cadre is None or not cadre.active or not cadre.phone:
            return [], f"干部{rule.responder_name}没有手机号码"
        return [Contact(responder.name, cadre.phone)], ""
    if responder.phone_verified_at is None:
        return [], f"{responder.name}的号码尚未核实，跳过"
    return [Contact(responder.name, crypto.decrypt(responder.phone_enc))], ""


def _attempts_for(incident: Incident, policy: engine.Policy, due: engine.DueStep,
                  now: datetime) -> list[NotificationAttempt]:
    step = due.step
    if step.is_final:
        contacts, why = [Contact("乡镇值班电话", policy.final.phone)], ""
        channels, purpose = policy.final.channels, "final"
    else:
        contacts, why = contacts_for(step.rule, incident, now)
        channels, purpose = step.rule.channels, "alert"
    label = f"第{step.seq + 1}步" + ("（最后一步）" if step.is_final else f"（第{step.round}轮）")
    if not contacts:
        log_event(incident.id, "escalate", f"{label}无法通知：{why}，立即进入下一步", now)
        return []
    facts = facts_of(incident)
    alerted = len({a.address_digest for a in incident.attempts if a.purpose == "alert"})
    attempts = []
    for contact in contacts:
        for channel in channels:
            attempt = NotificationAttempt(
                incident_id=incident.id, seq=step.seq, purpose=purpose,
                responder_name=contact.name[:60], channel=channel,
                address_enc=crypto.encrypt(crypto.normalize_number(contact.number)),
                address_digest=crypto.digest(contact.number),
                address_masked=crypto.mask_phone(contact.number),
                scheduled_at=due.due_at, created_at=now)
            db.session.add(attempt)
            db.session.flush()
            link = notify.ack_url(attempt.id)
            text = (messages.final_text(facts, alerted, policy.final.instructions, link)
                    if step.is_final else messages.alert_text(facts, link))
            if channel == "sms":
                sms = queue_sms(contact.number, text, key=f"attempt:{attempt.id}",
                                related_type="incident", related_id=incident.id,
                                priority="A", now=now)
                attempt.sms_message_id = sms.id
                if sms.status == SmsStatus.FAILED:
                    attempt.status, attempt.error = "failed", sms.error[:300]
            log_event(incident.id, "send", f"{label}{'短信' if channel == 'sms' else '电话'}"
                      f"通知{contact.name} {attempt.address_masked}", now)
            attempts.append(attempt)
    return attempts


def run_due(now: datetime, limit: int = 200) -> list[int]:
    """Run every step due by ``now``. Returns the ids of the SMS rows queued."""
    ids = db.session.scalars(
        select(Incident.id).where(Incident.state == engine.TRIGGERED,
                                  Incident.next_action_at <= now)
        .order_by(Incident.next_action_at).limit(limit)).all()
    queued: list[int] = []
    for incident_id in ids:
        try:
            queued.extend(_run_incident(incident_id, now))
        except Exception:  # noqa: BLE001 - one broken incident must not stop the others
            db.session.rollback()
            log.exception("escalation of incident %s failed", incident_id)
    return queued


def _run_incident(incident_id: int, now: datetime) -> list[int]:
    incident = db.session.get(Incident, incident_id)
    policy = engine.Policy.from_json(incident.policy_snapshot)
    version = incident.version
    timer = engine.Timer(incident.state, incident.next_seq, incident.next_action_at)
    created: list[NotificationAttempt] = []
    while True:
        due, timer = engine.advance(timer, policy, now)
        if not due:
            break
        last: list[NotificationAttempt] = []
        for step in due:
            last = _attempts_for(incident, policy, step, now)
            created.extend(last)
        if last and any(a.status != "failed" for a in last):
            break
        timer = engine.escalate_now(timer, due[-1].step.seq, now)  # nobody reachable
    result = db.session.execute(
        update(Incident).where(Incident.id == incident_id, Incident.version == version,
                               Incident.state == engine.TRIGGERED)
        .values(next_seq=timer.next_seq, next_action_at=timer.next_at,
                version=Incident.version + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()  # acknowledged or cancelled meanwhile: send nothing
        return []
    db.session.commit()
    return [a.sms_message_id for a in created if a.sms_message_id and a.status == "pending"]


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
            word = "已发出" if status == "sent" else f"发送失败（{sms.error or '网关报告失败'}）"
            log_event(attempt.incident_id, "status",
                      f"短信{word}：{attempt.responder_name} {attempt.address_masked}", now)
        if status == "failed":
            _escalate_if_step_failed(attempt, now)
    db.session.commit()
    return changed


def _escalate_if_step_failed(attempt: NotificationAttempt, now: datetime) -> None:
    if attempt.seq is None or attempt.purpose != "alert":
        return
    siblings = db.session.scalars(select(NotificationAttempt.status).where(
        NotificationAttempt.incident_id == attempt.incident_id,
        NotificationAttempt.seq == attempt.seq)).all()
    if any(s not in ("failed", "skipped") for s in siblings):
        return
    result = db.session.execute(
        update(Incident).where(Incident.id == attempt.incident_id,
                               Incident.state == engine.TRIGGERED,
                               Incident.next_seq == attempt.seq + 1,
                               Incident.next_action_at > now)
        .values(next_action_at=now, version=Incident.version + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount == 1:
        log_event(attempt.incident_id, "escalate",
                  f"第{attempt.seq + 1}步全部发送失败，立即进入下一步", now)


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
        facts = facts_of(incident)
        payload = {"kind": "call", "to": crypto.decrypt(attempt.address_enc),
                   "text": messages.alert_text(facts), "incident_id": incident.id,
                   "attempt_id": attempt.id, "is_drill": incident.is_drill,
                   "ack_url": notify.ack_url(attempt.id)}
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


def tick(now: datetime) -> None:
    """One clock tick of the emergency side."""
    sync_attempts(now)
    queued = run_due(now)
    if queued:
        deliver_pending(now, ids=queued)  # the first SMS must not wait for the SMS job
    dispatch_voice(now)
