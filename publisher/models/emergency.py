"""Vulnerable households, their responders and call plans, incidents, public alerts.

Columns ending in ``_enc`` hold Fernet ciphertext (see publisher.emergency.crypto);
``_digest`` columns hold a keyed hash of a normalised phone number so an incoming SMS
can be matched without decrypting every row.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow
from publisher.models.org import Township, Village
from publisher.models.people import Cadre
from publisher.models.sms import SmsMessage
from publisher.vault.fields import decrypt_on_load, encrypted

HOUSEHOLD_KINDS = ("空巢老人", "留守儿童", "残疾人家庭", "其他")
RESPONDER_KINDS = {
    "duty_cadre": "当日值班干部",
    # The cadres covering the household's village who report being there today, else the
    # township's duty cadre of the day (from the whereabouts roster).
    "village_duty": "本村当日值班干部",
    "cadre": "乡干部",
    "relative": "亲属",
    "doctor": "村医",
    "neighbour": "邻居",
    "other": "其他",
}


class IncidentState(StrEnum):
    TRIGGERED = "triggered"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


OPEN_STATES = (IncidentState.TRIGGERED, IncidentState.ACKNOWLEDGED)


@decrypt_on_load
class Household(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    # The person to help (e.g. 王大爷) and where: encrypted, sorted and searched in Python.
    name_enc: Mapped[str] = mapped_column(Text, default="")
    name = encrypted("name_enc")
    address_enc: Mapped[str] = mapped_column(Text, default="")
    address = encrypted("address_enc")
    notes_enc: Mapped[str] = mapped_column(Text, default="")  # nothing medical here
    notes = encrypted("notes_enc")
    medical_notes_enc: Mapped[str] = mapped_column(Text, default="")
    call_plan_id: Mapped[int | None] = mapped_column("policy_id",
                                                     ForeignKey("escalation_policy.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    township: Mapped[Township] = relationship()
    village: Mapped[Village] = relationship()
    call_plan: Mapped[CallPlan | None] = relationship()
    members: Mapped[list[HouseholdMember]] = relationship(
        back_populates="household", cascade="all, delete-orphan", order_by="HouseholdMember.id"
    )
    phones: Mapped[list[HouseholdPhone]] = relationship(
        back_populates="household", cascade="all, delete-orphan", order_by="HouseholdPhone.id"
    )
    devices: Mapped[list[Device]] = relationship(
        back_populates="household", order_by="Device.id"
    )


@decrypt_on_load
class HouseholdMember(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    name_enc: Mapped[str] = mapped_column(Text, default="")
    name = encrypted("name_enc")
    relation: Mapped[str] = mapped_column(String(20), default="")  # 本人, 孙子 …
    birth_year: Mapped[int | None]
    id_number_enc: Mapped[str] = mapped_column(Text, default="")

    household: Mapped[Household] = relationship(back_populates="members")


class HouseholdPhone(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    label: Mapped[str] = mapped_column(String(20), default="")
    number_enc: Mapped[str] = mapped_column(Text)
    number_digest: Mapped[str] = mapped_column(String(64), index=True)

    household: Mapped[Household] = relationship(back_populates="phones")


class Device(db.Model):
    """A panic button or phone that triggers over HTTP with its own secret token."""

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    label: Mapped[str] = mapped_column(String(40), default="一键呼救器")
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    test_interval_hours: Mapped[int] = mapped_column(default=24 * 7)
    last_test_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_trigger_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    household: Mapped[Household] = relationship(back_populates="devices")


class Responder(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))  # a key of RESPONDER_KINDS
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadre.id"))  # kind "cadre"
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    phone_enc: Mapped[str] = mapped_column(Text, default="")
    phone_digest: Mapped[str] = mapped_column(String(64), default="", index=True)
    phone_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verify_code_digest: Mapped[str] = mapped_column(String(64), default="")
    verify_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)

    cadre: Mapped[Cadre | None] = relationship()
    household: Mapped[Household | None] = relationship()


class CallPlan(db.Model):
    """Whom to call, in which order, when a household calls for help (呼救预案). The table
    keeps its first name, escalation_policy (renaming it needs a migration)."""

    __tablename__ = "escalation_policy"
    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    repeat_count: Mapped[int] = mapped_column(default=0)  # extra passes through the steps
    final_phone: Mapped[str] = mapped_column(String(24), default="")  # township duty phone
    final_instructions: Mapped[str] = mapped_column(String(200), default="")
    is_default: Mapped[bool] = mapped_column(default=False)
    # An acknowledged call nobody resolves is re-notified this often; 0 = never.
    reminder_minutes: Mapped[int] = mapped_column(default=30)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    steps: Mapped[list[CallPlanStep]] = relationship(
        back_populates="call_plan", cascade="all, delete-orphan",
        order_by="CallPlanStep.position")


class CallPlanStep(db.Model):
    __tablename__ = "escalation_step"
    id: Mapped[int] = mapped_column(primary_key=True)
    call_plan_id: Mapped[int] = mapped_column("policy_id", ForeignKey("escalation_policy.id"),
                                              index=True)
    position: Mapped[int]
    responder_id: Mapped[int] = mapped_column(ForeignKey("responder.id"))
    channels: Mapped[str] = mapped_column(String(16), default="sms")  # sms | voice | sms,voice
    wait_seconds: Mapped[int] = mapped_column(default=300)
    # Reached instead when a duty-roster step finds nobody on duty today.
    fallback_responder_id: Mapped[int | None] = mapped_column(ForeignKey("responder.id"))

    call_plan: Mapped[CallPlan] = relationship(back_populates="steps")
    responder: Mapped[Responder] = relationship(foreign_keys=[responder_id])
    fallback_responder: Mapped[Responder | None] = relationship(
        foreign_keys=[fallback_responder_id])


class Incident(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    # Equals household_id while the incident is open, NULL once closed: the unique
    # constraint makes "one open incident per household" hold under concurrent triggers.
    open_key: Mapped[int | None] = mapped_column(unique=True)
    state: Mapped[str] = mapped_column(String(16), default=IncidentState.TRIGGERED, index=True)
    version: Mapped[int] = mapped_column(default=1)  # bumped by every conditional UPDATE
    # The short number responders text back ("回复 37 确认"); ``open_code`` is
    # "<township>:<code>" while the call is open (unique), NULL once closed.
    reply_code: Mapped[str] = mapped_column(String(4), default="")
    open_code: Mapped[str | None] = mapped_column(String(24), unique=True, index=True)
    is_drill: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(8))  # device | sms | drill
    call_plan_snapshot: Mapped[dict[str, Any]] = mapped_column("policy_snapshot", JSON)
    next_seq: Mapped[int] = mapped_column(default=0)  # next step of the flattened plan
    next_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    trigger_count: Mapped[int] = mapped_column(default=1)
    triggered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_trigger_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str] = mapped_column(String(60), default="")
    acknowledged_digest: Mapped[str] = mapped_column(String(64), default="")  # who, by SMS
    # "lat,lon ±m" from the household's phone page, only when the person chose to send it.
    location_enc: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str] = mapped_column(String(60), default="")
    resolution_note: Mapped[str] = mapped_column(Text, default="")

    township: Mapped[Township] = relationship()
    household: Mapped[Household] = relationship()
    events: Mapped[list[IncidentEvent]] = relationship(order_by="IncidentEvent.id")
    attempts: Mapped[list[NotificationAttempt]] = relationship(
        order_by="NotificationAttempt.id", back_populates="incident"
    )


class IncidentEvent(db.Model):
    """The append-only log of one incident."""

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))  # trigger, send, status, reply, ack …
    detail: Mapped[str] = mapped_column(String(500), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class IncidentLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(IncidentEvent, "before_update")
@event.listens_for(IncidentEvent, "before_delete")
def _refuse_change(mapper, connection, target) -> None:  # noqa: ANN001
    # The database refuses too (triggers created by migration 0003); this makes the
    # ORM fail early with a clear message.
    raise IncidentLogIsAppendOnly("the incident log cannot be edited or deleted")


class TriggerLog(db.Model):
    """Every press, SMS and drill button, including duplicates merged into one incident."""

    __table_args__ = (UniqueConstraint("device_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    source: Mapped[str] = mapped_column(String(8))
    idempotency_key: Mapped[str | None] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(12))  # new | merged | test
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotificationAttempt(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    seq: Mapped[int | None]  # step of the plan; None for cancel notices
    # alert | final | cancel | notice | remind
    purpose: Mapped[str] = mapped_column(String(8), default="alert")
    responder_name: Mapped[str] = mapped_column(String(60), default="")
    channel: Mapped[str] = mapped_column(String(8))  # sms | voice
    address_enc: Mapped[str] = mapped_column(Text, default="")
    address_digest: Mapped[str] = mapped_column(String(64), default="", index=True)
    address_masked: Mapped[str] = mapped_column(String(24), default="")
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    sms_message_id: Mapped[int | None] = mapped_column(ForeignKey("sms_message.id"))
    error: Mapped[str] = mapped_column(String(300), default="")
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    incident: Mapped[Incident] = relationship(back_populates="attempts")
    sms: Mapped[SmsMessage | None] = relationship()


class DeviceTask(db.Model):
    """A missed device test, for the cadre covering the household's village."""

    __table_args__ = (UniqueConstraint("device_id", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"), index=True)
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadre.id"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(200), default="")

    device: Mapped[Device] = relationship()
    cadre: Mapped[Cadre | None] = relationship()


class CapSource(db.Model):
    """A URL polled for CAP 1.2 alerts, and which areas count as this channel's."""

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    area_names: Mapped[str] = mapped_column(String(300), default="")  # comma separated
    geocodes: Mapped[str] = mapped_column(String(300), default="")  # comma separated
    interval_seconds: Mapped[int] = mapped_column(default=60)
    enabled: Mapped[bool] = mapped_column(default=True)
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(300), default="")


class CapMessage(db.Model):
    __table_args__ = (UniqueConstraint("township_id", "sender", "identifier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    sender: Mapped[str] = mapped_column(String(200))
    identifier: Mapped[str] = mapped_column(String(200))
    sent: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12))
    msg_type: Mapped[str] = mapped_column(String(8))
    references: Mapped[str] = mapped_column(Text, default="")
    content_item_id: Mapped[int | None] = mapped_column(ForeignKey("content_item.id"))
    outcome: Mapped[str] = mapped_column(String(16))  # aired, updated, cancelled, ignored …
    detail: Mapped[str] = mapped_column(String(300), default="")
    raw: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

