"""Encrypt, decrypt and digest with the app's keys (``ENCRYPTION_KEY``, ``DIGEST_KEY``).

``ENCRYPTION_KEY`` lists Fernet keys newest first: the newest encrypts, any of them
decrypts (MultiFernet), so a rotation can re-encrypt row by row while every process keeps
reading. Digests are HMAC-SHA256 under the separate digest key (see publisher.vault.keys).
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

from publisher.vault.keys import KeyRing, split_keys


class CryptoError(RuntimeError):
    pass


def ring() -> KeyRing:
    """The app's keys."""
    keys = split_keys(current_app.config.get("ENCRYPTION_KEY") or "")
    if not keys:
        raise CryptoError("ENCRYPTION_KEY is not configured")
    return KeyRing(keys, current_app.config.get("DIGEST_KEY") or "")


@lru_cache(maxsize=8)
def _multi(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as exc:  # not 32 url-safe base64-encoded bytes
        raise CryptoError("ENCRYPTION_KEY is not a valid Fernet key") from exc


@lru_cache(maxsize=8)
def _mac_key(keys: tuple[str, ...], digest_key: str) -> bytes:
    try:
        return KeyRing(keys, digest_key).mac_key()
    except ValueError as exc:
        raise CryptoError("DIGEST_KEY is not 64 hex digits") from exc


def fernet() -> MultiFernet:
    return _multi(ring().fernet_keys)


def encrypt(plain: str) -> str:
    """Ciphertext for ``plain`` ('' stays '' so empty fields need no key)."""
    return fernet().encrypt(plain.encode()).decode() if plain else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise CryptoError("cannot decrypt: wrong ENCRYPTION_KEY or damaged data") from exc


def reencrypt(token: str) -> str:
    """``token`` under the newest key (unchanged if already; '' stays '')."""
    if not token:
        return ""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise CryptoError("cannot decrypt: wrong ENCRYPTION_KEY or damaged data") from exc


def digest_text(value: str, purpose: str = "") -> str:
    """Keyed hash of ``value`` ('' for ''). ``purpose`` separates digests of different
    things (a gateway reference is not a phone number); '' is the phone-number index."""
    if not value:
        return ""
    r = ring()
    data = (f"{purpose}:" if purpose else "").encode() + value.encode()
    return hmac.new(_mac_key(r.fernet_keys, r.digest_key), data, hashlib.sha256).hexdigest()
