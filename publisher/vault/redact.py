"""The one redaction of secrets and phone numbers in logs (see publisher.emergency.logredact,
which explains what is redacted where). Pure and free of the app's imports, so the SMS
modules and the gammu-smsd runner use it without loading the emergency package."""

from __future__ import annotations

import logging
import re
from typing import Any

_SECRET_PATH = re.compile(r"(/emergency/(?:trigger|ack)/)([A-Za-z0-9_.\-]{4})[A-Za-z0-9_.\-]+")
SHOWN = "…"
# Not inside a longer run of digits: a millisecond timestamp is not a phone number.
_PHONE = re.compile(
    r"(?<![0-9])(?:(?:\+?86|0086)[ -]?)?(1[3-9][0-9](?:[ -]?[0-9]){8})(?![0-9])"
    r"|(?<![0-9])(0[1-9][0-9]{1,2}-?[2-9][0-9]{6,7})(?![0-9])")


def _mask_digits(number: str) -> str:
    digits = re.sub(r"[^0-9]", "", number)
    return f"{digits[:3]}****{digits[-4:]}"


def redact(text: str) -> str:
    """``text`` with every token in an emergency path cut to its first four characters
    (enough to tell two devices apart in a log, useless for pressing) and every phone
    number masked (138****8000)."""
    text = _SECRET_PATH.sub(lambda m: f"{m.group(1)}{m.group(2)}{SHOWN}", text)
    return _PHONE.sub(lambda m: _mask_digits(m.group(1) or m.group(2)), text)


_installed: list[Any] = []


def install() -> None:
    """Redact every log record of this process as it is made (idempotent).

    The message is formatted and redacted at once (its arguments dropped), and an
    exception's traceback text is redacted too, so no handler can print the original."""
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string: leave it to the handler
            return record
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    logging.setLogRecordFactory(factory)
    _installed.append(factory)
