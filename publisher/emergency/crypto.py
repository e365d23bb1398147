"""Personal data at rest: Fernet encryption, keyed digests for look-ups, masking for display.

ID numbers, phone numbers, names, addresses and medical notes are stored encrypted with the
keys in ``ENCRYPTION_KEY`` (newest first; see publisher.vault). A phone number also gets a
keyed digest (HMAC under the separate digest key) so an incoming SMS can be matched to a
household or responder without decrypting every row.
"""

from __future__ import annotations

from publisher.sms.numbers import mask_phone, normalize_number
from publisher.sms.numbers import number_digest as digest
from publisher.vault.cipher import CryptoError, decrypt, encrypt, reencrypt

__all__ = ["CryptoError", "decrypt", "digest", "encrypt", "mask_id_number", "mask_phone",
           "mask_text", "normalize_number", "reencrypt"]


def mask_id_number(value: str) -> str:
    """110101********1234."""
    value = value.strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_text(value: str) -> str:
    return "******" if value else ""
