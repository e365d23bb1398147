"""Column and id helpers shared by the models and the views. All instants are stored in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, TypeDecorator

from publisher import clock

# Integer primary keys are signed 64-bit (SQLite's INTEGER, PostgreSQL's bigint): a larger
# number given to a query makes the driver raise OverflowError instead of finding nothing.
MAX_ROW_ID = 2**63 - 1


def utcnow() -> datetime:
    """Now (aware UTC) from the app's clock (publisher.clock): column defaults and call
    sites read it here, so a test's fake clock moves them all."""
    return clock.now()


def row_id(value: object) -> int | None:
    """``value`` (a query or form parameter) as an integer to look a row up by; None when it
    is no integer, or one too large for any row (it would overflow the database driver).

    Works as Werkzeug's ``request.args.get(name, type=row_id)``.
    """
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return number if -MAX_ROW_ID <= number <= MAX_ROW_ID else None


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and always handed back timezone-aware.

    SQLite keeps no zone, so without this a value read back would be naive and
    compare wrongly with aware datetimes elsewhere in the code.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # noqa: ANN001
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):  # noqa: ANN001
        if value is None:
            return None
        return value.replace(tzinfo=UTC)
