"""Reviewed content: an item keeps every version; one approved version is on air.

Editing approved content creates a new version that goes to review while the
approved one stays on air, so the data of each kind lives in ``ContentVersion.data``
(the same JSON shape the renderer and the API use) rather than in typed columns.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow
from publisher.models.org import Township
from publisher.models.users import User
from renderer.kinds import stored_kinds

# The kinds stored as content items (Kind.POLICY == "policy" …): the reviewed kinds and
# public alerts, as declared in renderer.kinds; a new declaration is a new member.
Kind = StrEnum("Kind", [(d.name.upper(), d.name) for d in stored_kinds()])


class VersionState(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # an approved version replaced by a newer approved one


class RenderState(StrEnum):
    NONE = "none"
    QUEUED = "queued"
    READY = "ready"
    FAILED = "failed"


class ContentItem(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    live_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_version.id", use_alter=True)
    )
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # An exercise/test alert is never aired as real (see the emergency issue).
    is_exercise: Mapped[bool] = mapped_column(default=False)
    # Read aloud on air (when the channel narrates); public alerts are always read.
    narration: Mapped[bool] = mapped_column(default=True)

    township: Mapped[Township] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    versions: Mapped[list[ContentVersion]] = relationship(
        back_populates="item",
        foreign_keys="ContentVersion.item_id",
        order_by="ContentVersion.number",
    )
    live_version: Mapped[ContentVersion | None] = relationship(
        foreign_keys=[live_version_id], post_update=True
    )

    @property
    def latest(self) -> ContentVersion:
        return self.versions[-1]

    @property
    def ref(self) -> str:
        """Stable identifier across versions, as used in plans and the as-run log."""
        return f"{self.kind}:{self.id}"


class ContentVersion(db.Model):
    __table_args__ = (UniqueConstraint("item_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_item.id"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Higher airs first within its category (see services.content.PRIORITIES). A version
    # field, so raising an item to 置顶 goes through review like any other change.
    priority: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(16), default=VersionState.DRAFT, index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str] = mapped_column(Text, default="")
    render_state: Mapped[str] = mapped_column(String(16), default=RenderState.NONE, index=True)
    render_error: Mapped[str] = mapped_column(Text, default="")
    # Per channel slug, the PlannedPage dicts once rendered and encoded for that channel.
    pages: Mapped[dict[str, list[dict[str, Any]]]] = mapped_column(JSON, default=dict)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[ContentItem] = relationship(back_populates="versions", foreign_keys=[item_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
