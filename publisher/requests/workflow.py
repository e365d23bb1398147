"""Handing a request to a cadre and moving it through 受理 → 办理中 → 办结 → 回访, each step
checked by ``rules``, allowed by ``access``, logged with its note and texted to the
resident (``notify``). The caller commits."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Cadre, User
from publisher.models.requests import RequestEvent, RequestStatus, ResidentRequest
from publisher.requests import access, intake, notify, rules
from publisher.services.errors import FieldError, NotAllowed, ServiceError
from renderer.sanitise import clean_text

S = RequestStatus
NOTE_MAX = 1000  # characters; a 办理结果 is a paragraph, not a report


class StepRefused(ServiceError):
    """A step the ledger does not allow (message in Chinese)."""


def locked(request_id: int) -> ResidentRequest | None:
    """The request, read again and held (PostgreSQL) so two people stepping it at once
    make one step: the second is checked against the first's result."""
    return db.session.scalar(select(ResidentRequest).where(ResidentRequest.id == request_id)
                             .with_for_update().execution_options(populate_existing=True))


def assign(request: ResidentRequest, cadre: Cadre | None, *, user: User | None, now: datetime,
           deadline_day: date | None = None, note: str = "") -> ResidentRequest:
    """Hand the request to ``cadre`` (交办; 受理 → 办理中), or to another cadre while it is
    being handled; ``deadline_day`` replaces the category's deadline."""
    if user is not None and not access.can_assign(user, request.township_id):
        raise NotAllowed("只有乡镇管理员或党政办可以交办诉求。")
    request = locked(request.id) or request
    if cadre is None or not cadre.active or cadre.township_id != request.township_id:
        raise FieldError("cadre_id", "请选择本乡镇在岗的承办干部。")
    if request.status not in rules.OPEN:
        raise StepRefused(f"诉求已{rules.status_label(request.status)}，不能再交办。")
    note = _note(note)
    if deadline_day is not None:
        try:
            request.deadline = rules.chosen_deadline(deadline_day, request.received_at,
                                                     request.township.timezone)
        except rules.RuleError as exc:
            raise FieldError("deadline", str(exc)) from None
    before, reassigned = request.status, request.cadre_id is not None
    request.cadre, request.cadre_id = cadre, cadre.id
    request.assigned_at, request.status, request.updated_at = now, S.IN_PROGRESS, now
    label = "改派" if reassigned else "交办"
    day = rules.local_day(request.deadline, request.township.timezone)
    db.session.add(RequestEvent(
        request_id=request.id, at=now, action="assign", from_status=before,
        to_status=S.IN_PROGRESS, user_id=user.id if user else None,
        note=f"{label}：{cadre.name}，时限 {day}" + (f"。{note}" if note else "")))
    if not reassigned:
        notify.tell_resident(request, S.IN_PROGRESS, now)
    return request


def classify(request: ResidentRequest, category: str, village: str, *, user: User | None,
             now: datetime) -> ResidentRequest:
    """Set the category and village (an SMS arrives as 其他 with no village), checked by the
    declaration like any intake; the deadline follows the category until it is handed out."""
    if user is not None and not access.can_assign(user, request.township_id):
        raise NotAllowed("只有乡镇管理员或党政办可以修改诉求分类。")
    if request.status not in rules.OPEN:
        raise StepRefused(f"诉求已{rules.status_label(request.status)}，不能再修改分类。")
    cleaned = intake.clean_intake({"category": category, "village": village,
                                   "text": request.text})
    request.village_id = intake.village_id(request.township, cleaned["village"])
    before, request.category = request.category, cleaned["category"]
    if request.cadre_id is None:
        request.deadline = rules.deadline_for(request.category, request.received_at,
                                              request.township.timezone)
    request.updated_at = now
    db.session.add(RequestEvent(request_id=request.id, at=now, action="note",
                                to_status=request.status, user_id=user.id if user else None,
                                note=f"分类：{before} → {request.category}"
                                     + (f"，{cleaned['village']}" if cleaned["village"] else "")))
    return request


def step(request: ResidentRequest, wanted: str, *, user: User | None, now: datetime,
         note: str = "", satisfaction: str = "") -> ResidentRequest:
    """Move the request to ``wanted`` with its note (办结: the 办理结果; 回访: the
    resident's satisfaction), log it and text the resident."""
    if wanted not in set(S):
        raise StepRefused("不认识的状态。")
    if user is not None and not access.can_step(user, request, wanted):
        raise NotAllowed("您不能为这条诉求办理这一步。" if wanted != S.FOLLOWED_UP
                         else "回访由党政办或分管领导登记，承办干部不能为自己办理的诉求回访。")
    request = locked(request.id) or request
    note = _note(note)
    try:
        name = rules.check_step(request.status, wanted, note=note, satisfaction=satisfaction,
                                has_cadre=request.cadre_id is not None)
    except rules.RuleError as exc:
        raise StepRefused(str(exc)) from None
    before = request.status
    request.status, request.updated_at = wanted, now
    if wanted == S.RESOLVED:
        request.result, request.closed_at = note, now
    elif wanted == S.FOLLOWED_UP:
        request.satisfaction, request.followed_up_at = satisfaction, now
    elif before == S.RESOLVED:  # 退回重办: settled again later, counted then
        request.closed_at = None
    shown = name + (f"（{satisfaction}）" if satisfaction else "") + (f"：{note}" if note else "")
    db.session.add(RequestEvent(request_id=request.id, at=now, action="status",
                                from_status=before, to_status=wanted, note=shown,
                                user_id=user.id if user else None))
    notify.tell_resident(request, wanted, now, reopened=before == S.RESOLVED)
    return request


def _note(note: str) -> str:
    note = clean_text(note or "", multiline=True)
    if len(note) > NOTE_MAX:
        raise FieldError("note", f"说明不能超过 {NOTE_MAX} 字。")
    return note
