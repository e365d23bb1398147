"""Secrets out of the web server's access log.

A device's trigger URL (``/emergency/trigger/<token>``) and a responder's acknowledgement
link (``/emergency/ack/<token>``) carry their secret in the path, where gunicorn's access log
(and the Referer of the ack page's own form) would keep it in plain text; the household's
phone page keeps its token out of URLs altogether (fragment + header). Enabled by the
Procfile's ``--logger-class``.
"""

from __future__ import annotations

import re
from typing import Any

_SECRET_PATH = re.compile(r"(/emergency/(?:trigger|ack)/)([A-Za-z0-9_.\-]{4})[A-Za-z0-9_.\-]+")
SHOWN = "…"


def redact(text: str) -> str:
    """``text`` with every token in an emergency path cut to its first four characters
    (enough to tell two devices apart in a log, useless for pressing)."""
    return _SECRET_PATH.sub(lambda m: f"{m.group(1)}{m.group(2)}{SHOWN}", text)


try:  # gunicorn is the production server; the tests and `flask run` may go without it
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = object  # type: ignore[assignment,misc]


class RedactingLogger(_GunicornLogger):  # type: ignore[misc,valid-type]
    """gunicorn's logger with the access-log atoms passed through ``redact``."""

    def atoms(self, resp, req, environ, request_time) -> dict[str, Any]:  # noqa: ANN001
        values = super().atoms(resp, req, environ, request_time)
        return {k: redact(v) if isinstance(v, str) else v for k, v in values.items()}
