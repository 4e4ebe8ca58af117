"""Canvas outcomes CSV in: Canvas's own spec fixtures and documentation sample, bad files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lti_pathing.models import Skill, Tenant
from lti_pathing.services.transfer.importer import ImportRejected
from tests.lti_pathing.interop.conftest import categories_of, count, fixture_bytes, skills_of

HEADER = (
    "vendor_guid,object_type,title,description,display_name,calculation_method,"
    "calculation_int,workflow_state,parent_guids,mastery_points,ratings,,,,,\n"
)


def levels(skill: Skill) -> list[tuple[int, str, str | None]]:
    return [(lv.level, lv.name, lv.source_value) for lv in skill.levels]


def test_canvas_documentation_sample(
    import_file: Callable[..., Any], session: Session, tenant: Tenant
) -> None:
    report = import_file("outcomes.csv", fixture_bytes("canvas/documentation-sample.csv"))
    assert report.lines() == [
        "skill_categories: 2 created, 0 updated, 0 unchanged",
        "skills: 1 created, 0 updated, 0 unchanged",
    ]
    skill = skills_of(session, tenant)["Learning Standard"]
    assert (skill.source, skill.source_id) == ("canvas", "c")
    assert skill.description == "outcome description"
    assert skill.category is not None and skill.category.name == "Parent group"
    assert levels(skill) == [(1, "Good", "1"), (2, "Better", "2"), (3, "Excellent", "3")]
    assert skill.proficient_level is None  # the sample gives no mastery points
    assert set(categories_of(session, tenant)) == {"Parent group", "Child group"}
    assert (
        "Canvas outcome 'Learning Standard' (vendor_guid c) → skill 'Learning Standard', in "
        "category 'Parent group', levels: Good (1), Better (2), Excellent (3)"
    ) in report.notes
    also = "Canvas outcome 'Learning Standard' (vendor_guid c): also in group(s) b; kept in the "
    assert also + "first only" in report.notes


def test_canvas_spec_fixtures_with_every_calculation_method_and_no_ratings(
    import_file: Callable[..., Any], session: Session, tenant: Tenant
) -> None:
    import_file("scoring.csv", fixture_bytes("canvas/scoring.csv"))
    skills = skills_of(session, tenant)
    assert sorted(skills) == ["C", "D", "E", "F", "G", "H", "I"]
    assert levels(skills["D"]) == [(1, "1 points", "1"), (2, "Good", "2")]
    assert levels(skills["G"]) == [(1, "1 points", "1")]
    # The spec's no-ratings file: the same outcome gets Canvas's default ratings and mastery.
    report = import_file("no-ratings.csv", fixture_bytes("canvas/no-ratings.csv"))
    session.expire_all()
    skills = skills_of(session, tenant)
    assert levels(skills["C"]) == [
        (1, "Does Not Meet Expectations", "0"), (2, "Meets Expectations", "3"),
        (3, "Exceeds Expectations", "5"),
    ]  # fmt: skip
    assert skills["C"].proficient_level == 2
    # The outcomes the newer file no longer holds are retired, the rest updated in place.
    assert [name for name, s in sorted(skills.items()) if not s.active] == list("DEFGHI")
    assert "skill 'D' (d) is no longer in canvas: retired" in report.notes


def test_mastery_points_deleted_rows_and_a_second_import(
    import_file: Callable[..., Any], session: Session, tenant: Tenant
) -> None:
    data = HEADER + (
        "g1,group,Data,,,,,active,,,,,,,\n"
        "o1,outcome,SQL,Writes queries,,highest,,active,g1,3,4,Expert,3,Proficient,1.5,Novice\n"
        "o2,outcome,Spreadsheets,,,,,,g1,,2,Good,0,Not yet,,\n"
    )
    import_file("o.csv", data.encode())
    sql = skills_of(session, tenant)["SQL"]
    assert levels(sql) == [(1, "Novice", "1.5"), (2, "Proficient", "3"), (3, "Expert", "4")]
    assert sql.proficient_level == 2
    deleted = data.replace("o2,outcome,Spreadsheets,,,,,,", "o2,outcome,Spreadsheets,,,,,deleted,")
    report = import_file("o.csv", deleted.encode())
    session.expire_all()
    assert skills_of(session, tenant)["Spreadsheets"].active is False
    assert report.lines()[1] == "skills: 0 created, 1 updated, 1 unchanged"
    assert count(session, Skill, tenant) == 2


def test_every_problem_of_a_canvas_file_is_listed(
    import_file: Callable[..., Any], session: Session, tenant: Tenant
) -> None:
    data = HEADER + (
        "g1,group,Data,,,highest,,active,,,,,,,\n"
        "o1,outcome,SQL,,,,,archived,g1,,,,,,\n"
        "o 2,outcome,Two,,,,,,nowhere,,,,,,\n"
        "o3,outcome,Three,,,,,,,,1,Low,3,High,\n"
        "o4,thing,Four,,,,,,,,,,,,\n"
        "o5,outcome,Five,,,,,,,,x,Bad,,,\n"
    )
    with pytest.raises(ImportRejected) as error:
        import_file("o.csv", data.encode(), "canvas-csv")
    assert [str(p) for p in error.value.problems] == [
        "o.csv:2: calculation_method: must be empty for a group",
        "o.csv:3: workflow_state: 'archived' is not active or deleted",
        "o.csv:4: vendor_guid: required, without spaces",
        "o.csv:4: parent_guids: 'nowhere' is not a group on an earlier row",
        "o.csv:5: ratings: rating 2 has more points (3) than the one before it",
        "o.csv:6: object_type: 'thing' is not outcome or group",
        "o.csv:7: ratings: points of rating 1 are not a number: 'x'",
    ]
    assert count(session, Skill, tenant) == 0


def test_unknown_and_missing_columns(
    import_file: Callable[..., Any], session: Session, tenant: Tenant
) -> None:
    data = b"vendor_guid,object_type,name,ratings,,extra\n"
    with pytest.raises(ImportRejected) as error:
        import_file("o.csv", data)
    assert [str(p) for p in error.value.problems] == [
        "o.csv:1: extra: a named column after ratings (ratings must come last)",
        "o.csv:1: name: unknown column",
        "o.csv:1: title: required column is missing",
        "o.csv:1: parent_guids: required column is missing",
    ]
