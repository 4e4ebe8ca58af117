"""Mixins shared by the models: tenant ownership, optimistic locking, timestamps, enum columns."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from lti_pathing.columns import Timestamp, utcnow


def enum_type(cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: VARCHAR + CHECK holding the members' values (not names)."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


class TenantOwned:
    """Every row belongs to exactly one tenant; deleting the tenant deletes its rows."""

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)


class FromSource:
    """Where an imported item came from (a framework, a file kind) and its identifier there.

    Unique per tenant with `source` (each model's table arguments say so): importing a newer
    version of the same framework finds the item again by it, whatever its external id.
    """

    source: Mapped[str | None] = mapped_column(String(200))
    source_id: Mapped[str | None] = mapped_column(String(255))


class Timestamped:
    """When a row was created and last changed (UTC)."""

    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)


class Versioned:
    """Optimistic locking: every UPDATE checks and bumps `version` (a stale edit fails)."""

    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


def today() -> dt.date:
    """Today's date in UTC."""
    return utcnow().date()
