"""The error types services raise for anything a user did wrong (shown to them as is)."""


class ServiceError(Exception):
    """A refused operation; ``str(exc)`` is a message fit for the user (Chinese)."""


class NotAllowed(ServiceError):
    """The user may not do this (wrong role or another township's data)."""


class Conflict(ServiceError):
    """Someone else changed the record since the user loaded it (HTTP 409)."""


class FieldError(ServiceError):
    """Invalid input for one field; ``field`` is the input's name (for forms and imports)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
