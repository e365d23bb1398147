"""Responders, verification of their phones, and call plans (呼救预案)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from publisher.emergency import crypto, engine, messages
from publisher.emergency.i18n import _
from publisher.emergency.registry import check_phone, ensure_manager
from publisher.extensions import db
from publisher.models import Cadre, Township, User, row_id, utcnow
from publisher.models.emergency import (
    RESPONDER_KINDS,
    CallPlan,
    CallPlanStep,
    Household,
    Responder,
)
from publisher.services import audit
from publisher.services.errors import FieldError, ServiceError
from publisher.sms.store import queue_sms

DEFAULT_FINAL_INSTRUCTIONS = "如有生命危险请立即拨打120，并派人前往。"


@dataclass
class ResponderData:
    name: str
    kind: str
    phone: str = ""
    cadre_id: int | None = None
    household_id: int | None = None
    notes: str = ""


def save_responder(actor: User, township_id: int, data: ResponderData,
                   responder: Responder | None = None) -> Responder:
    ensure_manager(actor, township_id)
    if data.kind not in RESPONDER_KINDS:
        raise FieldError("kind", _("请选择联系人类型。"))
    if not data.name.strip():
        raise FieldError("name", _("请填写联系人姓名。"))
    cadre = db.session.get(Cadre, data.cadre_id) if data.cadre_id else None
    if data.kind == "cadre" and (cadre is None or cadre.township_id != township_id):
        raise FieldError("cadre_id", _("请选择本乡镇的干部。"))
    if data.household_id:
        household = db.session.get(Household, data.household_id)
        if household is None or household.township_id != township_id:
            raise FieldError("household_id", _("所选户不属于本乡镇。"))
    number = check_phone(data.phone) if data.phone.strip() else ""
    if data.kind not in ("duty_cadre", "village_duty", "cadre") and not number:
        raise FieldError("phone", _("请填写联系人手机号码。"))
    creating = responder is None
    if responder is None:
        responder = Responder(township_id=township_id)
        db.session.add(responder)
    if crypto.digest(number) != responder.phone_digest:  # a new number must be verified again
        responder.phone_verified_at, responder.verify_code_digest = None, ""
    responder.name, responder.kind = data.name.strip()[:40], data.kind
    responder.cadre_id = cadre.id if data.kind == "cadre" and cadre else None
    responder.household_id = data.household_id or None
    responder.phone_enc, responder.phone_digest = crypto.encrypt(number), crypto.digest(number)
    responder.notes = data.notes.strip()[:200]
    db.session.flush()
    audit.record("create" if creating else "edit", actor=actor, township_id=township_id,
                 target_type="responder", target_id=responder.id,
                 summary=f"{responder.name}（{RESPONDER_KINDS[data.kind]}）",
                 after={"phone": crypto.mask_phone(number)})
    db.session.commit()
    return responder


def reveal_phone(actor: User, responder: Responder) -> str:
    """A responder's full number for the edit form; every call is audited."""
    ensure_manager(actor, responder.township_id)
    number = crypto.decrypt(responder.phone_enc)
    if number:
        audit.record("reveal", actor=actor, township_id=responder.township_id,
                     target_type="responder", target_id=responder.id,
                     summary=f"查看完整号码：{responder.name}（edit）")
        db.session.commit()
    return number


def _code_digest(responder: Responder, code: str) -> str:
    return hashlib.sha256(f"{responder.id}:{code}".encode()).hexdigest()


def start_verification(actor: User, responder: Responder, now: datetime | None = None) -> None:
    """Text a 6-digit code; the responder proves the number by replying with it."""
    ensure_manager(actor, responder.township_id)
    number = crypto.decrypt(responder.phone_enc)
    if not number:
        raise ServiceError(_("该联系人没有手机号码。"))
    code = f"{secrets.randbelow(10**6):06d}"
    responder.verify_code_digest = _code_digest(responder, code)
    responder.verify_sent_at = now or utcnow()
    queue_sms(number, messages.verify_text(code), related_type="responder",
              related_id=responder.id, now=now)
    audit.record("verify", actor=actor, township_id=responder.township_id,
                 target_type="responder", target_id=responder.id,
                 summary=f"发送核实短信：{responder.name}")
    db.session.commit()


def verify_by_reply(number: str, code: str, now: datetime) -> Responder | None:
    """The responder with a pending code for this number, now verified (no commit)."""
    key = crypto.digest(number)
    for responder in db.session.scalars(select(Responder).where(
            Responder.phone_digest == key, Responder.verify_code_digest != "")):
        if secrets.compare_digest(responder.verify_code_digest, _code_digest(responder, code)):
            responder.phone_verified_at, responder.verify_code_digest = now, ""
            return responder
    return None


def mark_verified(actor: User, responder: Responder, now: datetime | None = None) -> None:
    """Staff confirmed the number themselves (e.g. by calling it)."""
    ensure_manager(actor, responder.township_id)
    responder.phone_verified_at = now or utcnow()
    audit.record("verify", actor=actor, township_id=responder.township_id,
                 target_type="responder", target_id=responder.id,
                 summary=f"人工核实号码：{responder.name}")
    db.session.commit()


@dataclass
class StepData:
    responder_id: int
    channels: tuple[str, ...]
    wait_seconds: int
    fallback_id: int | None = None  # for a duty-roster step: whom to reach if nobody is on duty


def save_call_plan(actor: User, township_id: int, name: str, steps: list[StepData], *,
                repeat_count: int = 0, final_phone: str = "", final_instructions: str = "",
                is_default: bool = False, call_plan: CallPlan | None = None,
                reminder_minutes: int = engine.DEFAULT_REMINDER_S // 60) -> CallPlan:
    ensure_manager(actor, township_id)
    township = db.session.get(Township, township_id)
    final_phone = check_phone(final_phone or township.duty_phone or "", "final_phone")
    rules = []
    for step in steps:
        ident = row_id(step.responder_id)
        responder = db.session.get(Responder, ident) if ident is not None else None
        if responder is None or responder.township_id != township_id:
            raise ServiceError(_("所选联系人不属于本乡镇。"))
        fallback = _fallback(township_id, responder, step.fallback_id)
        rules.append(engine.StepRule(responder.id, responder.name, responder.kind,
                                     tuple(step.channels), step.wait_seconds,
                                     fallback.id if fallback else 0,
                                     fallback.name if fallback else ""))
        step.fallback_id = fallback.id if fallback else None
    draft = engine.CallPlanSnapshot(tuple(rules), repeat_count,
                          engine.FinalRule(final_phone, final_instructions),
                          max(reminder_minutes, 0) * 60)
    problems = engine.validate_call_plan(draft)
    if not name.strip():
        problems.insert(0, _("请填写预案名称。"))
    if problems:
        raise ServiceError(" ".join(problems))
    creating = call_plan is None
    if call_plan is None:
        call_plan = CallPlan(township_id=township_id)
        db.session.add(call_plan)
    call_plan.name, call_plan.repeat_count = name.strip()[:60], repeat_count
    call_plan.reminder_minutes = max(reminder_minutes, 0)
    call_plan.final_phone = final_phone
    call_plan.final_instructions = final_instructions.strip()[:200]
    call_plan.steps = [CallPlanStep(position=n, responder_id=s.responder_id,
                                   channels=",".join(s.channels), wait_seconds=s.wait_seconds,
                                   fallback_responder_id=s.fallback_id)
                    for n, s in enumerate(steps)]
    if is_default:
        for other in db.session.scalars(select(CallPlan).where(
                CallPlan.township_id == township_id)):
            other.is_default = False
    call_plan.is_default = is_default
    db.session.flush()
    # Stored as "call_policy" (its audit type since before the word was call plan; old
    # entries keep it): "policy" is a subsidy policy (content) to the audit log.
    audit.record("create" if creating else "edit", actor=actor, township_id=township_id,
                 target_type="call_policy", target_id=call_plan.id, summary=call_plan.name,
                 after=_audit_view(draft))
    db.session.commit()
    return call_plan


def _fallback(township_id: int, responder: Responder, fallback_id: int | None
              ) -> Responder | None:
    """A duty-roster step's fallback (None for other steps or when none is chosen)."""
    ident = row_id(fallback_id) if fallback_id else None
    if ident is None or responder.kind not in ("duty_cadre", "village_duty"):
        return None
    fallback = db.session.get(Responder, ident)
    if (fallback is None or fallback.township_id != township_id
            or fallback.kind in ("duty_cadre", "village_duty")):
        raise ServiceError(_("替补联系人须为本乡镇的具体联系人（不能是值班干部）。"))
    return fallback


def _audit_view(call_plan: engine.CallPlanSnapshot) -> dict:
    """A call plan as the audit log shows it (admin/helpers.audit_value renders the steps)."""
    return {"call_steps": [{"responder": s.responder_name, "channels": list(s.channels),
                            "wait_seconds": s.wait_seconds} for s in call_plan.steps],
            "repeat_count": call_plan.repeat_count, "final_phone": call_plan.final.phone,
            "reminder_minutes": call_plan.reminder_seconds // 60,
            "final_instructions": call_plan.final.instructions}


def snapshot_for(household: Household) -> engine.CallPlanSnapshot:
    """The call plan that applies to a household, frozen for a new incident.

    The household's own call_plan, else the township's default, else just the final step:
    an incident always ends at the township duty phone.
    """
    call_plan = household.call_plan or db.session.scalar(select(CallPlan).where(
        CallPlan.township_id == household.township_id,
        CallPlan.is_default.is_(True)))
    township = household.township
    # The duty phone is also called when a voice gateway is configured.
    final_channels = ("sms", "voice") if _voice_configured() else ("sms",)
    if call_plan is None:
        return engine.CallPlanSnapshot((), 0, engine.FinalRule(
            township.duty_phone or "", DEFAULT_FINAL_INSTRUCTIONS, final_channels))
    rules = tuple(
        engine.StepRule(s.responder_id, s.responder.name, s.responder.kind,
                        tuple(c for c in s.channels.split(",") if c), s.wait_seconds,
                        s.fallback_responder_id or 0,
                        s.fallback_responder.name if s.fallback_responder else "")
        for s in call_plan.steps
    )
    return engine.CallPlanSnapshot(rules, call_plan.repeat_count, engine.FinalRule(
        call_plan.final_phone or township.duty_phone or "",
        call_plan.final_instructions or DEFAULT_FINAL_INSTRUCTIONS, final_channels),
        call_plan.reminder_minutes * 60)


def _voice_configured() -> bool:
    return bool(current_app.config.get("EMERGENCY_WEBHOOK_URL")
                or current_app.config.get("EMERGENCY_WEBHOOK"))
