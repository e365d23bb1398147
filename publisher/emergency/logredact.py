"""Secrets and phone numbers out of every log we write.

``redact`` is the one redaction: every logger of ours (``install``: a log-record factory,
so whatever handler or format a process configures sees only redacted records, gunicorn's
included), gunicorn's access log (``RedactingLogger``) and gammu-smsd's own log (piped
through ``redact`` by publisher.sms.smsd) use it.

Phone numbers (a mainland mobile, with or without +86/0086, or a landline with its area
code) keep their first three and last four digits: enough to tell two apart in a log,
useless for calling.

A device's trigger URL (``/emergency/trigger/<token>``) and a responder's acknowledgement
link (``/emergency/ack/<token>``) carry their secret in the path, where gunicorn's access log
(and the Referer of the ack page's own form) would keep it in plain text; the household's
phone page keeps its token out of URLs altogether (fragment + header). Enabled by the
Procfile's ``--logger-class``.
"""

from __future__ import annotations

from typing import Any

from publisher.vault.redact import install, redact

__all__ = ["RedactingLogger", "install", "redact"]


try:  # gunicorn is the production server; the tests and `flask run` may go without it
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = object  # type: ignore[assignment,misc]


class RedactingLogger(_GunicornLogger):  # type: ignore[misc,valid-type]
    """gunicorn's logger with the access-log atoms passed through ``redact``."""

    def atoms(self, resp, req, environ, request_time) -> dict[str, Any]:  # noqa: ANN001
        values = super().atoms(resp, req, environ, request_time)
        return {k: redact(v) if isinstance(v, str) else v for k, v in values.items()}
