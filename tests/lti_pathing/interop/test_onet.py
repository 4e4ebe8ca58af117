"""O*NET database text files in: occupations become roles with weighted required levels."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.interop.formats import detect
from lti_pathing.models import JobFamily, Role, Skill, Tenant
from lti_pathing.services.transfer.importer import ImportRejected
from tests.lti_pathing.interop.conftest import FIXTURES, count, skills_of

FILES = ("Occupation Data.txt", "Skills.txt", "Knowledge.txt")


def onet_zip(**replace: bytes) -> bytes:
    """The recorded O*NET slice as a ZIP in the database's own folder, files replaced by name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in FILES:
            data = replace.get(name, (FIXTURES / "onet" / name).read_bytes())
            archive.writestr(f"db_19_0_text/{name}", data)
    return buffer.getvalue()


def roles_of(session: Session, tenant: Tenant) -> dict[str, Role]:
    stmt = select(Role).where(Role.tenant_id == tenant.id)
    return {role.title: role for role in session.scalars(stmt)}


def test_an_onet_slice_becomes_roles_with_weighted_required_levels(
    import_file: Callable[..., Any], session: Session, tenant: Tenant
) -> None:
    data = onet_zip()
    assert detect(data) == "onet-text"
    report = import_file("onet.zip", data)
    assert report.lines() == [
        "skill_categories: 2 created, 0 updated, 0 unchanged",
        "skills: 6 created, 0 updated, 0 unchanged",
        "job_families: 1 created, 0 updated, 0 unchanged",
        "roles: 6 created, 0 updated, 0 unchanged",
    ]
    ceo = roles_of(session, tenant)["Chief Executives"]
    assert (ceo.source, ceo.source_id, ceo.external_id) == ("onet", "11-1011.00", "11-1011.00")
    assert ceo.family.name == "Management Occupations" and ceo.track.value == "management"
    # Importance >= 3 only; the level rounded (4.75 -> 5, 6.23 -> 6), weighted by importance.
    assert sorted((rs.skill.name, rs.level, rs.weight) for rs in ceo.skills) == [
        ("Active Listening", 5, Decimal("4.12")),
        ("Administration and Management", 6, Decimal("4.75")),
        ("Reading Comprehension", 5, Decimal("4.12")),
        ("Writing", 4, Decimal("4.00")),
    ]
    clerical = skills_of(session, tenant)["Clerical"]  # importance 2.66: no role requires it
    assert clerical.category is not None and clerical.category.name == "O*NET Knowledge"
    assert [lv.name for lv in clerical.levels][::3] == ["O*NET level 1", "O*NET level 4",
                                                          "O*NET level 7"]  # fmt: skip
    assert roles_of(session, tenant)["Legislators"].skills == []
    assert (
        "O*NET occupation 'Chief Executives' (11-1011.00) → role 'Chief Executives', requires: "
        "2.A.1.a at 5 (weight 4.12), 2.A.1.b at 5 (weight 4.12), 2.A.1.c at 4 (weight 4.00), "
        "2.C.1.a at 6 (weight 4.75)"
    ) in report.notes
    assert import_file("onet.zip", data).changed == 0


def test_onet_problems_are_listed_and_nothing_is_written(
    import_file: Callable[..., Any], session: Session, tenant: Tenant
) -> None:
    skills = (FIXTURES / "onet" / "Skills.txt").read_bytes()
    bad = skills.replace(
        b"11-1011.00\t2.A.1.c\tWriting\tIM\t4.00", b"99-0000.00\t2.A.1.c\tWriting\tIM\tx"
    )
    with pytest.raises(ImportRejected) as error:
        import_file("onet.zip", onet_zip(**{"Skills.txt": bad}), "onet-text")
    assert [str(p) for p in error.value.problems] == [
        "Skills.txt:6: Data Value: 'x' is not a number",
    ]
    no_skills = onet_zip(**{"Skills.txt": b"", "Knowledge.txt": b"O*NET-SOC Code\tTitle\n"})
    with pytest.raises(ImportRejected) as missing:
        import_file("onet.zip", no_skills, "onet-text")
    assert "Knowledge.txt:1: Element ID: required column is missing" in [
        str(p) for p in missing.value.problems
    ]
    assert count(session, Skill, tenant) == count(session, JobFamily, tenant) == 0
