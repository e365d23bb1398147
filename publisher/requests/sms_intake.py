"""A resident's text that is nothing else becomes a request (the dispatcher's fallback).

Which township: the only one there is, else the one whose village the text names (a county
gateway serves many townships; a text naming no village, or a village name found in
several townships, is kept for staff and the resident is asked to name the village).
Guards: an empty text, or one of digits only (a reply code that matched nothing), is not a
request; a text the declaration refuses (too long …) is answered with the declaration's own
message; texts from one number within ``FOLLOW_ON`` of
a request not yet handed out are added to it (a long story sent in parts is one request);
at most ``DAILY_MAX`` requests a day from one number (a loop with another automatic system,
or a prank, cannot flood the ledger); operator and service numbers are never answered.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from publisher.extensions import db
from publisher.models import SmsMessage, SmsStatus, Township, Village
from publisher.models.requests import RequestEvent, RequestSource, RequestStatus, ResidentRequest
from publisher.requests import intake
from publisher.services.errors import ServiceError
from publisher.sms.numbers import is_service_number
from publisher.sms.queue import REPLY
from publisher.sms.store import queue_sms

FOLLOW_ON = timedelta(minutes=30)
DAILY_MAX = 5
DEFAULT_CATEGORY = "其他"  # staff classify it when they hand it out
NAME_THE_VILLAGE = "您的短信未能受理：请写明所在村名和要反映的问题，例如：张家村 村口路灯坏了。"
EMPTY = "您的短信是空的：请直接发送要反映的问题和所在村名。"
TOO_MANY = "今天本号码已反映多条诉求，其余的请致电乡党政办。"


def from_sms(message: SmsMessage, now: datetime) -> ResidentRequest | None:
    """Register ``message`` as a request, or add it to the one it continues; None when it
    is kept as unmatched for staff (the reason is in ``message.error``). The caller commits."""
    text = (message.text or "").strip()
    if is_service_number(message.number):
        return _unmatched(message, "服务号码，不受理", now)
    if not text:
        return _unmatched(message, "空短信", now, reply=EMPTY)
    if text.isdigit():  # a code or a "1" that matched nothing: not a request, and no answer
        return _unmatched(message, "只有数字", now)
    earlier = _continued(message, now)
    if earlier is not None:
        return _add_to(earlier, message, text, now)
    if _today_count(message, now) >= DAILY_MAX:
        return _unmatched(message, "本号码今日诉求已达上限", now, reply=TOO_MANY)
    township, village = _where(text)
    if township is None:
        return _unmatched(message, "无法确定乡镇", now, reply=NAME_THE_VILLAGE)
    data = {"category": DEFAULT_CATEGORY, "village": village.name if village else "",
            "text": text}
    message.township_id = township.id
    try:
        request = intake.intake(township, data, source=RequestSource.SMS, now=now, sms=message)
    except ServiceError as exc:  # the declaration's own words, as the form would show them
        return _unmatched(message, str(exc)[:500], now, reply=f"您的短信未能受理：{exc}")
    message.related_type, message.related_id = "request", request.id
    message.handled_as, message.status = "request", SmsStatus.HANDLED
    return request


def _unmatched(message: SmsMessage, why: str, now: datetime, *, reply: str = "") -> None:
    message.handled_as, message.status, message.error = "request", SmsStatus.UNMATCHED, why
    if reply and not is_service_number(message.number) and not _answered_lately(message, now):
        queue_sms(message.number, reply, key=f"reply:{message.id}", reply_to=message,
                  related_type="usage", priority=REPLY, now=now)
    return None


def _answered_lately(message: SmsMessage, now: datetime) -> bool:
    """A refusal goes out at most once an hour per number (two machines cannot loop)."""
    return db.session.scalar(select(SmsMessage.id).where(
        SmsMessage.direction == "out", SmsMessage.number == message.number,
        SmsMessage.related_type == "usage",
        SmsMessage.created_at > now - timedelta(hours=1)).limit(1)) is not None


def _continued(message: SmsMessage, now: datetime) -> ResidentRequest | None:
    return db.session.scalar(
        select(ResidentRequest).where(
            ResidentRequest.phone == message.number, ResidentRequest.source == RequestSource.SMS,
            ResidentRequest.status == RequestStatus.ACCEPTED, ResidentRequest.cadre_id.is_(None),
            ResidentRequest.received_at > now - FOLLOW_ON)
        .order_by(ResidentRequest.received_at.desc()).limit(1))


def _add_to(request: ResidentRequest, message: SmsMessage, text: str,
            now: datetime) -> ResidentRequest:
    """Append the text to the request it continues (within the declared limit)."""
    joined = f"{request.text}\n{text}"
    try:
        request.text = intake.clean_intake({"category": request.category, "text": joined})["text"]
    except ServiceError:
        return _unmatched(message, f"续接编号{request.id}时超出字数", now)
    request.updated_at = now
    db.session.add(RequestEvent(request_id=request.id, at=now, action="note",
                                to_status=request.status, note="群众续发短信，已并入本条"))
    message.township_id = request.township_id
    message.related_type, message.related_id = "request", request.id
    message.handled_as, message.status = "request", SmsStatus.HANDLED
    return request


def _today_count(message: SmsMessage, now: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(ResidentRequest).where(
        ResidentRequest.phone == message.number,
        ResidentRequest.received_at > now - timedelta(days=1)))


def _where(text: str) -> tuple[Township | None, Village | None]:
    """The township (and village) a text belongs to; (None, None) when it cannot be told."""
    townships = db.session.scalars(select(Township).order_by(Township.id).limit(2)).all()
    villages = [v for v in db.session.scalars(select(Village).order_by(Village.id))
                if v.name and v.name in text]
    # The longest name wins: 张家村二组 over 张家村 when both are villages.
    named = sorted(villages, key=lambda v: -len(v.name))
    named = [v for v in named if v.name == named[0].name] if named else []
    if len({v.township_id for v in named}) == 1:
        return named[0].township, named[0]
    if len(townships) == 1:
        return townships[0], None
    return None, None

