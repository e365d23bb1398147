"""Phone numbers as the network writes them, reduced to one comparable form."""

from __future__ import annotations

import re
import unicodedata

from publisher.vault.cipher import digest_text

_DIGITS = re.compile(r"\d+")


def normalize_number(raw: str) -> str:
    """Digits only; the +86 / 0086 / 86 prefix of a mainland mobile is dropped.

    >>> normalize_number("+86 138-0013-8000")
    '13800138000'
    """
    text = unicodedata.normalize("NFKC", raw or "").strip()
    plus = text.startswith("+")
    digits = "".join(_DIGITS.findall(text))
    for prefix in ("0086", "86"):
        rest = digits[len(prefix):]
        if digits.startswith(prefix) and len(rest) == 11 and rest.startswith("1") and (
            plus or prefix == "0086" or len(digits) == 13
        ):
            return rest
    return ("+" if plus else "") + digits


def number_digest(number: str) -> str:
    """Keyed hash of a normalised number ('' for no number): how a household's or a
    responder's phone is looked up without decrypting every row."""
    return digest_text(normalize_number(number))


def mask_phone(number: str) -> str:
    """138****8000: enough to recognise a number, not to dial it (every page that shows a
    resident's, a household's or a responder's phone)."""
    norm = normalize_number(number)
    if len(norm) <= 4:
        return "*" * len(norm)
    if len(norm) < 8:
        return norm[:1] + "*" * (len(norm) - 3) + norm[-2:]
    return norm[:3] + "*" * (len(norm) - 7) + norm[-4:]


def is_service_number(number: str) -> bool:
    """Operator and service numbers (10086, 95588 …): never sent automatic replies."""
    digits = number.lstrip("+")
    return len(digits) < 7 or digits.startswith(("100", "95", "96", "12"))
