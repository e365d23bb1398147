"""What actually aired (the as-run log) and each channel's feed health."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from publisher.extensions import db
from publisher.models.base import UTCDateTime


class AsRunEntry(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"), index=True)
    aired_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_ms: Mapped[int]
    item_ref: Mapped[str] = mapped_column(String(40), index=True)  # e.g. policy:12
    version: Mapped[int]
    category: Mapped[str] = mapped_column(String(16), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    interrupt: Mapped[bool] = mapped_column(default=False)
    page_no: Mapped[int] = mapped_column(default=1)
    page_count: Mapped[int] = mapped_column(default=1)
    page_key: Mapped[str] = mapped_column(String(64))
