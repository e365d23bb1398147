"""Residents' requests (群众诉求) and the log of what was done with each.

A request is registered (受理), handed to a cadre with a deadline (办理中), settled (办结) and
followed up with the resident (回访). The resident's name, phone number and the request's
text are personal data: stored encrypted (publisher.vault.fields), the number also as a
keyed digest so the texts of one number can be found without decrypting every row.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow
from publisher.models.org import Township, Village
from publisher.models.people import Cadre
from publisher.models.users import User
from publisher.vault.fields import decrypt_on_load, encrypted


class RequestStatus(StrEnum):
    """Stored in English; shown in the words of the paper ledger (publisher.requests.rules)."""

    ACCEPTED = "accepted"  # 受理
    IN_PROGRESS = "in_progress"  # 办理中
    RESOLVED = "resolved"  # 办结
    FOLLOWED_UP = "followed_up"  # 回访


class RequestSource(StrEnum):
    ADMIN = "admin"  # typed in at the township office
    SMS = "sms"  # the resident texted the gateway
    PHONE = "phone"  # a cadre took it down in the village, on the phone page
    API = "api"
    IMPORT = "import"


@decrypt_on_load
class ResidentRequest(db.Model):
    __tablename__ = "resident_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"), index=True)
    category: Mapped[str] = mapped_column(String(20), index=True)
    text_enc: Mapped[str] = mapped_column(Text, default="")
    text = encrypted("text_enc")
    resident_name_enc: Mapped[str] = mapped_column(Text, default="")
    resident_name = encrypted("resident_name_enc")
    # Normalised (publisher.sms.numbers) before it is set, so its digest matches the one of
    # an SMS from the same phone.
    phone_enc: Mapped[str] = mapped_column(Text, default="")
    phone_digest: Mapped[str] = mapped_column(String(64), default="", index=True)
    phone = encrypted("phone_enc", digest="phone_digest")
    source: Mapped[str] = mapped_column(String(8), default=RequestSource.ADMIN)
    sms_id: Mapped[int | None] = mapped_column(ForeignKey("sms_message.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(String(12), default=RequestStatus.ACCEPTED, index=True)
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadre.id"), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    result: Mapped[str] = mapped_column(Text, default="")  # 办理结果, written by staff
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # 办结
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    satisfaction: Mapped[str] = mapped_column(String(8), default="")  # at 回访
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    township: Mapped[Township] = relationship()
    village: Mapped[Village | None] = relationship()
    cadre: Mapped[Cadre | None] = relationship()
    received_by: Mapped[User | None] = relationship()
    events: Mapped[list[RequestEvent]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestEvent.id")


class RequestEvent(db.Model):
    """One step in a request's history: registered, assigned, a status change (with its
    note), an SMS queued to the resident. Appended, never changed."""

    __tablename__ = "resident_request_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("resident_request.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(12))  # intake | assign | status | sms
    from_status: Mapped[str] = mapped_column(String(12), default="")
    to_status: Mapped[str] = mapped_column(String(12), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    sms_id: Mapped[int | None] = mapped_column(ForeignKey("sms_message.id"))

    request: Mapped[ResidentRequest] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()
