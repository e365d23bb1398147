"""Townships, their villages and their channels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from playlists.timezones import DEFAULT_TIMEZONE
from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow


class Township(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    county: Mapped[str] = mapped_column(String(80), default="")
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    # Whether an author may approve their own content (small offices have one officer).
    self_approval: Mapped[bool] = mapped_column(default=False)
    # Cadres who have not reported their whereabouts by this hour are flagged.
    checkin_deadline_hour: Mapped[int] = mapped_column(default=9)
    duty_phone: Mapped[str] = mapped_column(String(40), default="")
    # Whether changes to cadres reach the 干部分工 slide only once reviewed (the default), or
    # at once (a township that prefers direct publishing).
    roster_review: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    villages: Mapped[list[Village]] = relationship(
        back_populates="township", order_by="Village.name"
    )
    channels: Mapped[list[Channel]] = relationship(back_populates="township")


class Village(db.Model):
    __table_args__ = (UniqueConstraint("township_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16), default="村")  # 村 or 社区
    # Where the village committee is (WGS-84 degrees, as phones report): check-ins with a
    # location are shown against it (在村 / 不在村). Unset: no verdict.
    lat: Mapped[float | None] = mapped_column()
    lon: Mapped[float | None] = mapped_column()

    township: Mapped[Township] = relationship(back_populates="villages")


class Channel(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)  # used in stream URLs
    name: Mapped[str] = mapped_column(String(80))
    group: Mapped[str] = mapped_column(String(80), default="乡村频道")
    profile: Mapped[str] = mapped_column(String(20), default="720p")
    primary_colour: Mapped[str] = mapped_column(String(9), default="#0B3D5C")
    accent_colour: Mapped[str] = mapped_column(String(9), default="#F2C14E")
    logo_path: Mapped[str] = mapped_column(String(255), default="")
    udp_url: Mapped[str] = mapped_column(String(120), default="")
    # The UDP output for the cable head-end: paused without losing the address, the
    # constant mux rate (0: the profile's default, 2 Mbit/s for still slides up to 720p)
    # and the provider name its SDT carries (empty: the township's name).
    udp_paused: Mapped[bool] = mapped_column(default=False)
    udp_muxrate_kbps: Mapped[int] = mapped_column(default=0)
    udp_provider: Mapped[str] = mapped_column(String(80), default="")
    # Slow reading pace for elderly viewers, in Chinese characters per second.
    reading_pace: Mapped[float] = mapped_column(default=3.0)
    # Pages read aloud in Mandarin over the music bed (public alerts are always read).
    narration: Mapped[bool] = mapped_column(default=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    # The zone of channel time (dayparts, the guide, the date on slides); empty: the
    # township's. A county head-end may carry a township's channel in another zone.
    timezone: Mapped[str] = mapped_column(String(64), default="")
    # Airtime share and dayparts per content category, as ``services.schedule`` stores
    # them; None: the default schedule.
    schedule: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    township: Mapped[Township] = relationship(back_populates="channels")

    @property
    def sdt_provider(self) -> str:
        """The provider name the UDP output's SDT carries."""
        return self.udp_provider or self.township.name

    @property
    def effective_timezone(self) -> str:
        """The zone channel time is in: the channel's own, else its township's."""
        return self.timezone or self.township.timezone or DEFAULT_TIMEZONE
