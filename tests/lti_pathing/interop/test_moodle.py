"""Moodle competency framework CSV in: Moodle's own fixture, re-imports, and hostile files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lti_pathing.interop import text
from lti_pathing.interop.formats import read_any
from lti_pathing.models import Skill, SkillCategory, SkillRelation, Tenant
from lti_pathing.services.transfer.importer import ImportRejected, ImportService
from lti_pathing.services.transfer.reader import Document
from tests.lti_pathing.interop.conftest import count, fixture_bytes, no_native, skills_of

HEADER = (
    '"Parent id number","Id number",Shortname,Description,"Description format","Scale values",'
    '"Scale configuration","Rule type (optional)","Rule outcome (optional)",'
    '"Rule config (optional)","Cross referenced competency id numbers",'
    '"Exported id (optional)","Is framework",Taxonomy\n'
)
CONFIG = '"[{""scaleid"":""2""},{""id"":2,""scaledefault"":1,""proficient"":1}]"'
FRAMEWORK = f',FW,"Team skills",,1,"Not yet competent,Competent",{CONFIG},,,,,,1,\n'


def framework(*rows: str) -> bytes:
    return (HEADER + FRAMEWORK + "".join(rows)).encode("utf-8")


def rejected(run: Callable[..., Any], name: str, data: bytes, fmt: str = "auto") -> list[str]:
    with pytest.raises(ImportRejected) as error:
        run(name, data, fmt)
    return [str(problem) for problem in error.value.problems]


def test_moodles_own_fixture_becomes_categories_and_skills(
    import_file: Callable[..., Any], session: Session, tenant: Tenant
) -> None:
    report = import_file("example.csv", fixture_bytes("moodle/example.csv"))
    # 64 competencies: 20 have children (categories), 44 are leaves (skills).
    assert report.lines() == [
        "skill_categories: 20 created, 0 updated, 0 unchanged",
        "skills: 44 created, 0 updated, 0 unchanged",
    ]
    skills = skills_of(session, tenant)
    level = skills["Level 1"]
    assert (level.source, level.source_id, level.external_id) == ("moodle:OECD-CORE", "level-1",
                                                                  "level-1")  # fmt: skip
    assert level.category is not None and level.category.name == "Levels"
    # The framework's scale becomes each skill's levels; its configuration the proficient one.
    assert [(lv.level, lv.name, lv.source_value) for lv in level.levels] == [
        (1, "Not yet competent", "1"), (2, "Competent", "2"),
    ]  # fmt: skip
    assert level.proficient_level == 2
    drafting = skills[
        "Tailors communication (e.g. content, style and medium) to diverse audiences."
    ]
    assert drafting.category is not None and drafting.category.name == "Drafting Skills"
    # The multi-line HTML description is stored as the text it is (CRLF inside, as Moodle wrote).
    assert drafting.description == (
        "<p>Tailors communication (e.g. content, style and\r\nmedium) to diverse audiences.<br></p>"
    )
    # Cross-references are kept as relations between skills, both ways as Moodle lists them.
    relations = {(r.skill.source_id, r.related.source_id) for r in session.query(SkillRelation)}
    assert ("DR-AT1", "level-1") in relations and ("level-1", "DR-AT1") in relations
    assert "I-N-3" in {b for a, b in relations if a == "level-1"}
    assert any(
        note == "Moodle competency 'Level 1' (idnumber level-1) → skill 'Level 1', in category "
        "'Levels', levels: Not yet competent, Competent; proficient from Competent"
        for note in report.notes
    )
    assert "Moodle competency 'Strategic' (idnumber strategic) → category 'Strategic'" in (
        report.notes
    )


def test_reimport_changes_nothing_and_a_newer_version_updates_in_place(
    import_file: Callable[..., Any], session: Session, tenant: Tenant
) -> None:
    first = framework(
        ",comm,Communication,,1,,,,0,null,,1,,\n",
        "comm,listen,Listening,,1,,,,0,null,write,2,,\n",
        "comm,write,Writing,,1,,,,0,null,listen,3,,\n",
    )
    import_file("team.csv", first)
    assert import_file("team.csv", first).changed == 0
    ids = {name: s.id for name, s in skills_of(session, tenant).items()}
    newer = framework(
        ",comm,Communication,,1,,,,0,null,,1,,\n",
        'comm,listen,"Active listening",,1,"Novice,Practitioner,Expert",,,0,null,,2,,\n',
    )
    report = import_file("team.csv", newer)
    session.expire_all()
    skills = skills_of(session, tenant)
    # Same row, new name and scale; the vanished competency is retired, nothing duplicated.
    assert skills["Active listening"].id == ids["Listening"]
    assert [lv.name for lv in skills["Active listening"].levels] == [
        "Novice", "Practitioner", "Expert",
    ]  # fmt: skip
    assert skills["Active listening"].relations == []
    assert skills["Writing"].active is False and count(session, Skill, tenant) == 2
    assert "skill 'Writing' (write) is no longer in moodle:FW: retired" in report.notes
    assert report.removals == [
        "skill listen: relation related to write removed",
    ]


def test_two_frameworks_with_the_same_id_numbers_stay_apart(
    import_file: Callable[..., Any], session: Session, tenant: Tenant
) -> None:
    import_file("a.csv", framework(",listen,Listening,,1,,,,0,null,,1,,\n"))
    other = framework(",listen,Hearing,,1,,,,0,null,,1,,\n").replace(b",FW,", b",FW2,")
    import_file("b.csv", other.replace(b'"Team skills"', b'"Other team"'))
    skills = skills_of(session, tenant)
    assert {(s.source, s.source_id) for s in skills.values()} == {
        ("moodle:FW", "listen"), ("moodle:FW2", "listen"),
    }  # fmt: skip
    assert skills["Listening"].external_id == "listen"
    assert skills["Hearing"].external_id.startswith("listen-")


def test_hostile_cells_are_kept_as_text(
    import_file: Callable[..., Any], session: Session, tenant: Tenant
) -> None:
    import_file("team.csv", framework(
        ',x1,"=HYPERLINK(""http://evil.example"")","<script>alert(1)</script>",1,,,,0,null,,1,,\n',
        ",x2,@SUM(A1),+1,1,,,,0,null,,2,,\n",
    ))  # fmt: skip
    skills = skills_of(session, tenant)
    assert skills['=HYPERLINK("http://evil.example")'].description == "<script>alert(1)</script>"
    assert skills["@SUM(A1)"].description == "+1"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            framework(",a,A,,1,,,,0,null,,1,,\n").replace(b"Competent\"", b"Comp\xe9tent\""),
            "example.csv:2: not UTF-8 text (it looks like Windows-1252: save it as 'CSV UTF-8')",
        ),
        (framework(',a,A,"<p>never closed,1,,,,0,null,,1,,\n'),
         "example.csv:3: not valid CSV: unexpected end of data"),
        (HEADER.encode() + b",a,A,,1,,,,0,null,,1,,\n",
         "example.csv:1: Is framework: no framework row (Is framework = 1)"),
    ],
)  # fmt: skip
def test_unreadable_files_are_refused_with_where_and_why(
    import_file: Callable[..., Any], session: Session, tenant: Tenant, data: bytes, expected: str
) -> None:
    assert rejected(import_file, "example.csv", data) == [expected]
    assert count(session, Skill, tenant) == count(session, SkillCategory, tenant) == 0


def test_every_problem_is_listed_and_nothing_is_written(
    import_file: Callable[..., Any], session: Session, tenant: Tenant
) -> None:
    data = b"\xef\xbb\xbf" + framework(  # a BOM is fine
        ",a,Alpha,,1,,,,0,null,,1,,\n",
        ",a,Again,,1,,,,0,null,,2,,\n",
        "ghost,b,Beta,,1,,,,0,null,,3,,\n",
        ',c,Gamma,,1,"One,Two",not-json,,0,null,,4,,\n',
        ",d,,,1,,,,0,null,,5,,\n",
        f",e,{'E' * 201},,1,,,,0,null,,6,,\n",
        ',f,Zeta,,1,"1,2,3,4,5,6,7,8,9,10,11",,,0,null,,7,,\n',
    )
    assert rejected(import_file, "fw.csv", data) == [
        "fw.csv:4: Id number: 'a' is also on line 3",
        "fw.csv:5: Parent id number: 'ghost' is not a competency here",
        "fw.csv:6: Scale configuration: not Moodle's scale configuration (JSON)",
        "fw.csv:7: Shortname: required value is empty",
        "fw.csv:9: Scale values: a scale of 1 to 10 named values",
    ]
    assert count(session, Skill, tenant) == 0
    # Once the file reads, the import's own rules speak in Moodle's column names.
    long_name = framework(f",e,{'E' * 201},,1,,,,0,null,,6,,\n")
    assert rejected(import_file, "fw.csv", long_name) == [
        "fw.csv:3: Shortname: at most 200 characters (201 given)",
    ]


def test_a_50000_row_file_is_refused_before_anything_is_checked(
    import_file: Callable[..., Any], session: Session, tenant: Tenant
) -> None:
    rows = "".join(f",c{n},Competency {n},,1,,,,0,null,,{n},,\n" for n in range(50_000))
    problems = rejected(import_file, "big.csv", framework(rows))
    assert problems == [
        f"big.csv:{text.MAX_RECORDS + 2}: more than 20,000 records: split the framework into files"
    ]
    assert count(session, Skill, tenant) == 0


def test_a_competency_is_mapped_onto_a_skill_the_tenant_already_has(
    session: Session, tenant: Tenant, make_skill: Callable[..., Any]
) -> None:
    ours = make_skill(tenant, "listening", name="Listening well")
    data = framework(",listen,Listening,<p>Hear</p>,1,,,,0,null,,1,,\n")
    service = ImportService(session, tenant)

    def read(mapping: dict[str, str]) -> Document:
        return read_any("fw.csv", data, "auto", no_native, mapping)

    report = service.import_document(read({"listen": "listening"}), dry_run=True)
    assert (
        "Moodle competency 'Listening' (idnumber listen) → mapped onto skill 'Listening well' "
        "(listening)"
    ) in report.notes
    service.import_document(read({"listen": "listening"}))
    session.expire_all()
    skill = session.get(Skill, ours.id)
    assert skill is not None and skill.name == "Listening well"  # the tenant's own words stay
    assert (skill.source, skill.source_id) == ("moodle:FW", "listen")
    assert [lv.name for lv in skill.levels] == ["Not yet competent", "Competent"]
    assert count(session, Skill, tenant) == 1
    with pytest.raises(ImportRejected) as error:
        service.import_document(read({"nope": "x", "listen": "gone"}))
    assert [str(p) for p in error.value.problems] == [
        "fw.csv: map: no skill 'gone' in this tenant",
        "fw.csv: map: 'nope' is not a skill of this file",
    ]
