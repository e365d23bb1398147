"""What an incoming SMS means, in order:

1. ``1`` from a number we alerted for an open incident → acknowledgement;
2. a 6-digit code from a responder being verified → number verified;
3. ``去向 …`` / ``QX …`` → a cadre's whereabouts (from a registered cadre phone);
4. anything from a household's registered phone → emergency call (``测试`` → SMS test);
5. a registered cadre's other text → a check-in when it names a village, else a usage reply;
6. anything else → ``unrecognised_text``.

A message from a registered phone is marked with that phone's township, so staff of one
township do not read another's messages.

One number registered in several places is never routed silently to one of them:

- an emergency from a number registered to several households (in one township or
  several) calls for every one of them: each household gets its own incident in its own
  township, each incident's log says the number is shared, and the sender's receipt says
  how many households were alerted. A safety engineer's choice: we cannot tell which home
  is in trouble, and a false alarm in one township costs far less than a call for help
  that reached the wrong one (or nobody, had we refused it);
- a whereabouts check-in from a number registered as a cadre in several townships is not
  recorded (nothing is at stake but a roster line): the reply says why and what to do.
  An unmatched text from such a number is kept for no township rather than one of them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from publisher.emergency import messages
from publisher.emergency.acks import ack_by_sms
from publisher.emergency.incidents import log_event, trigger
from publisher.emergency.registry import households_by_phone
from publisher.emergency.responders import verify_by_reply
from publisher.extensions import db
from publisher.models import Cadre, SmsMessage, SmsStatus, Village
from publisher.models.emergency import TriggerLog
from publisher.requests.sms_intake import from_sms
from publisher.services.errors import ServiceError
from publisher.services.whereabouts import record_whereabouts, township_today
from publisher.sms.checkin import (
    USAGE,
    CheckInError,
    casual_text,
    is_checkin,
    parse_checkin,
)
from publisher.sms.numbers import is_service_number, normalize_number
from publisher.sms.queue import REPLY
from publisher.sms.store import queue_sms

UNKNOWN_SENDER = "本号码未登记为乡干部或应急联系人手机，短信未处理。如需登记请联系乡党政办。"
SHARED_CADRE_PHONE = ("本号码登记为多个乡镇的干部手机，系统无法确定登记哪个乡镇的去向，"
                      "本条未登记。请在系统中填写去向，或请乡党政办核对号码登记。")
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
    households = households_by_phone(message.number)
    if households:
        return _households(message, households, now)
    cadres = cadres_by_phone(message.number)
    if cadres:
        return _cadre_text(message, cadres, now)
    unrecognised_text(message, now)


def unrecognised_text(message: SmsMessage, now: datetime) -> None:
    """The fallback: a text from a number that is neither a household's nor a cadre's and
    is not an acknowledgement or a verification code is a resident's request (群众诉求):
    registered and answered with its number and deadline, or kept as unmatched for staff
    with a reply saying why (publisher.requests.sms_intake has the guards)."""
    from_sms(message, now)


def _cadre_text(message: SmsMessage, cadres: list[Cadre], now: datetime) -> None:
    """A cadre's text without the check-in keyword: read as a check-in when it names a
    village of the cadre's township, else kept as unmatched with the usage reply."""
    _done(message, "", SmsStatus.UNMATCHED)
    if len({c.township_id for c in cadres}) == 1:
        message.township_id = cadres[0].township_id
        # A report without the keyword (今天在黄土坪村走访) is read as one.
        villages = db.session.scalars(select(Village.name).where(
            Village.township_id == cadres[0].township_id)).all()
        casual = casual_text(message.text, villages)
        if casual is not None:
            return _checkin(message, now, text=casual)
    _reply(message, USAGE, now, usage=True)


def cadres_by_phone(number: str) -> list[Cadre]:
    """Every active cadre registered with this mobile number, in any township."""
    wanted = normalize_number(number)
    if not wanted:
        return []
    found = db.session.scalars(select(Cadre).where(Cadre.active.is_(True), Cadre.phone != "")
                               .order_by(Cadre.id)).all()
    return [c for c in found if c.phone == wanted or normalize_number(c.phone) == wanted]


def _checkin(message: SmsMessage, now: datetime, text: str | None = None) -> None:
    """Record a whereabouts report; ``text`` is the message as read (keyword form) when the
    cadre left the keyword out."""
    cadres = cadres_by_phone(message.number)
    if not cadres:
        _done(message, "checkin", SmsStatus.UNMATCHED)
        return _reply(message, UNKNOWN_SENDER, now, usage=True)
    if len({c.township_id for c in cadres}) > 1:
        _done(message, "checkin", SmsStatus.UNMATCHED)
        message.error = "号码登记在多个乡镇"
        return _reply(message, SHARED_CADRE_PHONE, now)
    cadre = cadres[0]
    message.township_id = cadre.township_id
    villages = {v.name: v.id for v in db.session.scalars(
        select(Village).where(Village.township_id == cadre.township_id))}
    try:
        parsed = parse_checkin(text or message.text, list(villages))
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


def _households(message: SmsMessage, households: list, now: datetime) -> None:
    # The message itself belongs to the first household's township (its staff list it);
    # every other household's call is in its own township's incident list and log.
    first = households[0]
    message.township_id = first.township_id
    if messages.is_test(message.text):
        for household in households:
            db.session.add(TriggerLog(household_id=household.id, source="sms", outcome="test",
                                      received_at=now))
        message.related_type, message.related_id = "household", first.id
        _done(message, "test")
        return _reply(message, messages.household_receipt_text(is_test=True), now)
    incidents = [trigger(household, source="sms", now=now).incident_id
                 for household in households]
    message.related_type, message.related_id = "incident", incidents[0]
    _done(message, "trigger")
    receipt = messages.household_receipt_text()
    if len(households) > 1:
        townships = len({h.township_id for h in households})
        note = (f"发来呼救短信的号码登记在 {len(households)} 户"
                + (f"（{townships} 个乡镇）" if townships > 1 else "")
                + "，无法确定是哪一户，已同时呼叫各户的联系人。")
        for incident_id in incidents:
            if incident_id is not None:
                log_event(incident_id, "trigger", note, now)
        receipt += f"本号码登记在{len(households)}户，已同时通知各户联系人。"
    # A confirmation: after every responder's notification (publisher.sms.queue).
    _reply(message, receipt, now)
