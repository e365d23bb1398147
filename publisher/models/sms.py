"""Every SMS that came in or went out, whatever it was about.

Inbound messages are stored before the gateway's copy is removed, so none is lost;
outbound ones are stored before they reach the gateway, so none is sent twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow
from publisher.vault.fields import decrypt_on_load, encrypted

# The purpose of the gateway reference's digest (apart from the phone-number index).
REF_DIGEST = "sms-ref"


class SmsStatus(StrEnum):
    # inbound
    RECEIVED = "received"  # stored, not yet handled
    HANDLED = "handled"  # understood (check-in, acknowledgement, trigger …)
    UNMATCHED = "unmatched"  # unknown sender or text: kept for staff
    # outbound
    PENDING = "pending"  # stored, not yet handed to the gateway
    SENDING = "sending"  # claimed by one worker, being handed over
    QUEUED = "queued"  # in the gateway's outbox
    SENT = "sent"
    FAILED = "failed"


@decrypt_on_load
class SmsMessage(db.Model):
    """The number, text, raw gateway text and gateway reference (gammu's file name carries
    the number) are stored encrypted (publisher.vault.fields); ``number`` and
    ``gateway_ref`` also as keyed digests, which every query compares instead."""

    __table_args__ = (UniqueConstraint("gateway", "gateway_ref_digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(3), index=True)  # in | out
    number_enc: Mapped[str] = mapped_column(Text, default="")  # normalised, encrypted
    number_digest: Mapped[str] = mapped_column(String(64), default="", index=True)
    number = encrypted("number_enc", digest="number_digest")
    text_enc: Mapped[str] = mapped_column(Text, default="")
    text = encrypted("text_enc")
    status: Mapped[str] = mapped_column(String(12), index=True)
    handled_as: Mapped[str] = mapped_column(String(16), default="")  # checkin, ack, trigger …
    # Inbound: the township of the registered phone (cadre, household, responder) that
    # sent it, set when the router matched the sender; NULL for a stranger.
    township_id: Mapped[int | None] = mapped_column(ForeignKey("township.id"), index=True)
    # What the message is about, e.g. ("incident", 7) or ("whereabouts", 12).
    related_type: Mapped[str] = mapped_column(String(24), default="")
    related_id: Mapped[int | None]
    # Outbound: makes queueing idempotent (e.g. "attempt:17"); one row per key.
    dedupe_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("sms_message.id"))
    priority: Mapped[str] = mapped_column(String(1), default="C")  # A = emergency
    gateway: Mapped[str] = mapped_column(String(8), default="")
    gateway_ref_enc: Mapped[str | None] = mapped_column(Text)
    gateway_ref_digest: Mapped[str | None] = mapped_column(String(64))
    gateway_ref = encrypted("gateway_ref_enc", digest="gateway_ref_digest",
                            purpose=REF_DIGEST, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    # Inbound: the gateway's raw text; outbound: the routes tried ("route\ttime\treason").
    raw_enc: Mapped[str] = mapped_column(Text, default="")
    raw = encrypted("raw_enc")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
