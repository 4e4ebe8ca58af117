"""Search, filter and paginate helpers for list pages and API lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from lti_pathing.errors import Invalid

T = TypeVar("T")


@dataclass(frozen=True)
class ListQuery:
    """What a list page asks for: a text search, an active filter, a page."""

    search: str | None = None
    active: bool | None = None
    page: int = 1
    per_page: int = 25

    def __post_init__(self) -> None:
        if self.page < 1 or not 1 <= self.per_page <= 1000:
            raise Invalid("bad page", {"page": ["page >= 1 and 1 <= per_page <= 1000"]})


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and how many there are in all."""

    items: Sequence[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.per_page))


def filtered(
    stmt: Select[Any], model: Any, query: ListQuery, text_columns: Sequence[str]
) -> Select[Any]:
    """Apply the search (case-insensitive substring on `text_columns`) and the active filter."""
    if query.search:
        pattern = f"%{query.search.lower()}%"
        stmt = stmt.where(or_(*(func.lower(getattr(model, c)).like(pattern) for c in text_columns)))
    if query.active is not None:
        stmt = stmt.where(model.active.is_(query.active))
    return stmt


def paginate(session: Session, stmt: Select[T], query: ListQuery) -> Page[T]:
    """Run `stmt` (already ordered) for one page, with the total count."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    offset = (query.page - 1) * query.per_page
    items = list(session.scalars(stmt.limit(query.per_page).offset(offset)))
    return Page(items, total, query.page, query.per_page)
