"""Helpers for the account tests (no tests here)."""

from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash


@pytest.fixture
def fast_hashing(monkeypatch):  # noqa: ANN001, ANN201
    """Passwords hashed with a cheap PBKDF2 instead of scrypt (0.1 s each): the tests are
    about who gets in, not about the hash; checking reads the method from the hash."""
    from publisher.auth import routes

    def fast(password: str) -> str:
        return generate_password_hash(password, "pbkdf2:sha256:1000")

    monkeypatch.setattr("publisher.models.users.generate_password_hash", fast)
    monkeypatch.setattr(routes, "_dummy_hash", [fast("not-a-password")])
