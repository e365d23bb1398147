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
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from publisher.emergency import crypto, engine, messages, notify
from publisher.emergency.facts import facts_of, local
from publisher.emergency.incidents import log_event
from publisher.extensions import db
from publisher.models import Cadre, SmsStatus, Whereabouts
from publisher.models.emergency import Household, Incident, NotificationAttempt, Responder
from publisher.sms import queue
from publisher.sms.gateway import GatewayError, check_outbound
from publisher.sms.store import deliver_pending, queue_sms

log = logging.getLogger(__name__)
DUTY_STATUS, VILLAGE_STATUS = "乡机关值班", "在村走访"  # models.WHEREABOUTS_STATUSES
ROSTER_KINDS = ("duty_cadre", "village_duty")  # steps whose people come from the roster
# The link message goes after every first notification and repeat, with the reminders.
LINK_PRIORITY = queue.REMINDER


@dataclass(frozen=True)
class Contact:
    name: str
    number: str


def _latest_reports(township_id: int, today: date) -> list[Whereabouts]:
    """Each active cadre's latest whereabouts report of the day (the latest one wins)."""
    reports = db.session.scalars(
        select(Whereabouts).join(Cadre).where(
            Whereabouts.day == today, Cadre.township_id == township_id,
            Cadre.active.is_(True))
        .order_by(Whereabouts.reported_at, Whereabouts.id)).all()
    return list({r.cadre_id: r for r in reports}.values())


def on_duty(reports: list[Whereabouts], village_id: int | None) -> list[Cadre]:
    """Whom the duty roster names for a call from ``village_id`` (None: the township's).

    For a village: the cadres covering it (包村) who report being in it today; when none
    is, the township's duty cadres of the day (乡机关值班).
    """
    def reachable(cadres: list[Cadre]) -> list[Cadre]:
        return sorted((c for c in cadres if c.phone), key=lambda c: (c.sort_order, c.id))

    if village_id is not None:
        here = reachable([r.cadre for r in reports if r.status == VILLAGE_STATUS
                          and r.village_id == village_id
                          and any(v.id == village_id for v in r.cadre.villages)])
        if here:
            return here
    return reachable([r.cadre for r in reports if r.status == DUTY_STATUS])


def _one_responder(responder: Responder | None, name: str) -> tuple[list[Contact], str]:
    if responder is None or not responder.active:
        return [], f"联系人{name}已停用"
    if responder.kind == "cadre":
        cadre = responder.cadre
        if cadre is None or not cadre.active or not cadre.phone:
            return [], f"干部{name}没有手机号码"
        return [Contact(responder.name, cadre.phone)], ""
    if responder.kind in ROSTER_KINDS:
        return [], f"{responder.name}不能作为替补联系人"
    if responder.phone_verified_at is None:
        return [], f"{responder.name}的号码尚未核实，跳过"
    return [Contact(responder.name, crypto.decrypt(responder.phone_enc))], ""


def contacts_for(rule: engine.StepRule, incident: Incident, now: datetime
                 ) -> tuple[list[Contact], str]:
    """Whom a step reaches now, or ([], why not)."""
    responder = db.session.get(Responder, rule.responder_id)
    if responder is None or not responder.active or responder.kind not in ROSTER_KINDS:
        return _one_responder(responder, rule.responder_name)
    today = local(incident.township, now).date()
    village_id = incident.household.village_id if responder.kind == "village_duty" else None
    cadres = on_duty(_latest_reports(incident.township_id, today), village_id)
    if cadres:
        return [Contact(f"值班干部{c.name}", c.phone) for c in cadres], ""
    why = "今日没有登记在村或乡机关值班的干部" if village_id else "今日没有登记乡机关值班的干部"
    if not rule.fallback_id:
        return [], why
    contacts, fallback_why = _one_responder(db.session.get(Responder, rule.fallback_id),
                                            rule.fallback_name)
    if not contacts:
        return [], f"{why}，替补：{fallback_why}"
    return [Contact(f"{c.name}（替补）", c.number) for c in contacts], ""


@dataclass(frozen=True)
class ResolvedStep:
    """A due step of the call plan (:class:`engine.PlannedStep`) resolved to the people it
    reaches now: contacts, channels, and why nobody when there is nobody."""

    due: engine.DueStep
    contacts: list[Contact]
    why: str  # why nobody can be reached, when ``contacts`` is empty
    channels: tuple[str, ...]
    purpose: str  # alert | final

    def reachable(self) -> bool:
        if "voice" in self.channels and self.contacts:
            return True
        return any(_valid(c.number) for c in self.contacts)


def _valid(number: str) -> bool:
    try:
        check_outbound(crypto.normalize_number(number), "-")
    except GatewayError:
        return False
    return True


def _resolve_step(incident: Incident, call_plan: engine.CallPlanSnapshot, due: engine.DueStep,
               now: datetime) -> ResolvedStep:
    """Whom a due step reaches (reads only: nothing is written while planning)."""
    if due.step.is_final:
        return ResolvedStep(due, [Contact("乡镇值班电话", call_plan.final.phone)], "",
                           call_plan.final.channels, "final")
    contacts, why = contacts_for(due.step.rule, incident, now)
    return ResolvedStep(due, contacts, why, due.step.rule.channels, "alert")


def _plan(incident: Incident, call_plan: engine.CallPlanSnapshot, now: datetime
          ) -> tuple[list[ResolvedStep], engine.Timer]:
    """The steps to run now and the timer after them; unreachable steps are passed at once."""
    timer = engine.Timer(incident.state, incident.next_seq, incident.next_action_at)
    planned: list[ResolvedStep] = []
    while True:
        due, timer = engine.advance(timer, call_plan, now)
        if not due:
            break
        planned.extend(_resolve_step(incident, call_plan, step, now) for step in due)
        if planned[-1].reachable():
            break
        timer = engine.escalate_now(timer, due[-1].step.seq, now)
    return planned, timer


def _create_attempts(incident: Incident, call_plan: engine.CallPlanSnapshot, planned: ResolvedStep,
                     now: datetime) -> list[NotificationAttempt]:
    step = planned.due.step
    label = f"第{step.seq + 1}步" + ("（最后一步）" if step.is_final else f"（第{step.round}轮）")
    if not planned.contacts:
        log_event(incident.id, "escalate", f"{label}无法通知：{planned.why}，立即进入下一步", now)
        return []
    facts = facts_of(incident)
    alerted = (len({a.address_digest for a in incident.attempts if a.purpose == "alert"})
               if step.is_final else 0)
    attempts = []
    for contact in planned.contacts:
        digest = crypto.digest(contact.number)
        key = f"alert:{incident.id}:{step.seq}:{digest[:16]}"
        if step.is_final:  # a retried final step (delivery._retry_final) needs new keys
            tries = sum(1 for a in incident.attempts if a.seq == step.seq
                        and a.address_digest == digest and a.channel == "sms")
            key += f":{tries}" if tries else ""
        code = incident.reply_code
        text = (messages.final_text(facts, alerted, code=code)
                if step.is_final else messages.alert_text(facts, code))
        for channel in planned.channels:
            attempt = NotificationAttempt(
                incident_id=incident.id, seq=step.seq, purpose=planned.purpose,
                responder_name=contact.name[:60], channel=channel,
                address_enc=crypto.encrypt(crypto.normalize_number(contact.number)),
                address_digest=digest, address_masked=crypto.mask_phone(contact.number),
                scheduled_at=planned.due.due_at, created_at=now)
            db.session.add(attempt)
            if channel == "sms":
                # Keyed by incident, step and number: unique, and known before any flush.
                attempt.sms = queue_sms(
                    contact.number, text, key=key,
                    related_type="incident", related_id=incident.id,
                    priority=queue.step_priority(step.seq, step.round), now=now,
                    new_key=True, flush=False)
                if attempt.sms.status == SmsStatus.FAILED:
                    attempt.status, attempt.error = "failed", attempt.sms.error[:300]
                elif current_app.config.get("EMERGENCY_LINK_SMS"):
                    _queue_link(incident, contact, digest, key, call_plan, step.is_final, now)
            log_event(incident.id, "send", f"{label}{'短信' if channel == 'sms' else '电话'}"
                      f"通知{contact.name} {attempt.address_masked}", now)
            attempts.append(attempt)
    return attempts


def _queue_link(incident: Incident, contact: Contact, digest: str, key: str,
                call_plan: engine.CallPlanSnapshot, is_final: bool, now: datetime) -> None:
    """The acknowledgement link in a second message, after the first (lower priority):
    the first fits one SMS part and already says how to answer."""
    link = notify.ack_url(incident.id, digest)
    text = messages.link_text(facts_of(incident), incident.reply_code, link,
                              call_plan.final.instructions if is_final else "")
    queue_sms(contact.number, text, key=f"{key}:link", related_type="incident",
              related_id=incident.id, priority=LINK_PRIORITY, now=now, new_key=True,
              flush=False)


def run_due(now: datetime, limit: int = 200) -> list[int]:
    """Run every step due by ``now`` in one transaction. Returns the SMS rows queued.

    Should one incident fail, the batch is rolled back and redone one incident per
    transaction, so a broken incident cannot hold up the others.
    """
    ids = db.session.scalars(
        select(Incident.id).where(Incident.state == engine.TRIGGERED,
                                  Incident.next_action_at <= now)
        .order_by(Incident.next_action_at).limit(limit)).all()
    if not ids:
        return []
    loaded = _preload(ids)  # held: the session's identity map only keeps weak references
    try:
        queued = [sms for incident_id in ids for sms in _run_incident(incident_id, now)]
        db.session.commit()
        del loaded
        return queued
    except Exception:  # noqa: BLE001
        db.session.rollback()
        log.exception("escalation batch failed; retrying incident by incident")
    queued = []
    for incident_id in ids:
        try:
            done = _run_incident(incident_id, now)
            db.session.commit()
            queued.extend(done)
        except Exception:  # noqa: BLE001 - one broken incident must not stop the others
            db.session.rollback()
            log.exception("escalation of incident %s failed", incident_id)
    return queued


def _preload(ids: list[int]) -> list[object]:
    """Load the due incidents with what their messages need in a few queries (a tick with
    a hundred due incidents must not make a thousand small ones)."""
    incidents = db.session.scalars(select(Incident).where(Incident.id.in_(ids)).options(
        selectinload(Incident.household).selectinload(Household.village),
        selectinload(Incident.township))).all()
    responder_ids = {r for i in incidents for s in i.call_plan_snapshot.get("steps", [])
                     for r in (s["responder_id"], s.get("fallback_id")) if r}
    responders = db.session.scalars(select(Responder).where(Responder.id.in_(responder_ids))
                                    .options(selectinload(Responder.cadre))).all()
    return [*incidents, *responders]


def _run_incident(incident_id: int, now: datetime) -> list[int]:
    incident = db.session.get(Incident, incident_id)
    call_plan = engine.CallPlanSnapshot.from_json(incident.call_plan_snapshot)
    planned, timer = _plan(incident, call_plan, now)
    if not planned:
        return []
    # Claim the steps: if an acknowledgement (or another clock) changed the incident
    # since it was read, nothing has been written for it and nothing is sent.
    result = db.session.execute(
        update(Incident).where(Incident.id == incident_id, Incident.version == incident.version,
                               Incident.state == engine.TRIGGERED)
        .values(next_seq=timer.next_seq, next_action_at=timer.next_at,
                version=Incident.version + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return []
    created = [a for step in planned for a in _create_attempts(incident, call_plan, step, now)]
    db.session.flush()
    return [a.sms_message_id for a in created if a.sms_message_id and a.status == "pending"]


def tick(now: datetime) -> None:
    """One clock tick of the emergency side."""
    from publisher.emergency import reminders
    from publisher.emergency.delivery import dispatch_voice, sync_attempts

    sync_attempts(now)
    queued = run_due(now) + reminders.run_reminders(now)
    if queued:
        deliver_pending(now, ids=queued)  # the first SMS must not wait for the SMS job
    dispatch_voice(now)
