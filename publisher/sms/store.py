"""Storing SMS around the gateway: nothing received is lost, nothing queued is sent twice.

Outbound: ``queue_sms`` adds a pending row in the caller's transaction; the queue
(publisher.sms.queue) alone hands rows to a route, in priority order, and reads back
sent / failed (``deliver_pending`` and ``refresh_statuses`` call it).
Inbound: ``poll_inbox`` stores each message and commits *before* it tells
the gateway to forget it; a message seen again after a crash is recognised by its
gateway ref and only acknowledged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from publisher.extensions import db
from publisher.models import SmsMessage, SmsStatus, utcnow
from publisher.sms import queue
from publisher.sms.gateway import GatewayError, check_outbound
from publisher.sms.numbers import normalize_number
from publisher.sms.routes import get_routes
from publisher.vault.redact import redact

log = logging.getLogger(__name__)


def queue_sms(number: str, text: str, *, key: str | None = None, related_type: str = "",
              related_id: int | None = None, reply_to: SmsMessage | None = None,
              priority: str = "D", now: datetime | None = None,
              new_key: bool = False, flush: bool = True) -> SmsMessage:
    """Add an outbound message to the session (the caller commits). Same key, same row.

    ``new_key``: the caller knows the key is new (e.g. made from a row it just created),
    which saves a look-up. ``priority``: publisher.sms.queue's letters — FIRST (a new
    call's first notification), REPEAT, REMINDER (and links), REPLY (the default).
    """
    if key and not new_key:
        existing = db.session.scalar(select(SmsMessage).where(SmsMessage.dedupe_key == key))
        if existing is not None:
            return existing
    now = now or utcnow()
    row = SmsMessage(direction="out", number=normalize_number(number), text=text,
                     status=SmsStatus.PENDING, dedupe_key=key, related_type=related_type,
                     related_id=related_id, reply_to_id=reply_to.id if reply_to else None,
                     priority=priority, created_at=now, status_at=now)
    try:
        check_outbound(row.number, text)
    except GatewayError as exc:  # recorded as failed at once: callers escalate on it
        row.status, row.error = SmsStatus.FAILED, redact(str(exc))  # it may quote the number
    db.session.add(row)
    if flush:
        db.session.flush()
    return row


def deliver_pending(now: datetime | None = None, *, ids: list[int] | None = None,
                    limit: int | None = None) -> int:
    """Hand waiting messages to the routes, highest priority first (publisher.sms.queue).

    ``ids`` and ``limit`` are accepted for older callers: the queue always releases in
    priority order, as much as the routes' windows take. Returns how many left our hands.
    """
    return queue.release(now or utcnow())


def refresh_statuses(now: datetime | None = None, *, timeout_s: float = 120,
                     limit: int | None = None) -> int:
    """Read back sent / failed; a message stuck ``timeout_s`` in a route's outbox goes to
    the next route (failed only when none is left). Returns how many changed."""
    return queue.track(now or utcnow(), timeout_s=timeout_s)


Handler = Callable[[SmsMessage, datetime], None]


def poll_inbox(handle: Handler, now: datetime | None = None) -> int:
    """Store and handle every message received by any route. Returns how many were new."""
    now = now or utcnow()
    return sum(_poll_one(gateway, handle, now) for gateway in _receivers())


def _receivers() -> list:
    """Each gateway that receives (every modem, the HTTP gateway), once."""
    seen: dict[int, object] = {}
    for route in get_routes():
        if not route.last_resort:
            seen.setdefault(id(route.gateway), route.gateway)
    return list(seen.values())


def _poll_one(gateway, handle: Handler, now: datetime) -> int:  # noqa: ANN001
    try:
        messages = gateway.receive()
    except GatewayError as exc:
        log.warning("cannot read the SMS inbox: %s", exc)
        return 0
    new = 0
    for message in messages:
        seen = db.session.scalar(select(SmsMessage.id).where(
            SmsMessage.direction == "in", SmsMessage.gateway == gateway.name,
            SmsMessage.gateway_ref == message.ref))
        if seen is None:
            if not _store_and_handle(message, gateway.name, handle, now):
                continue
            new += 1
        try:
            gateway.ack(message)
        except GatewayError as exc:  # seen again next poll, recognised, acknowledged then
            log.warning("cannot acknowledge SMS %s: %s", message.ref, exc)
    return new


def _inbound_row(message, gateway_name: str, now: datetime) -> SmsMessage:  # noqa: ANN001
    return SmsMessage(direction="in", number=normalize_number(message.number),
                      text=message.text, status=SmsStatus.RECEIVED, gateway=gateway_name,
                      gateway_ref=message.ref, raw=message.raw[:20000],
                      received_at=message.received_at or now, created_at=now, status_at=now)


def _store_and_handle(message, gateway_name: str, handle: Handler,  # noqa: ANN001
                      now: datetime) -> bool:
    row = _inbound_row(message, gateway_name, now)
    db.session.add(row)
    try:
        db.session.flush()
        handle(row, now)
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()  # stored meanwhile by another poller
        return False
    except Exception as exc:  # noqa: BLE001 - a bad message must not block the inbox
        db.session.rollback()
        log.exception("handling SMS %s failed", message.ref)
        row = _inbound_row(message, gateway_name, now)
        row.status = SmsStatus.UNMATCHED
        row.error = redact(f"{type(exc).__name__}: {exc}")[:500]
        db.session.add(row)
        db.session.commit()
        return True
