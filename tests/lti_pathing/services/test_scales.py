"""A skill's level in words: the number with its name, what it means, level 0 below every scale."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from lti_pathing.models import Tenant
from lti_pathing.services.scales import NONE_NAME, LevelMeaning, Scale, ScaleService

PYTHON = Scale(1, "python", "Python", (
    LevelMeaning(1, "Awareness", "Reads a short script."),
    LevelMeaning(2, "Working", None),
    LevelMeaning(3, "Practitioner", "Builds tested modules."),
))  # fmt: skip


def test_a_level_reads_with_its_name_and_zero_is_none_yet() -> None:
    assert PYTHON.top == 3
    assert PYTHON.label(3) == "3 Practitioner"
    assert PYTHON.phrase(2) == "level 2 (Working)"
    assert PYTHON.label(0) == f"0 {NONE_NAME}"
    assert [m.level for m in PYTHON.choices] == [0, 1, 2, 3]  # what a self-assessment offers
    assert PYTHON.at(7).name == "Practitioner"  # above the top: the top (levels are capped)


def test_the_service_reads_each_skills_own_scale(
    session: Session, tenant: Tenant, make_skill: Callable[..., Any]
) -> None:
    sql = make_skill(tenant, "sql", levels=2)
    go = make_skill(tenant, "go", levels=5)
    scales = ScaleService(session, tenant).scales()
    assert (scales[sql.id].top, scales[go.id].top) == (2, 5)
    assert scales[go.id].label(4) == "4 Level 4"
    assert set(ScaleService(session, tenant).by_external_ids(["go", "nope"])) == {"go"}
