"""CASE v1.1 packages in: OpenSALT's published test package, hierarchy, relations, rubrics."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lti_pathing.interop.formats import detect
from lti_pathing.models import Skill, Tenant
from lti_pathing.services.transfer.importer import ImportRejected
from tests.lti_pathing.interop.conftest import (
    categories_of,
    count,
    fixture_bytes,
    skills_of,
)

SEQUENCE = json.loads(fixture_bytes("case/SequenceNumberFramework.json"))
DOC = "d0000000-0000-0000-0000-000000000000"
FIRST, SECOND = "e144c2e6-c0ea-11e7-95f7-5d664f4d8844", "ea98ab46-c0ea-11e7-820f-a71b35976453"


def link(identifier: str) -> dict[str, str]:
    return {"identifier": identifier, "uri": f"http://server/ims/case/v1p0/CFItems/{identifier}"}


def association(origin: str, kind: str, target: str) -> dict[str, Any]:
    return {"identifier": f"{origin}-{kind}-{target}", "originNodeURI": link(origin),
            "associationType": kind, "destinationNodeURI": link(target)}  # fmt: skip


def test_opensalts_package_becomes_skills_under_the_document(
    import_file: Callable[..., Any], session: Session, tenant: Tenant
) -> None:
    data = fixture_bytes("case/SequenceNumberFramework.json")
    assert detect(data) == "case-json"
    report = import_file("package.json", data)
    skills = skills_of(session, tenant)
    assert sorted(skills) == [
        "SNT.1 First Added Item",
        "SNT.2 Second added item, but should be first",
    ]
    first = skills["SNT.1 First Added Item"]
    assert (first.source, first.source_id) == (f"case:{DOC}", FIRST)
    assert first.category is not None and first.category.name == "Sequence Number Test"
    assert [lv.name for lv in first.levels] == ["Not yet competent", "Competent"]
    assert first.proficient_level == 2
    assert (
        f"CASE item 'SNT.1' ({FIRST}) → skill 'SNT.1 First Added Item', levels: Not yet "
        "competent, Competent"
    ) in report.notes


def test_hierarchy_relations_and_rubric_levels(
    import_file: Callable[..., Any], session: Session, tenant: Tenant
) -> None:
    package = copy.deepcopy(SEQUENCE)
    package["CFAssociations"] += [
        association(SECOND, "isChildOf", FIRST),
        association(SECOND, "isRelatedTo", FIRST),
        association(FIRST, "exactMatchOf", "somewhere-else"),
    ]
    package["CFAssociations"].pop(1)  # the second item's own isChildOf the document
    package["CFItems"].append({"identifier": "third", "fullStatement": "Third item"})
    package["CFAssociations"].append(association("third", "isChildOf", FIRST))
    package["CFAssociations"].append(association("third", "isRelatedTo", SECOND))
    package["CFRubrics"] = [{"identifier": "r1", "CFRubricCriteria": [{
        "identifier": "c1", "CFItemURI": link(SECOND), "CFRubricCriterionLevels": [
            {"identifier": "l2", "quality": "Meets", "score": 2},
            {"identifier": "l1", "quality": "Below", "score": 1},
            {"identifier": "l3", "description": "Goes beyond", "score": 3},
        ]}]}]  # fmt: skip
    report = import_file("package.json", json.dumps(package).encode())
    assert list(categories_of(session, tenant)) == ["SNT.1 First Added Item"]
    skills = skills_of(session, tenant)
    second = skills["SNT.2 Second added item, but should be first"]
    assert second.category is not None and second.category.name == "SNT.1 First Added Item"
    assert [(lv.name, lv.source_value) for lv in second.levels] == [
        ("Below", "1"), ("Meets", "2"), ("Goes beyond", "3"),
    ]  # fmt: skip
    third = skills["Third item"]
    assert [(r.related.name, r.kind) for r in third.relations] == [(second.name, "isRelatedTo")]
    assert second.relations == []  # its isRelatedTo points at a category: not a skill relation
    assert (
        f"CASE association exactMatchOf {FIRST} → somewhere-else: outside this package, skipped"
    ) in report.notes


def test_a_broken_package_lists_every_problem_and_writes_nothing(
    import_file: Callable[..., Any], session: Session, tenant: Tenant
) -> None:
    package = copy.deepcopy(SEQUENCE)
    package["CFItems"] += [{"identifier": FIRST, "fullStatement": "again"},
                           {"identifier": "x", "fullStatement": ""}]  # fmt: skip
    package["CFAssociations"] += [association("ghost", "isChildOf", FIRST)]
    with pytest.raises(ImportRejected) as error:
        import_file("package.json", json.dumps(package).encode())
    assert [str(p) for p in error.value.problems] == [
        "package.json:/CFItems/2/identifier: also at /CFItems/0",
        "package.json:/CFItems/3/fullStatement: required value is empty",
        "package.json:/CFAssociations/2/originNodeURI: 'ghost' is not an item here",
    ]
    with pytest.raises(ImportRejected) as truncated:
        import_file("package.json", fixture_bytes("case/SequenceNumberFramework.json")[:900])
    assert [str(p) for p in truncated.value.problems] == [
        "package.json:: not valid JSON: Unterminated string starting at (line 22, column 16)"
    ]
    assert count(session, Skill, tenant) == 0
