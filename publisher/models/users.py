"""Staff accounts and their roles."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from publisher.extensions import db
from publisher.models.base import UTCDateTime, utcnow
from publisher.models.org import Township


class Role(StrEnum):
    ADMIN = "admin"  # county administrator when township_id is None, else township admin
    EDITOR = "editor"  # publicity officer
    REVIEWER = "reviewer"  # leader in charge
    CADRE = "cadre"


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default=Role.EDITOR)
    township_id: Mapped[int | None] = mapped_column(ForeignKey("township.id"), index=True)
    api_token_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    locale: Mapped[str] = mapped_column(String(8), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    township: Mapped[Township | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def is_county_admin(self) -> bool:
        return self.role == Role.ADMIN and self.township_id is None

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def issue_api_token(self) -> str:
        """Create a new API token; only its hash is stored, so show it once."""
        token = secrets.token_urlsafe(32)
        self.api_token_hash = hashlib.sha256(token.encode()).hexdigest()
        return token

    def can(self, *roles: Role) -> bool:
        return self.role == Role.ADMIN or self.role in roles
