"""The error type services raise for anything a user did wrong (shown to them as is)."""


class ServiceError(Exception):
    """A refused operation; ``str(exc)`` is a message fit for the user (Chinese)."""


class NotAllowed(ServiceError):
    """The user may not do this (wrong role or another township's data)."""
