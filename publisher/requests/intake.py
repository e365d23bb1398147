"""Registering a request, the same way from every door (admin form, phone page, API, SMS,
import): the fields are checked by the ledger's declaration (renderer.kinds.requests,
through ``clean_item``), so one bad value gets one Chinese message wherever it was typed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select

from playlists import timezones
from publisher.extensions import db
from publisher.models import SmsMessage, Township, User, Village
from publisher.models.requests import RequestEvent, RequestSource, RequestStatus, ResidentRequest
from publisher.requests import notify, rules
from publisher.services.errors import FieldError
from publisher.services.phones import clean_phone
from publisher.sms.numbers import normalize_number
from renderer.fields import PHONE, ItemError, clean_item
from renderer.kinds import declaration

KIND = "requests"  # the declaration's name (renderer/kinds/requests.py)
# The declaration's field names, as the doors send them.
FIELDS = ("category", "village", "resident_name", "resident_phone", "text", "received_on")


def clean_intake(data: Mapping[str, Any]) -> dict[str, Any]:
    """The declared fields of ``data``, checked and cleaned; FieldError (naming the field,
    message in Chinese) for the first bad one."""
    try:
        cleaned = clean_item(KIND, dict(data))
    except ItemError as exc:
        raise FieldError(getattr(exc, "field", None) or "", str(exc)) from None
    for field in declaration(KIND).fields:  # a number the resident can be called back on
        if field.type == PHONE:
            cleaned[field.name] = clean_phone(cleaned[field.name] or "", field.name)
    return cleaned


def intake(township: Township, data: Mapping[str, Any], *, source: str, now: datetime,
           user: User | None = None, sms: SmsMessage | None = None) -> ResidentRequest:
    """Check ``data`` and register it (the caller commits). From an SMS, the resident's
    number is the one the network gave (not typed, so not checked as typed numbers are)."""
    cleaned = clean_intake(data)
    if sms is not None:
        cleaned["resident_phone"] = sms.number
    return register(township, cleaned, source=source, now=now, user=user, sms=sms)


def register(township: Township, cleaned: Mapping[str, Any], *, source: str, now: datetime,
             user: User | None = None, sms: SmsMessage | None = None) -> ResidentRequest:
    """Add a request made of already cleaned fields, log it and tell the resident it was
    registered (not for an import of an old paper ledger: those residents were told then)."""
    zone = township.timezone
    received_at = _received_at(cleaned.get("received_on"), now, zone)
    phone = normalize_number(cleaned.get("resident_phone") or "")
    row = ResidentRequest(
        township_id=township.id, village_id=village_id(township, cleaned.get("village") or ""),
        category=cleaned["category"], text=cleaned["text"],
        resident_name=cleaned.get("resident_name") or "", phone=phone,
        source=RequestSource(source), sms_id=sms.id if sms else None, received_at=received_at,
        received_by_id=user.id if user else None, status=RequestStatus.ACCEPTED,
        deadline=rules.deadline_for(cleaned["category"], received_at, zone), updated_at=now)
    row.township = township
    db.session.add(row)
    db.session.flush()
    db.session.add(RequestEvent(request_id=row.id, at=now, action="intake",
                                to_status=RequestStatus.ACCEPTED, user_id=user.id if user else None,
                                note=rules.SOURCE_LABELS.get(source, source)))
    if source != RequestSource.IMPORT:
        notify.tell_resident(row, RequestStatus.ACCEPTED, now, reply_to=sms)
    return row


def _received_at(day: date | str | None, now: datetime, zone: str) -> datetime:
    """Now, or noon of the day a paper ledger says (not a day still to come)."""
    if not day:
        return now
    if isinstance(day, str):
        day = date.fromisoformat(day)
    if day > rules.local_day(now, zone):
        raise FieldError("received_on", "受理日期不能晚于今天。")
    return datetime.combine(day, time(12), tzinfo=timezones.zone(zone))


def village_id(township: Township, name: str) -> int | None:
    if not name:
        return None
    found = db.session.scalar(select(Village.id).where(
        Village.township_id == township.id, Village.name == name))
    if found is None:
        raise FieldError("village", f"本乡镇没有“{name[:30]}”这个村，请从列表中选择。")
    return found
