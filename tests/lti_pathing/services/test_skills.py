"""SkillService: CRUD, optimistic locking, guarded deletes, tenant isolation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lti_pathing.errors import Invalid, NotFound, Referenced, StaleEdit
from lti_pathing.services.job_architecture import RoleSkillSpec
from lti_pathing.services.listing import ListQuery
from lti_pathing.services.skills import LevelSpec, SkillService


def test_create_and_list_skills(
    session: Session, tenant: Any, make_skill: Callable[..., Any]
) -> None:
    make_skill(tenant, "python")
    make_skill(tenant, "sql")
    page = SkillService(session, tenant).list_skills(ListQuery(search="PYT"))
    assert [s.external_id for s in page.items] == ["python"]
    assert page.total == 1 and page.pages == 1


def test_update_bumps_version_and_stale_edit_is_refused(
    session: Session, tenant: Any, make_skill: Callable[..., Any]
) -> None:
    skill = make_skill(tenant)
    service = SkillService(session, tenant)
    service.update_skill(skill.id, 1, {"name": "Python 3"})
    assert skill.version == 2
    with pytest.raises(StaleEdit) as caught:
        service.update_skill(skill.id, 1, {"name": "Stale"})
    assert caught.value.errors == {"expected_version": 1, "current_version": 2}
    assert skill.name == "Python 3"


def test_changing_only_levels_bumps_the_version(
    session: Session, tenant: Any, make_skill: Callable[..., Any]
) -> None:
    skill = make_skill(tenant, levels=2)
    service = SkillService(session, tenant)
    same = [LevelSpec(1, "Level 1"), LevelSpec(2, "Level 2")]
    service.update_skill(skill.id, 1, {}, same)
    assert skill.version == 1
    service.update_skill(skill.id, 1, {}, [*same, LevelSpec(3, "Expert")])
    assert skill.version == 2 and skill.max_level == 3


@pytest.mark.parametrize("levels", [[], [2], [1, 3], list(range(1, 12))])
def test_scales_must_be_one_to_n(session: Session, tenant: Any, levels: list[int]) -> None:
    with pytest.raises(Invalid):
        SkillService(session, tenant).create_skill(
            {"external_id": "x", "name": "X"}, [LevelSpec(n, str(n)) for n in levels]
        )


def test_names_are_unique_case_insensitively(
    session: Session, tenant: Any, make_skill: Callable[..., Any]
) -> None:
    make_skill(tenant, "python")
    with pytest.raises(Invalid, match="name already used"):
        make_skill(tenant, "other", name="PYTHON")


def test_deleting_a_skill_a_role_uses_is_refused_with_the_references(
    session: Session, tenant: Any, make_skill: Callable[..., Any], make_role: Callable[..., Any]
) -> None:
    skill = make_skill(tenant)
    make_role(tenant, "swe-2", skills=[RoleSkillSpec(skill.id, 2)])
    service = SkillService(session, tenant)
    with pytest.raises(Referenced) as caught:
        service.delete_skill(skill.id, skill.version)
    assert [(r.kind, r.label) for r in caught.value.references] == [
        ("role", "SWE-2 requires level 2")
    ]
    service.retire_skill(skill.id, skill.version)
    assert skill.active is False


def test_a_scale_cannot_shrink_below_a_used_level(
    session: Session, tenant: Any, make_skill: Callable[..., Any], make_role: Callable[..., Any]
) -> None:
    skill = make_skill(tenant, levels=3)
    make_role(tenant, skills=[RoleSkillSpec(skill.id, 3)])
    with pytest.raises(Invalid, match="scale too short"):
        SkillService(session, tenant).update_skill(skill.id, None, {}, [LevelSpec(1, "One")])


def test_unused_skill_is_deleted(
    session: Session, tenant: Any, make_skill: Callable[..., Any]
) -> None:
    skill = make_skill(tenant)
    service = SkillService(session, tenant)
    service.delete_skill(skill.id, skill.version)
    with pytest.raises(NotFound):
        service.get_skill(skill.id)


def test_tenant_b_cannot_see_or_change_tenant_a(
    session: Session, make_tenant: Callable[..., Any], make_skill: Callable[..., Any]
) -> None:
    a, b = make_tenant("a"), make_tenant("b")
    skill = make_skill(a)
    as_b = SkillService(session, b)
    assert as_b.list_skills(ListQuery()).total == 0
    for attempt in (
        lambda: as_b.get_skill(skill.id),
        lambda: as_b.update_skill(skill.id, None, {"name": "hijacked"}),
        lambda: as_b.retire_skill(skill.id, None),
        lambda: as_b.delete_skill(skill.id, None),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert skill.name == "Python" and skill.active


def test_tenant_b_cannot_point_at_tenant_a_records(
    session: Session,
    make_tenant: Callable[..., Any],
    make_skill: Callable[..., Any],
    make_role: Callable[..., Any],
) -> None:
    a, b = make_tenant("a"), make_tenant("b")
    category = SkillService(session, a).create_category({"external_id": "dig", "name": "Digital"})
    foreign_skill = make_skill(a)
    with pytest.raises(NotFound):
        make_skill(b, "sql", category_id=category.id)
    with pytest.raises(NotFound):
        make_role(b, skills=[RoleSkillSpec(foreign_skill.id, 1)])


def test_same_external_id_in_two_tenants_is_fine(
    make_tenant: Callable[..., Any], make_skill: Callable[..., Any]
) -> None:
    assert make_skill(make_tenant("a")).id != make_skill(make_tenant("b")).id


def test_deleting_a_used_category_is_refused(
    session: Session, tenant: Any, make_skill: Callable[..., Any]
) -> None:
    service = SkillService(session, tenant)
    category = service.create_category({"external_id": "dig", "name": "Digital"})
    make_skill(tenant, category_id=category.id)
    with pytest.raises(Referenced):
        service.delete_category(category.id, None)
