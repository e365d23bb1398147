"""Secrets out of the request logs this process writes itself: the development server's
access log (werkzeug: ``flask run`` and the test servers) and gunicorn's, which also has
its own logger class (``publisher.emergency.logredact.RedactingLogger``, in the Procfile).
Our own modules never log a token or a path that carries one."""

from __future__ import annotations

import logging
from collections.abc import Callable

# Loggers that print request lines (a logger's filters apply to its own records only).
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


class RedactingFilter(logging.Filter):
    """Rewrites each record's message through ``redact`` before any handler sees it."""

    def __init__(self, redact: Callable[[str], str]) -> None:
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def install(redact: Callable[[str], str]) -> None:
    """Redact every record of the request loggers (once per process, however many apps)."""
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter(redact))
