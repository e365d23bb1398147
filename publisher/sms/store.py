"""Storing SMS around the gateway: nothing received is lost, nothing queued is sent twice.

Outbound: ``queue_sms`` adds a pending row in the caller's transaction; ``deliver_pending``
claims rows one by one (conditional UPDATE), hands them to the gateway with the row id
as the idempotency ref, and records the gateway's id. ``refresh_statuses`` reads back
sent / failed. Inbound: ``poll_inbox`` stores each message and commits *before* it tells
the gateway to forget it; a message seen again after a crash is recognised by its
gateway ref and only acknowledged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from publisher.extensions import db
from publisher.models import SmsMessage, SmsStatus, utcnow
from publisher.sms import get_gateway
from publisher.sms.gateway import GatewayError, SendStatus, check_outbound
from publisher.sms.numbers import normalize_number

log = logging.getLogger(__name__)
# A row left "sending" this long was claimed by a worker that died: hand it over again
# (the gateway's idempotency ref prevents a duplicate).
RECLAIM_AFTER = timedelta(seconds=30)


def queue_sms(number: str, text: str, *, key: str | None = None, related_type: str = "",
              related_id: int | None = None, reply_to: SmsMessage | None = None,
              priority: str = "C", now: datetime | None = None,
              new_key: bool = False, flush: bool = True) -> SmsMessage:
    """Add an outbound message to the session (the caller commits). Same key, same row.

    ``new_key``: the caller knows the key is new (e.g. made from a row it just created),
    which saves a look-up.
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
        row.status, row.error = SmsStatus.FAILED, str(exc)
    db.session.add(row)
    if flush:
        db.session.flush()
    return row


def _claim(row: SmsMessage, now: datetime) -> bool:
    result = db.session.execute(
        update(SmsMessage)
        .where(SmsMessage.id == row.id, SmsMessage.status == row.status,
               SmsMessage.status_at == row.status_at)
        .values(status=SmsStatus.SENDING, status_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def deliver_pending(now: datetime | None = None, *, ids: list[int] | None = None,
                    limit: int = 100) -> int:
    """Hand pending messages to the gateway (emergency first). Returns how many."""
    now = now or utcnow()
    query = select(SmsMessage).where(
        SmsMessage.direction == "out",
        or_(SmsMessage.status == SmsStatus.PENDING,
            (SmsMessage.status == SmsStatus.SENDING)
            & (SmsMessage.status_at < now - RECLAIM_AFTER)),
    )
    if ids is not None:
        query = query.where(SmsMessage.id.in_(ids))
    rows = db.session.scalars(
        query.order_by(SmsMessage.priority, SmsMessage.id).limit(limit)
    ).all()
    gateway = get_gateway()
    # Claim them all in one transaction (a second worker then sees them taken) …
    claimed = [row.id for row in rows if _claim(row, now)]
    db.session.commit()
    if not claimed:
        return 0
    # … and hand them over; a crash here leaves them "sending", retried after
    # RECLAIM_AFTER with the same ref, which the gateway does not send twice.
    handed = 0
    for row in db.session.scalars(select(SmsMessage).where(SmsMessage.id.in_(claimed))
                                  .order_by(SmsMessage.priority, SmsMessage.id)):
        try:
            ref = gateway.send(row.number, row.text, ref=f"m{row.id}", priority=row.priority,
                               at=row.created_at)
        except GatewayError as exc:
            row.status, row.error = SmsStatus.FAILED, str(exc)[:500]
        except OSError as exc:
            # The spool's disk is full (or gone): a fault of ours, not the message's. It
            # stays pending and is handed over again next tick.
            log.warning("cannot hand SMS %s to the gateway, retrying: %s", row.id, exc)
            row.status = SmsStatus.PENDING
        else:
            row.gateway_ref, row.status = ref, SmsStatus.QUEUED
            handed += 1
        row.gateway, row.status_at = gateway.name, now
    db.session.commit()
    return handed


def refresh_statuses(now: datetime | None = None, *, timeout_s: float = 120,
                     limit: int = 500) -> int:
    """Read back sent / failed for queued messages. Returns how many changed."""
    now = now or utcnow()
    gateway = get_gateway()
    rows = db.session.scalars(
        select(SmsMessage)
        .where(SmsMessage.direction == "out", SmsMessage.status == SmsStatus.QUEUED)
        .order_by(SmsMessage.id).limit(limit)
    ).all()
    changed = 0
    for row in rows:
        try:
            status = gateway.status(row.gateway_ref or "")
            if status == SendStatus.QUEUED and row.status_at and (
                now - row.status_at > timedelta(seconds=timeout_s)
            ):
                # The daemon is down or stuck: take the message back so it is not sent
                # late, and report it failed so an escalation moves on.
                if gateway.cancel(row.gateway_ref or ""):
                    # No brackets: the incident log quotes this inside its own.
                    row.error = _("超过 %(n)d 秒仍未发出，短信网关可能未运行", n=int(timeout_s))
                    status = SendStatus.FAILED
                else:
                    status = gateway.status(row.gateway_ref or "")
        except GatewayError as exc:
            log.warning("status of SMS %s unknown: %s", row.id, exc)
            continue
        if status != SendStatus.QUEUED:
            row.status, row.status_at = SmsStatus(status.value), now
            if status == SendStatus.FAILED and not row.error:
                row.error = _("短信网关报告发送失败")
            changed += 1
    db.session.commit()
    return changed


Handler = Callable[[SmsMessage, datetime], None]


def poll_inbox(handle: Handler, now: datetime | None = None) -> int:
    """Store and handle every received message. Returns how many were new."""
    now = now or utcnow()
    gateway = get_gateway()
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
        row.status, row.error = SmsStatus.UNMATCHED, f"{type(exc).__name__}: {exc}"[:500]
        db.session.add(row)
        db.session.commit()
        return True
