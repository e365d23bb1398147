"""The one place an SMS goes to a resident about their request: one short text per step,
naming only the request's number, its deadline, the township and the cadre handling it —
never another resident's data, nor staff's free-text notes (which may name others)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from playlists import timezones
from publisher.extensions import db
from publisher.models import SmsMessage
from publisher.models.requests import RequestEvent, RequestStatus, ResidentRequest
from publisher.sms.numbers import is_service_number
from publisher.sms.queue import REPLY
from publisher.sms.store import queue_sms

S = RequestStatus


def _day(instant: datetime, zone: str) -> str:
    local = instant.astimezone(timezones.zone(zone))
    return f"{local.month}月{local.day}日"


def resident_text(request: ResidentRequest, step: str, *, township: str, zone: str,
                  cadre: str = "", duty_phone: str = "", reopened: bool = False) -> str:
    """What the resident is told at ``step`` (pure)."""
    head, ref = f"【{township}】", f"（编号{request.id}）"
    deadline = _day(request.deadline, zone)
    if step == S.ACCEPTED:
        return f"{head}您的诉求已受理，编号{request.id}，承办时限{deadline}。"
    if step == S.IN_PROGRESS:
        who = f"已交{cadre}" if cadre else "已交承办干部"
        again = "已重新办理，" if reopened else ""
        return f"{head}您的诉求{ref}{again}{who}办理，时限{deadline}。"
    if step == S.RESOLVED:
        ask = f"如有疑问请致电{duty_phone}。" if duty_phone else "承办人将向您说明办理结果。"
        return f"{head}您的诉求{ref}已办结。{ask}"
    if step == S.FOLLOWED_UP:
        return f"{head}感谢您对诉求{ref}办理情况的评价。"
    raise ValueError(step)


def tell_resident(request: ResidentRequest, step: str, now: datetime, *,
                  reply_to: SmsMessage | None = None, reopened: bool = False) -> SmsMessage | None:
    """Queue the step's text to the resident (once per step and round) and log it; None
    when there is no number to text, or it is a service number that must not be answered."""
    number = request.phone
    if not number or is_service_number(number):
        return None
    township = request.township
    text = resident_text(request, step, township=township.name, zone=township.timezone,
                         cadre=request.cadre.name if request.cadre else "",
                         duty_phone=township.duty_phone, reopened=reopened)
    # One text per step; a reopened request counts its rounds so its texts are new ones.
    rounds = db.session.scalar(select(func.count()).select_from(RequestEvent).where(
        RequestEvent.request_id == request.id, RequestEvent.action == "sms",
        RequestEvent.to_status == step))
    key = f"request:{request.id}:{step}:{rounds}"
    message = queue_sms(number, text, key=key, related_type="request", related_id=request.id,
                        reply_to=reply_to, priority=REPLY, now=now)
    db.session.add(RequestEvent(request_id=request.id, at=now, action="sms", to_status=step,
                                sms_id=message.id, note=text))
    return message
