"""Cadres, the villages they cover, and their daily whereabouts reports."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow
from publisher.models.org import Township, Village
from publisher.models.users import User

cadre_village = Table(
    "cadre_village",
    db.metadata,
    Column("cadre_id", ForeignKey("cadre.id"), primary_key=True),
    Column("village_id", ForeignKey("village.id"), primary_key=True),
)

# Statuses a cadre can report; the renderer colours the board by these.
WHEREABOUTS_STATUSES = ("在村走访", "乡机关值班", "外出开会", "出差", "请假", "其他")


class Cadre(db.Model):
    __table_args__ = (UniqueConstraint("township_id", "name", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    name: Mapped[str] = mapped_column(String(40))
    post: Mapped[str] = mapped_column(String(80), default="")  # e.g. 党委副书记
    responsibilities: Mapped[str] = mapped_column(Text, default="")  # 分管工作
    phone: Mapped[str] = mapped_column(String(20), default="", index=True)  # mobile, for SMS
    office_phone: Mapped[str] = mapped_column(String(20), default="")
    photo_path: Mapped[str] = mapped_column(String(255), default="")
    sort_order: Mapped[int] = mapped_column(default=100)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    township: Mapped[Township] = relationship()
    user: Mapped[User | None] = relationship()
    villages: Mapped[list[Village]] = relationship(secondary=cadre_village)


class Whereabouts(db.Model):
    """One cadre's report for one day (the latest report of the day wins on air)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)  # in the township's time zone
    status: Mapped[str] = mapped_column(String(16))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"))
    place: Mapped[str] = mapped_column(String(80), default="")  # free text when no village
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    activity: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(8), default="web")  # web | sms | staff | api
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The phone's location at the moment of a web check-in, if the cadre chose to attach it
    # (never tracked otherwise), and its distance from the chosen village's coordinates.
    location_lat: Mapped[float | None] = mapped_column()
    location_lon: Mapped[float | None] = mapped_column()
    location_accuracy_m: Mapped[float | None] = mapped_column()
    location_distance_m: Mapped[float | None] = mapped_column()

    cadre: Mapped[Cadre] = relationship()
    village: Mapped[Village | None] = relationship()
    reported_by: Mapped[User | None] = relationship()


class RosterRelease(db.Model):
    """One version of the 干部分工 slide's content, made from the cadre table when it changed,
    aired once approved (or at once where the township publishes roster changes directly).
    Like a content version: pending → approved (then superseded by the next) or rejected."""

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # the roster item JSON (renderer shape)
    state: Mapped[str] = mapped_column(String(16), index=True)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")

    township: Mapped[Township] = relationship()
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
