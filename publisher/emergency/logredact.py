"""Secrets and phone numbers out of every log we write.

``redact`` is the one redaction: every logger of ours (``install``: a log-record factory,
so whatever handler or format a process configures sees only redacted records, gunicorn's
included), gunicorn's access log (``RedactingLogger``) and gammu-smsd's own log (piped
through ``redact`` by publisher.sms.smsd) use it.

Phone numbers (a mainland mobile, with or without +86/0086, or a landline with its area
code) keep their first three and last four digits: enough to tell two apart in a log,
useless for calling. A device's trigger URL (``/emergency/trigger/<token>``) and a responder's acknowledgement
link (``/emergency/ack/<token>``) carry their secret in the path, where gunicorn's access log
(and the Referer of the ack page's own form) would keep it in plain text; the household's
phone page keeps its token out of URLs altogether (fragment + header). Enabled by the
Procfile's ``--logger-class``.
"""

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


try:  # gunicorn is the production server; the tests and `flask run` may go without it
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = object  # type: ignore[assignment,misc]


class RedactingLogger(_GunicornLogger):  # type: ignore[misc,valid-type]
    """gunicorn's logger with the access-log atoms passed through ``redact``."""

    def atoms(self, resp, req, environ, request_time) -> dict[str, Any]:  # noqa: ANN001
        values = super().atoms(resp, req, environ, request_time)
        return {k: redact(v) if isinstance(v, str) else v for k, v in values.items()}
