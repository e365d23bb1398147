"""What an incoming SMS means, in order:

1. ``1`` from a number we alerted for an open incident → acknowledgement;
2. a 6-digit code from a responder being verified → number verified;
3. ``去向 …`` / ``QX …`` → a cadre's whereabouts (from a registered cadre phone);
4. anything from a household's registered phone → emergency call (``测试`` → SMS test);
5. otherwise → kept as unmatched for staff, with a usage reply.

A message from a registered phone is marked with that phone's township, so staff of one
township do not read another's messages.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from publisher.emergency import messages
from publisher.emergency.acks import ack_by_sms
from publisher.emergency.incidents import trigger
from publisher.emergency.registry import household_by_phone
from publisher.emergency.responders import verify_by_reply
from publisher.extensions import db
from publisher.models import SmsMessage, SmsStatus, Village
from publisher.models.emergency import TriggerLog
from publisher.services.errors import ServiceError
from publisher.services.whereabouts import cadre_by_phone, record_whereabouts, township_today
from publisher.sms.checkin import USAGE, CheckInError, is_checkin, parse_checkin
from publisher.sms.numbers import is_service_number
from publisher.sms.queue import REPLY
from publisher.sms.store import queue_sms

UNKNOWN_SENDER = "本号码未登记为乡干部或应急联系人手机，短信未处理。如需登记请联系乡党政办。"
# Usage replies go out at most this often per number, so two automatic systems texting
# each other cannot loop.
USAGE_REPLY_EVERY = timedelta(hours=1)


def _reply(message: SmsMessage, text: str, now: datetime, *, usage: bool = False,
           priority: str = REPLY) -> None:
    if is_service_number(message.number):
        return
    if usage:
        recent = db.session.scalar(select(SmsMessage.id).where(
            SmsMessage.direction == "out", SmsMessage.number == message.number,
            SmsMessage.related_type == "usage",
            SmsMessage.created_at > now - USAGE_REPLY_EVERY).limit(1))
        if recent is not None:
            return
    queue_sms(message.number, text, key=f"reply:{message.id}", reply_to=message,
              related_type="usage" if usage else message.related_type,
              related_id=None if usage else message.related_id, priority=priority, now=now)


def _done(message: SmsMessage, handled_as: str, status: str = SmsStatus.HANDLED) -> None:
    message.handled_as, message.status = handled_as, status


def handle(message: SmsMessage, now: datetime) -> None:
    """Act on one stored inbound message (the caller commits)."""
    text = message.text
    if messages.is_ack(text) and ack_by_sms(message, now):
        return _done(message, "ack")
    code = messages.verification_code(text)
    if code:
        responder = verify_by_reply(message.number, code, now)
        if responder is not None:
            message.related_type, message.related_id = "responder", responder.id
            message.township_id = responder.township_id
            _done(message, "verify")
            return _reply(message, "号码核实成功，谢谢！您将在呼救时收到通知。", now)
    if is_checkin(text):
        return _checkin(message, now)
    household = household_by_phone(message.number)
    if household is not None:
        return _household(message, household, now)
    _done(message, "", SmsStatus.UNMATCHED)
    cadre = cadre_by_phone(message.number)
    if cadre is not None:
        message.township_id = cadre.township_id
        return _reply(message, USAGE, now, usage=True)
    _reply(message, UNKNOWN_SENDER, now, usage=True)


def _checkin(message: SmsMessage, now: datetime) -> None:
    cadre = cadre_by_phone(message.number)
    if cadre is None:
        _done(message, "checkin", SmsStatus.UNMATCHED)
        return _reply(message, UNKNOWN_SENDER, now, usage=True)
    message.township_id = cadre.township_id
    villages = {v.name: v.id for v in db.session.scalars(
        select(Village).where(Village.township_id == cadre.township_id))}
    try:
        parsed = parse_checkin(message.text, list(villages))
        day = township_today(cadre, now)
        row = record_whereabouts(
            cadre, day, parsed.status, village_id=villages.get(parsed.village or ""),
            place=parsed.place, activity=parsed.activity, source="sms",
            start_time=parsed.start_time, end_time=parsed.end_time, now=now)
    except (CheckInError, ServiceError) as exc:
        _done(message, "checkin", SmsStatus.UNMATCHED)
        message.error = str(exc)[:500]
        return _reply(message, f"未能登记：{exc}{USAGE}", now)
    message.related_type, message.related_id = "whereabouts", row.id
    _done(message, "checkin")
    where = " ".join(x for x in (parsed.village or parsed.place, parsed.activity) if x)
    window = (f" {parsed.start_time:%H:%M}-{parsed.end_time:%H:%M}"
              if parsed.start_time and parsed.end_time else "")
    _reply(message, f"{cadre.name}，已登记{day.month}月{day.day}日去向：{parsed.status}"
                    f"{' ' + where if where else ''}{window}。", now)


def _household(message: SmsMessage, household, now: datetime) -> None:  # noqa: ANN001
    message.township_id = household.township_id
    if messages.is_test(message.text):
        db.session.add(TriggerLog(household_id=household.id, source="sms", outcome="test",
                                  received_at=now))
        message.related_type, message.related_id = "household", household.id
        _done(message, "test")
        return _reply(message, messages.household_receipt_text(is_test=True), now)
    result = trigger(household, source="sms", now=now)
    message.related_type, message.related_id = "incident", result.incident_id
    _done(message, "trigger")
    # A confirmation: after every responder's notification (publisher.sms.queue).
    _reply(message, messages.household_receipt_text(), now)
