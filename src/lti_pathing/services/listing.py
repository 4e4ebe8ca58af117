"""Search, filter and paginate helpers for list pages and API lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from lti_pathing.columns import INT_MAX
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
        if not 1 <= self.page <= INT_MAX:
            raise Invalid("bad page", {"page": [f"must be from 1 to {INT_MAX}"]})
        if not 1 <= self.per_page <= 1000:
            raise Invalid("bad page size", {"per_page": ["must be from 1 to 1000"]})


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
        text = query.search
        stmt = stmt.where(or_(*(contains_text(getattr(model, c), text) for c in text_columns)))
    if query.active is not None:
        stmt = stmt.where(model.active.is_(query.active))
    return stmt


def contains_text(column: Any, text: str) -> ColumnElement[bool]:
    """Case-insensitive substring match in which `%` and `_` are plain characters, not wildcards."""
    return func.lower(column).contains(text.lower(), autoescape=True)


def paginate(session: Session, stmt: Select[T], query: ListQuery) -> Page[T]:
    """Run `stmt` (already ordered) for one page, with the total count."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    offset = (query.page - 1) * query.per_page
    items = list(session.scalars(stmt.limit(query.per_page).offset(offset)))
    return Page(items, total, query.page, query.per_page)
