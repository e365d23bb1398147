"""Incidents: triggering, acknowledging, resolving and cancelling.

Every state change is one conditional UPDATE (``WHERE state IN (...)``, bumping
``version``), so an acknowledgement and a resolution arriving together cannot leave the
incident in a state neither of them meant; the loser is told what the state now is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from publisher.emergency import engine, permissions, press_journal, reserve, responders
from publisher.emergency.crypto import decrypt
from publisher.emergency.facts import facts_of, local
from publisher.emergency.i18n import _
from publisher.emergency.labels import label
from publisher.emergency.messages import cancel_text, renotify_text
from publisher.extensions import db
from publisher.models import SmsMessage, SmsStatus, User
from publisher.models.emergency import (
    Device,
    Household,
    Incident,
    IncidentEvent,
    NotificationAttempt,
    TriggerLog,
)
from publisher.services import audit
from publisher.services.errors import NotAllowed, ServiceError
from publisher.sms import queue
from publisher.sms.store import queue_sms

log = logging.getLogger(__name__)
SOURCE_LABELS = {"device": "呼救设备", "sms": "呼救短信", "drill": "演练按钮"}


@dataclass(frozen=True)
class TriggerResult:
    incident_id: int | None
    outcome: str  # new | merged | renotify | duplicate


def log_event(incident_id: int, kind: str, detail: str, now: datetime,
              actor: User | None = None) -> None:
    db.session.add(IncidentEvent(incident_id=incident_id, kind=kind, detail=detail[:500],
                                 at=now, actor_id=actor.id if actor else None))


def _log_route_change(incident_id: int, text: str, now: datetime) -> None:
    log_event(incident_id, "status", text, now)


# A call's SMS that changes route (another modem, the HTTP gateway, voice) says so in the
# incident's log: the SMS queue tells whoever registered for the message's related type.
queue.ROUTE_NOTES["incident"] = _log_route_change


class _Retry(Exception):
    pass


def trigger(household: Household, *, source: str, now: datetime, device: Device | None = None,
            idempotency_key: str | None = None, actor: User | None = None,
            is_drill: bool = False) -> TriggerResult:
    """Record a press / SMS / drill and start or join the household's open incident."""
    if not household.active:
        raise ServiceError(_("该户已停用。"))
    for _attempt in range(5):
        if device is not None and idempotency_key:
            known = db.session.scalar(select(TriggerLog).where(
                TriggerLog.device_id == device.id,
                TriggerLog.idempotency_key == idempotency_key))
            if known is not None:
                return TriggerResult(known.incident_id, "duplicate")
        try:
            result = _trigger_once(household, source, now, device, idempotency_key, actor,
                                   is_drill)
            db.session.commit()
            return result
        except (IntegrityError, _Retry):
            db.session.rollback()  # a concurrent trigger won a race: look again
        except OperationalError as exc:
            db.session.rollback()
            # The data disk is full: a call for help goes before whatever filled it. The
            # reserve's room lets this write through (once; if it is gone, the caller is
            # told to retry).
            if not (reserve.is_disk_full(exc)
                    and reserve.release(current_app.config["DATA_DIR"])):
                raise
    raise ServiceError(_("系统繁忙，请重试。"))


def trigger_kept_presses(data_dir: Path) -> int:
    """Store the presses a full disk left in the journal (publisher.emergency.press_journal),
    each at the moment it was pressed. Returns how many were taken out of the journal.

    A full disk still raises (the clock tries again next tick); a press the device repeated
    meanwhile is recognised by its idempotency key.
    """
    done = 0
    for press in press_journal.kept(data_dir):
        device = db.session.get(Device, press.device_id)
        if device is None:
            log.error("kept press of device %s dropped: the device was deleted", press.device_id)
        else:
            try:
                trigger(device.household, source="device", now=press.at, device=device,
                        idempotency_key=press.key)
            except ServiceError as exc:  # e.g. the household was deactivated meanwhile
                log.error("kept press of device %s refused: %s", press.device_id, exc)
        press_journal.clear(data_dir, press)
        done += 1
    return done


def _trigger_once(household: Household, source: str, now: datetime, device: Device | None,
                  key: str | None, actor: User | None, is_drill: bool) -> TriggerResult:
    current = db.session.scalar(select(Incident).where(Incident.open_key == household.id))
    if current is not None and current.is_drill and not is_drill:
        _close(current.id, "cancel", now, "真实呼救", note="真实呼救，演练自动终止",
               allowed=engine.OPEN)
        log_event(current.id, "cancel", "收到真实呼救，演练自动终止", now)
        current = None
    elif current is not None and is_drill:
        raise ServiceError(_("该户有尚未结束的呼救，不能开始演练。"))
    decision = engine.classify_trigger(
        engine.OpenIncident(current.state, current.last_trigger_at) if current else None, now)
    label = SOURCE_LABELS.get(source, source) + ("（演练）" if is_drill else "")
    if decision == "new":
        call_plan = responders.snapshot_for(household)
        code = _free_reply_code(household.township_id)
        incident = Incident(township_id=household.township_id, household_id=household.id,
                            open_key=household.id, is_drill=is_drill, source=source,
                            reply_code=code, open_code=f"{household.township_id}:{code}",
                            call_plan_snapshot=call_plan.to_json(), next_seq=0, next_action_at=now,
                            triggered_at=now, last_trigger_at=now)
        db.session.add(incident)
        db.session.flush()
        log_event(incident.id, "trigger", f"{label}触发呼救", now, actor)
        incident_id = incident.id
    else:
        incident_id = current.id
        result = db.session.execute(
            update(Incident).where(Incident.id == current.id, Incident.state.in_(engine.OPEN))
            .values(trigger_count=Incident.trigger_count + 1, last_trigger_at=now,
                    version=Incident.version + 1)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise _Retry
        log_event(incident_id, "trigger", f"{label}再次呼叫，已并入本次呼救", now, actor)
        if decision == "renotify":
            text = renotify_text(facts_of(current), local(current.township, now))
            _notify_alerted(current, text, "notice", now)
    db.session.add(TriggerLog(household_id=household.id, device_id=device.id if device else None,
                              incident_id=incident_id, source=source, idempotency_key=key,
                              outcome=decision, received_at=now))
    if device is not None:
        device.last_trigger_at = now
    if actor is not None:
        from publisher.emergency.registry import audit_name  # the audit log names it masked

        audit.record("drill" if is_drill else "trigger", actor=actor,
                     township_id=household.township_id, target_type="incident",
                     target_id=incident_id, summary=f"{audit_name(household)} {label}")
    return TriggerResult(incident_id, decision)


def _free_reply_code(township_id: int) -> str:
    """A reply code no open call of the township uses (a concurrent trigger taking the same
    one fails on the unique ``open_code`` and ``trigger`` tries again)."""
    taken = set(db.session.scalars(select(Incident.reply_code).where(
        Incident.township_id == township_id, Incident.open_code.is_not(None))))
    return engine.reply_code(taken)


def record_location(incident_id: int, location_enc: str, now: datetime) -> None:
    """Keep where the phone was (encrypted; the caller commits). The log says only that a
    location came, not where: the log is read by more people than the full record."""
    db.session.execute(update(Incident).where(Incident.id == incident_id)
                       .values(location_enc=location_enc)
                       .execution_options(synchronize_session=False))
    log_event(incident_id, "trigger", "本户同意提供位置，已随呼救发送（仅有权限者可查看）", now)


def _close(incident_id: int, action: str, now: datetime, by: str, *, note: str = "",
           allowed: tuple[str, ...] | None = None, next_at: datetime | None = None,
           digest: str = "") -> bool:
    """The conditional UPDATE behind every transition. True if this call made it.

    ``next_at``: for an acknowledgement, when the first reminder is due."""
    values: dict = {"state": engine.RESULT_OF[action], "version": Incident.version + 1,
                    "next_action_at": None}
    if action == "acknowledge":
        values.update(acknowledged_at=now, acknowledged_by=by[:60], next_action_at=next_at,
                      acknowledged_digest=digest)
    else:
        values.update(closed_at=now, closed_by=by[:60], open_key=None, open_code=None,
                      resolution_note=note)
    result = db.session.execute(
        update(Incident)
        .where(Incident.id == incident_id,
               Incident.state.in_(allowed or engine.ALLOWED_FROM[action]))
        .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    _stop_pending(incident_id, now)
    return True


def _stop_pending(incident_id: int, now: datetime) -> None:
    """Alerts not yet handed to the gateway are not sent once someone has answered."""
    attempts = db.session.scalars(select(NotificationAttempt).where(
        NotificationAttempt.incident_id == incident_id,
        NotificationAttempt.status == "pending",
        NotificationAttempt.purpose.in_(("alert", "final")))).all()
    for attempt in attempts:
        if attempt.sms_message_id is not None:
            stopped = db.session.execute(
                update(SmsMessage).where(SmsMessage.id == attempt.sms_message_id,
                                         SmsMessage.status == SmsStatus.PENDING)
                .values(status=SmsStatus.FAILED, error="呼救已结束，未发送", status_at=now)
                .execution_options(synchronize_session=False))
            if stopped.rowcount != 1:
                continue  # already with the gateway: it goes out, and is tracked as usual
        attempt.status, attempt.status_at, attempt.error = "skipped", now, "呼救已结束，未发送"


def change_state(incident: Incident, action: str, *, now: datetime, by: str,
                 actor: User | None = None, note: str = "", commit: bool = True,
                 digest: str = "") -> None:
    """Acknowledge, resolve or cancel; raises ServiceError if the state forbids it.

    ``digest``: the number that acknowledged (reminders go to it). A staff ``actor`` must
    be allowed the action (publisher.emergency.permissions), else NotAllowed."""
    if actor is not None and not permissions.may_act(actor, incident, action):
        raise NotAllowed(_("您没有权限对这次呼救执行此操作。"))
    if action == "resolve" and not note.strip():
        raise ServiceError(_("请填写处置结果。"))
    next_at = None
    if action == "acknowledge":
        snapshot = engine.CallPlanSnapshot.from_json(incident.call_plan_snapshot)
        next_at = engine.reminder_at(snapshot, now)
    if not _close(incident.id, action, now, by, note=note.strip()[:2000], next_at=next_at,
                  digest=digest):
        db.session.refresh(incident)
        raise ServiceError(_("该呼救%(state)s，不能再%(act)s。",
                             state=label("incident_state", incident.state),
                             act=label("event_kind", action)))
    kind_detail = {"acknowledge": f"{by}确认接警",
                   "resolve": f"{by}办结：{note.strip()}",
                   "cancel": f"{by}取消（误报）：{note.strip() or '未说明'}"}[action]
    log_event(incident.id, action, kind_detail, now, actor)
    if actor is not None:
        audit.record(action, actor=actor, township_id=incident.township_id,
                     target_type="incident", target_id=incident.id, summary=kind_detail)
    db.session.refresh(incident)
    if action == "cancel":
        _notify_alerted(incident, cancel_text(facts_of(incident)), "cancel", now)
    if commit:
        db.session.commit()


def _notify_alerted(incident: Incident, text: str, purpose: str, now: datetime) -> int:
    """One SMS to every number already alerted for this incident (cancel, renotify)."""
    sent: set[str] = set()
    for attempt in list(incident.attempts):
        if (attempt.purpose not in ("alert", "final") or attempt.status in ("skipped", "failed")
                or attempt.address_digest in sent):
            continue
        sent.add(attempt.address_digest)
        notice = NotificationAttempt(
            incident_id=incident.id, seq=None, purpose=purpose,
            responder_name=attempt.responder_name, channel="sms",
            address_enc=attempt.address_enc, address_digest=attempt.address_digest,
            address_masked=attempt.address_masked, created_at=now, scheduled_at=now)
        db.session.add(notice)
        db.session.flush()
        # A repeat's priority: after first notifications of new calls, before reminders.
        message = queue_sms(decrypt(attempt.address_enc), text, key=f"attempt:{notice.id}",
                            related_type="incident", related_id=incident.id,
                            priority=queue.REPEAT, now=now)
        notice.sms_message_id = message.id
        log_event(incident.id, "send",
                  f"通知{attempt.responder_name} {attempt.address_masked}：{text[:60]}", now)
    return len(sent)
