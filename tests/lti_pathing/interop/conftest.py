"""Helpers of the interop tests: Moodle's and Canvas's own files, and importing one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_pathing.interop.formats import read_any
from lti_pathing.models import Skill, SkillCategory, Tenant
from lti_pathing.services.transfer.apply import ImportReport
from lti_pathing.services.transfer.importer import ImportService
from lti_pathing.services.transfer.reader import Document

FIXTURES = Path(__file__).parents[2] / "fixtures" / "interop"


def fixture_bytes(name: str) -> bytes:
    """A recorded published file (see tests/fixtures/interop/README.md)."""
    return (FIXTURES / name).read_bytes()


def no_native() -> Document:
    raise AssertionError("read as the native format")


@pytest.fixture
def import_file(session: Session, tenant: Tenant) -> Callable[..., ImportReport]:
    """`import_file(name, data, fmt="auto", dry_run=False)` into the acting tenant."""

    def run(name: str, data: bytes, fmt: str = "auto", dry_run: bool = False) -> ImportReport:
        doc = read_any(name, data, fmt, no_native)
        return ImportService(session, tenant).import_document(doc, dry_run=dry_run)

    return run


def skills_of(session: Session, tenant: Tenant) -> dict[str, Skill]:
    """The tenant's skills by name."""
    stmt = select(Skill).where(Skill.tenant_id == tenant.id)
    return {skill.name: skill for skill in session.scalars(stmt)}


def count(session: Session, model: Any, tenant: Tenant) -> int:
    stmt = select(func.count()).select_from(model).where(model.tenant_id == tenant.id)
    return session.scalar(stmt) or 0


def categories_of(session: Session, tenant: Tenant) -> dict[str, SkillCategory]:
    """The tenant's categories by name."""
    stmt = select(SkillCategory).where(SkillCategory.tenant_id == tenant.id)
    return {category.name: category for category in session.scalars(stmt)}
