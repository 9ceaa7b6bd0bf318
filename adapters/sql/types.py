"""Column types that keep money, dates and times exact on both databases.

SQLite has no decimal, date or timestamp type: a column declared NUMERIC would turn ``155.50``
into a float. So on SQLite these types store text (canonical decimals, ISO dates, ISO UTC
timestamps) in TEXT columns, and on PostgreSQL they use NUMERIC, DATE and TIMESTAMPTZ.
Reading back always gives the same ``Decimal``, ``date`` and aware UTC ``datetime`` that was
written (see ``docs/adr/0002-exact-decimals-in-the-store.md``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, Dialect, Numeric, Text
from sqlalchemy.types import TypeDecorator, TypeEngine

from legsync.domain import canonical_decimal

__all__ = ["ExactDecimal", "IsoDate", "UtcTimestamp", "timestamp_text"]


def _is_sqlite(dialect: Dialect) -> bool:
    return dialect.name == "sqlite"


class ExactDecimal(TypeDecorator[Decimal]):
    """A ``Decimal`` stored exactly: canonical text on SQLite, NUMERIC on PostgreSQL.

    Canonical text (``450``, never ``450.000`` or ``4.5E+2``) makes equal values equal strings,
    so the unique index and the upsert's "did it change" test compare values, not spellings.
    """

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if _is_sqlite(dialect):
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Decimal | str | None:
        if value is None:
            return None
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError(f"expected a finite Decimal, got {value!r}")
        return canonical_decimal(value) if _is_sqlite(dialect) else value

    def process_result_value(self, value: object, dialect: Dialect) -> Decimal | None:
        return to_decimal(value)


def to_decimal(value: object) -> Decimal | None:
    """A stored decimal as a ``Decimal``: text on SQLite, already a Decimal on PostgreSQL."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, str | int):
        return Decimal(value)
    # A REAL written by another tool: its shortest repr is what that tool meant.
    return Decimal(repr(value))


class IsoDate(TypeDecorator[date]):
    """A ``date``: 'YYYY-MM-DD' text on SQLite, DATE on PostgreSQL."""

    impl = Date
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if _is_sqlite(dialect):
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(Date())

    def process_bind_param(self, value: date | None, dialect: Dialect) -> date | str | None:
        if value is None:
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ValueError(f"expected a date, got {value!r}")
        return value.isoformat() if _is_sqlite(dialect) else value

    def process_result_value(self, value: object, dialect: Dialect) -> date | None:
        return to_date(value)


def to_date(value: object) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    raise ValueError(f"not a stored date: {value!r}")


class UtcTimestamp(TypeDecorator[datetime]):
    """An aware UTC ``datetime``: ISO 8601 text on SQLite, TIMESTAMPTZ on PostgreSQL.

    The text is fixed-width (``2027-03-01T14:30:00.123456+00:00``), so on SQLite sorting the
    text sorts by time. Naive datetimes are refused on the way in: a naive time in a store
    shared by several machines means nothing. On the way out everything is converted to UTC;
    a naive text written by an older tool is read as UTC.
    """

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if _is_sqlite(dialect):
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | str | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.utcoffset() is None:
            raise ValueError(f"expected an aware datetime, got {value!r}")
        return timestamp_text(value) if _is_sqlite(dialect) else value.astimezone(UTC)

    def process_result_value(self, value: object, dialect: Dialect) -> datetime | None:
        return to_utc(value)


def timestamp_text(moment: datetime) -> str:
    """The fixed-width ISO UTC text SQLite stores for an aware datetime."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def to_utc(value: object) -> datetime | None:
    """A stored timestamp as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise ValueError(f"not a stored timestamp: {value!r}")
    if value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    if value.utcoffset() == timedelta(0) and value.tzinfo is UTC:
        return value
    return value.astimezone(UTC)
