"""Personal data at rest: Fernet encryption, keyed digests for look-ups, masking for display.

ID numbers, phone numbers and medical notes are stored encrypted with the key in
``ENCRYPTION_KEY``. A phone number also gets a keyed digest (HMAC) so an incoming SMS
can be matched to a household or responder without decrypting every row.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

from publisher.sms.numbers import normalize_number


class CryptoError(RuntimeError):
    pass


def _key() -> bytes:
    key = current_app.config.get("ENCRYPTION_KEY") or ""
    if not key:
        raise CryptoError("ENCRYPTION_KEY is not configured")
    return key.encode()


def _fernet() -> Fernet:
    try:
        return Fernet(_key())
    except ValueError as exc:  # not 32 url-safe base64-encoded bytes
        raise CryptoError("ENCRYPTION_KEY is not a valid Fernet key") from exc


def encrypt(plain: str) -> str:
    """Ciphertext for ``plain`` ('' stays '' so empty fields need no key)."""
    return _fernet().encrypt(plain.encode()).decode() if plain else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise CryptoError("cannot decrypt: wrong ENCRYPTION_KEY or damaged data") from exc


def digest(number: str) -> str:
    """Keyed hash of a normalised number ('' for no number)."""
    norm = normalize_number(number)
    if not norm:
        return ""
    mac_key = hashlib.sha256(b"villagecast-phone-index:" + _key()).digest()
    return hmac.new(mac_key, norm.encode(), hashlib.sha256).hexdigest()


def mask_phone(number: str) -> str:
    """138****8000: enough to recognise a number, not to dial it."""
    norm = normalize_number(number)
    if len(norm) <= 4:
        return "*" * len(norm)
    if len(norm) < 8:
        return norm[:1] + "*" * (len(norm) - 3) + norm[-2:]
    return norm[:3] + "*" * (len(norm) - 7) + norm[-4:]


def mask_id_number(value: str) -> str:
    """110101********1234."""
    value = value.strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_text(value: str) -> str:
    return "******" if value else ""
