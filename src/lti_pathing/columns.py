"""The model base and column types: SQLAlchemy only, no Flask, so models and services load in a
plain script (db.py adds the per-request session on top)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from sqlalchemy import Boolean, DateTime, Dialect, MetaData, Numeric, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.sql.expression import true

# Constraint names are fixed so that migrations (and SQLite batch mode) can address them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC (the default clock of services)."""
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Stores UTC instants; returns aware datetimes, also on SQLite (which drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime; use an aware UTC datetime")
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


# The range of PostgreSQL's INTEGER, the type of every id, version, level and count column.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1

# Reusable column types (SQLAlchemy 2.0 `Annotated` style).
intpk = Annotated[int, mapped_column(primary_key=True)]
ExternalId = Annotated[str, mapped_column(String(64))]
Name = Annotated[str, mapped_column(String(200))]
Description = Annotated[str | None, mapped_column(Text)]
ShortText = Annotated[str, mapped_column(String(255))]
Timestamp = Annotated[dt.datetime, mapped_column(UtcDateTime)]
Hours = Annotated[Decimal, mapped_column(Numeric(6, 2))]
Money = Annotated[Decimal, mapped_column(Numeric(12, 2))]
Flag = Annotated[bool, mapped_column(Boolean, default=True, server_default=true())]


class Base(DeclarativeBase):
    """Root of every model; shared metadata with the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
