"""A skill's level in words: the number with its name, what it means, level 0 below every scale."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from lti_pathing.models import Tenant
from lti_pathing.services.scales import NONE_NAME, LevelMeaning, Scale, ScaleService
from lti_pathing.services.skills import LevelSpec, SkillService
from lti_pathing.services.transfer.export import ExportService
from lti_pathing.services.transfer.importer import ImportService
from lti_pathing.services.transfer.reader import read_json

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


def test_an_edited_descriptor_survives_export_and_import_into_another_tenant(
    session: Session, make_tenant: Callable[..., Tenant], make_skill: Callable[..., Any]
) -> None:
    source, copy = make_tenant("source"), make_tenant("copy")
    category = SkillService(session, source).create_category(
        {"external_id": "data", "name": "Data"}
    )
    skill = make_skill(source, "sql", levels=3, category_id=category.id)
    levels = [LevelSpec(1, "Aware", "Reads a query."), LevelSpec(2, "Working", "Writes joins."),
              LevelSpec(3, "Fluent", "Tunes plans; designs schemas.")]  # fmt: skip
    SkillService(session, source).update_skill(skill.id, skill.version, {}, levels)
    data = json.dumps(ExportService(session, source).document(people=False)).encode()
    ImportService(session, copy).import_document(read_json("export.json", data))
    copied = ScaleService(session, copy).by_external_ids(["sql"])["sql"]
    assert [(m.level, m.name, m.description) for m in copied.levels] == [
        (1, "Aware", "Reads a query."), (2, "Working", "Writes joins."),
        (3, "Fluent", "Tunes plans; designs schemas."),
    ]  # fmt: skip
