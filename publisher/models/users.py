"""Staff accounts and their roles, and the failed logins that throttle them."""

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


def _new_session_key() -> str:
    return secrets.token_hex(16)


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
    # Part of every session and remember-me cookie (``get_id``): a new key ends every session
    # the account has anywhere (logout, password change or reset, deactivation).
    session_key: Mapped[str] = mapped_column(String(32), default=_new_session_key)
    # Set when someone else chose the password (an administrator's reset or a new account):
    # the account can do nothing but choose its own until it has.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The seeded demo password, known to everyone; cleared by any new password.
    demo_password: Mapped[bool] = mapped_column(default=False)

    township: Mapped[Township | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def is_county_admin(self) -> bool:
        return self.role == Role.ADMIN and self.township_id is None

    def get_id(self) -> str:
        """What the session and the remember-me cookie carry: the id and the session key."""
        return f"{self.id}.{self.session_key}"

    def revoke_sessions(self) -> None:
        """End every session and remember-me cookie of this account, wherever it is."""
        self.session_key = _new_session_key()

    def set_password(self, password: str, *, must_change: bool = False) -> None:
        """A new password; ``must_change`` when someone else chose it. Ends all sessions."""
        self.password_hash = generate_password_hash(password)
        self.must_change_password = must_change
        self.demo_password = False
        self.password_changed_at = utcnow()
        self.revoke_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def issue_api_token(self) -> str:
        """Create a new API token; only its hash is stored, so show it once."""
        token = secrets.token_urlsafe(32)
        self.api_token_hash = hashlib.sha256(token.encode()).hexdigest()
        return token

    def can(self, *roles: Role) -> bool:
        return self.role == Role.ADMIN or self.role in roles


class LoginFailure(db.Model):
    """One refused login, kept for the throttling window (``publisher.auth.throttle``).

    In the database, not in a worker's memory, so every gunicorn worker counts the same
    failures and a restart forgets none. The username is stored as typed (no password).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), default="", index=True)
