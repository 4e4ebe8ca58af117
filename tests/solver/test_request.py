"""The planning request parser: every rule reports a problem at the right JSON path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from solver.errors import Problem, RequestError
from solver.instance import (
    Activity,
    Booking,
    Learner,
    Mentor,
    Options,
    Pin,
    PlanRequest,
    Skill,
    Target,
)
from solver.request import load_request, parse_request
from solver.response import request_to_json

EXAMPLES = Path(__file__).parent / "examples"
DELETE = object()
Edit = tuple[tuple[str | int, ...], object]


def example(name: str = "team") -> Any:
    """A fresh copy of an example request."""
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def edited(*edits: Edit) -> Any:
    """The team example with values set, appended or deleted at key paths."""
    data = example()
    for keys, value in edits:
        parent = data
        for key in keys[:-1]:
            parent = parent[key]
        if value is DELETE:
            del parent[keys[-1]]
        elif isinstance(parent, list) and keys[-1] == len(parent):
            parent.append(value)
        else:
            parent[keys[-1]] = value
    return data


def problems_of(data: object) -> list[Problem]:
    """The problems a request is rejected with."""
    with pytest.raises(RequestError) as info:
        parse_request(data)
    return info.value.problems


AMY = ("learners", 0)
RAJ = ("learners", 1)


def keys_of(where: str) -> tuple[str | int, ...]:
    """'activities.0.cost' as keys: ('activities', 0, 'cost')."""
    return tuple(int(k) if k.isdigit() else k for k in where.split("."))


def path_of(where: str) -> str:
    """'activities.0.cost' as a JSON path: '$.activities[0].cost'."""
    return "$" + "".join(f"[{k}]" if k.isdigit() else f".{k}" for k in where.split("."))


# One wrong value and the problem it gives at its own path: (what, where, value, message part).
SIMPLE: list[tuple[str, str, object, str]] = [
    # top level
    ("version 2", "version", 2, "unsupported version 2"),
    ("version string", "version", "1", "expected an integer, got a string"),
    ("version missing", "version", DELETE, "required field is missing"),
    ("horizon bool", "horizon_weeks", True, "expected an integer, got a boolean"),
    ("horizon big", "horizon_weeks", 521, "between 1 and 520"),
    ("horizon zero", "horizon_weeks", 0, "between 1 and 520"),
    ("horizon fraction", "horizon_weeks", 12.5, "expected an integer, got 12.5"),
    ("top typo", "learner", [], "unknown field 'learner' (did you mean 'learners'?)"),
    ("skills missing", "skills", DELETE, "required field is missing"),
    ("skills not array", "skills", {}, "expected an array, got an object"),
    # skills
    ("skill empty id", "skills.0.id", "", "must not be empty"),
    ("skill id type", "skills.0.id", 7, "expected a string"),
    ("skill duplicate", "skills.1.id", "sql", "duplicate id 'sql' (first at $.skills[0].id)"),
    ("max level", "skills.0.max_level", 0, "between 1 and 100"),
    ("skill typo", "skills.0.maxlevel", 4, "unknown field 'maxlevel'"),
    # activities
    (
        "activity typo",
        "activities.0.hours_per_wek",
        2,
        "unknown field 'hours_per_wek' (did you mean 'hours_per_week'?)",
    ),
    (
        "activity duplicate",
        "activities.2.id",
        "sql-advanced",
        "duplicate id 'sql-advanced' (first at $.activities[1].id)",
    ),
    (
        "kind",
        "activities.0.kind",
        "coaching",
        "unknown kind 'coaching' (one of: course, mentorship",
    ),
    ("kind missing", "activities.0.kind", DELETE, "required field is missing"),
    ("duration 0", "activities.0.duration_weeks", 0, "between 1 and 520"),
    ("duration bool", "activities.0.duration_weeks", True, "expected an integer, got a boolean"),
    ("hours negative", "activities.0.hours_per_week", -1, "between 0 and 168"),
    ("hours quarter", "activities.0.hours_per_week", 1.1, "a multiple of 0.25 hours, got 1.1"),
    ("hours string", "activities.0.hours_per_week", "3", "expected a number, got a string"),
    ("hours nan", "activities.0.hours_per_week", float("nan"), "expected a finite number"),
    ("cost decimals", "activities.1.cost", 10.005, "at most 2 decimals, got 10.005"),
    ("cost negative", "activities.1.cost", -5, "between 0 and 1000000000"),
    ("grant unknown skill", "activities.0.grants.rust", 1, "unknown skill 'rust'"),
    ("grant over max", "activities.0.grants.sql", 5, "between 1 and 4, got 5"),
    ("grant zero", "activities.0.grants.sql", 0, "between 1 and 4, got 0"),
    ("grants not object", "activities.0.grants", ["sql"], "expected an object, got an array"),
    ("requires typo", "activities.1.requires.skill", {}, "did you mean 'skills'?"),
    ("requires skill unknown", "activities.1.requires.skills.go", 1, "unknown skill 'go'"),
    ("requires level", "activities.1.requires.skills.sql", 9, "between 1 and 4"),
    ("requires unknown", "activities.4.requires.activities.0", "x", "unknown activity 'x'"),
    (
        "requires itself",
        "activities.4.requires.activities.0",
        "analytics-mentorship",
        "'analytics-mentorship' cannot require itself",
    ),
    ("start week range", "activities.1.start_weeks.1", 16, "between 0 and 15"),
    ("start week twice", "activities.1.start_weeks.1", 0, "week 0 is listed twice"),
    ("start week type", "activities.1.start_weeks.0", "0", "expected an integer"),
    ("start weeks empty", "activities.1.start_weeks", [], "at least one start week"),
    ("window earliest", "activities.5.window.earliest_start", -1, "between 0 and 15"),
    ("window latest", "activities.5.window.latest_end", 17, "between 1 and 16"),
    (
        "window short",
        "activities.5.window.latest_end",
        7,
        "the window 6..7 is shorter than duration_weeks 2",
    ),
    ("window typo", "activities.5.window.start", 1, "unknown field 'start'"),
    ("seats", "activities.1.seats", 0, "between 1 and 10000"),
    ("seats fraction", "activities.1.seats", 1.5, "expected an integer"),
    ("mentor unknown", "activities.4.mentors.1", "m-zed", "unknown mentor 'm-zed'"),
    ("mentor twice", "activities.4.mentors.1", "m-ana", "'m-ana' is listed twice"),
    (
        "mentorship alone",
        "activities.4.mentors",
        DELETE,
        "a mentorship needs at least one eligible mentor",
    ),
    # mentors
    ("capacity", "mentors.0.capacity", -1, "between 0 and 10000"),
    ("capacity type", "mentors.1.capacity", "2", "expected an integer"),
    ("mentor duplicate", "mentors.1.id", "m-ana", "duplicate id 'm-ana'"),
    ("booking to_week", "mentors.0.booked.0.to_week", 0, "at least 1"),
    ("booking mentees", "mentors.0.booked.0.mentees", 0, "between 1 and 10000"),
    ("booking typo", "mentors.0.booked.0.until", 3, "unknown field 'until'"),
    # learners: levels and target
    ("learner duplicate", "learners.1.id", "amy", "duplicate id 'amy'"),
    ("level unknown", "learners.0.levels.go", 1, "unknown skill 'go'"),
    ("level over max", "learners.0.levels.sql", 5, "between 0 and 4"),
    ("level negative", "learners.0.levels.sql", -1, "between 0 and 4"),
    ("levels missing", "learners.0.levels", DELETE, "required field is missing"),
    ("target unknown", "learners.0.target.go", {"level": 1}, "unknown skill 'go'"),
    ("target level 0", "learners.0.target.sql.level", 0, "between 1 and 4"),
    ("target level max", "learners.0.target.sql.level", 5, "between 1 and 4"),
    ("target no level", "learners.0.target.sql.level", DELETE, "required field is missing"),
    ("target not object", "learners.0.target.sql", 3, "expected an object, got 3"),
    ("weight negative", "learners.0.target.sql.weight", -1, "between 0 and 1000"),
    ("weight decimals", "learners.0.target.sql.weight", 0.0005, "at most 3 decimals"),
    ("weight bool", "learners.0.target.sql.weight", False, "expected a number, got a boolean"),
    # learners: limits
    ("learner hours", "learners.0.hours_per_week", 0.3, "a multiple of 0.25 hours"),
    ("learner hours missing", "learners.0.hours_per_week", DELETE, "required field is missing"),
    ("learner typo", "learners.0.hours_per_wek", 6, "did you mean 'hours_per_week'?"),
    ("blackout range", "learners.0.blackout_weeks.0", 16, "between 0 and 15"),
    ("blackout twice", "learners.0.blackout_weeks.1", 5, "week 5 is listed twice"),
    ("blackout type", "learners.0.blackout_weeks", 5, "expected an array"),
    ("deadline 0", "learners.0.deadline_week", 0, "between 1 and 16"),
    ("deadline late", "learners.0.deadline_week", 17, "between 1 and 16"),
    ("budget negative", "learners.0.budget", -1, "between 0 and"),
    ("budget decimals", "learners.0.budget", 10.001, "at most 2 decimals"),
    ("completed unknown", "learners.0.completed.0", "sql-intro", "unknown activity 'sql-intro'"),
    ("completed twice", "learners.0.completed.1", "sql-foundations", "is listed twice"),
    ("excluded unknown", "learners.1.excluded.0", "x", "unknown activity 'x'"),
    # learners: pinned items, each alone
    ("pin unknown", "learners.1.pinned.0.activity", "sql-intro", "unknown activity 'sql-intro'"),
    ("pin week range", "learners.1.pinned.0.start_week", 16, "between 0 and 15"),
    ("pin week missing", "learners.1.pinned.0.start_week", DELETE, "required field is missing"),
    ("pin mentor unknown", "learners.1.pinned.0.mentor", "m-zed", "unknown mentor 'm-zed'"),
    ("pin typo", "learners.1.pinned.0.start", 0, "did you mean 'start_week'?"),
    (
        "pin not a cohort start",
        "learners.1.pinned.0.start_week",
        2,
        "week 2 is not a cohort start of 'sql-advanced' (starts: 0, 4, 8)",
    ),
    (
        "pin mentor on plain activity",
        "learners.1.pinned.0.mentor",
        "m-ana",
        "'sql-advanced' takes no mentor",
    ),
    # options
    ("time limit 0", "options.time_limit_s", 0, "more than 0"),
    ("time limit big", "options.time_limit_s", 3601, "at most 3600"),
    ("time limit type", "options.time_limit_s", "10", "expected a number"),
    ("workers 0", "options.workers", 0, "between 1 and 8"),
    ("workers 9", "options.workers", 9, "between 1 and 8"),
    ("workers fraction", "options.workers", 1.5, "expected an integer"),
    ("explain", "options.explain", "yes", "expected a boolean"),
    ("option typo", "options.time_limit", 5, "did you mean 'time_limit_s'?"),
]


@pytest.mark.parametrize(
    ("where", "value", "fragment"), [c[1:] for c in SIMPLE], ids=[c[0] for c in SIMPLE]
)
def test_each_value_rule_reports_its_path(where: str, value: object, fragment: str) -> None:
    found = problems_of(edited((keys_of(where), value)))
    assert any(p.path == path_of(where) and fragment in p.message for p in found), found


def pin(activity: str, week: int, mentor: str | None = None) -> dict[str, object]:
    """A pinned item as JSON."""
    return {"activity": activity, "start_week": week} | ({"mentor": mentor} if mentor else {})


# Rules that relate parts of a request: (what, edits, expected path, message part).
RELATED: list[tuple[str, list[Edit], str, str]] = [
    (
        "quoted path",
        [(("activities", 3, "grants", "data-viz"), 4)],
        "$.activities[3].grants['data-viz']",
        "between 1 and 3",
    ),
    (
        "booking ends before it starts",
        [(("mentors", 0, "booked", 0, "from_week"), 4)],
        "$.mentors[0].booked[0].to_week",
        "must be after from_week (to_week is exclusive)",
    ),
    (
        "two-step cycle",
        [(("activities", 3, "requires", "activities"), ["analytics-mentorship"])],
        "$.activities[3].requires.activities",
        "prerequisite cycle: dashboard-stretch -> analytics-mentorship -> dashboard-stretch",
    ),
    (
        "three-step cycle",
        [
            (("activities", 0, "requires"), {"activities": ["sql-advanced"]}),
            (("activities", 1, "requires", "activities"), ["python-for-analysts"]),
            (("activities", 2, "requires"), {"activities": ["sql-foundations"]}),
        ],
        "$.activities[0].requires.activities",
        "prerequisite cycle: sql-foundations -> sql-advanced -> python-for-analysts"
        " -> sql-foundations",
    ),
    (
        "pin excluded",
        [((*RAJ, "excluded"), ["sql-advanced"])],
        "$.learners[1].pinned[0].activity",
        "'sql-advanced' is both pinned and excluded",
    ),
    (
        "pin completed",
        [((*AMY, "pinned"), [pin("sql-foundations", 0)])],
        "$.learners[0].pinned[0].activity",
        "'sql-foundations' is already completed and cannot be pinned",
    ),
    (
        "pin twice",
        [((*RAJ, "pinned", 1), pin("sql-advanced", 8))],
        "$.learners[1].pinned[1].activity",
        "'sql-advanced' is pinned twice (first at $.learners[1].pinned[0])",
    ),
    (
        "pin before window",
        [((*AMY, "pinned"), [pin("viz-certification", 4)])],
        "$.learners[0].pinned[0].start_week",
        "'viz-certification' cannot start before its window opens at week 6",
    ),
    (
        "pin after window",
        [((*RAJ, "pinned", 1), pin("viz-certification", 11))],
        "$.learners[1].pinned[1].start_week",
        "would end at week 13, after its window's latest_end 12",
    ),
    (
        "pin after deadline",
        [((*AMY, "pinned"), [pin("dashboard-stretch", 10)])],
        "$.learners[0].pinned[0].start_week",
        "would end at week 14, after the learner's deadline_week 12",
    ),
    (
        "pin after horizon",
        [((*RAJ, "pinned", 1), pin("python-for-analysts", 12))],
        "$.learners[1].pinned[1].start_week",
        "would end at week 18, after horizon_weeks 16",
    ),
    (
        "pin mentor not eligible",
        [
            (("mentors", 2), {"id": "m-cy", "capacity": 1}),
            ((*AMY, "pinned"), [pin("analytics-mentorship", 6, "m-cy")]),
        ],
        "$.learners[0].pinned[0].mentor",
        "mentor 'm-cy' is not eligible for 'analytics-mentorship' (eligible: m-ana, m-ben)",
    ),
    (
        "pin hours alone",
        [((*RAJ, "pinned", 1), pin("viz-certification", 6))],
        "$.learners[1].pinned[1]",
        "'viz-certification' needs 5 h/week, more than the learner's 4 h/week",
    ),
    (
        "pin in blackout week",
        [((*AMY, "pinned"), [pin("dashboard-stretch", 2)])],
        "$.learners[0].pinned[0]",
        "'dashboard-stretch' runs in blackout week(s) 5",
    ),
    (
        "pins summed",
        [((*RAJ, "pinned", 1), pin("python-for-analysts", 2))],
        "$.learners[1].pinned",
        "pinned 'python-for-analysts', 'sql-advanced' need 5.5 h in week 2, more than the "
        "learner's 4 h/week",
    ),
    (
        "pins over budget",
        [((*RAJ, "pinned", 1), pin("python-for-analysts", 4))],
        "$.learners[1].pinned",
        "pinned items cost 650, more than the budget of 500",
    ),
]


@pytest.mark.parametrize(
    ("edits", "path", "fragment"), [c[1:] for c in RELATED], ids=[c[0] for c in RELATED]
)
def test_each_related_rule_reports_its_path(edits: list[Edit], path: str, fragment: str) -> None:
    found = problems_of(edited(*edits))
    assert any(p.path == path and fragment in p.message for p in found), found


def test_the_examples_parse() -> None:
    team = parse_request(example("team"))
    assert [learner.id for learner in team.learners] == ["amy", "raj"]
    amy, raj = team.learners
    assert amy.quarter_hours == 24
    assert amy.budget_cents == 100_000
    assert amy.target["python"] == Target(3, 500)
    assert amy.blackout_weeks == frozenset({5})
    assert raj.pinned == (Pin("sql-advanced", 0),)
    assert team.activity_by_id["python-for-analysts"].quarter_hours == 10
    assert team.activity_by_id["viz-certification"].latest_end == 12
    assert team.mentor_by_id["m-ana"].booked == (Booking(0, 4, 1),)
    assert team.options.time_limit_s == 10.0
    tiny = parse_request(example("tiny"))
    assert tiny.activities[1].cost_cents == 12_050
    assert tiny.learners[0].target["sql"].weight_milli == 1000  # the default weight


def test_defaults_for_omitted_fields() -> None:
    request = parse_request(example("tiny"))
    basics = request.activity_by_id["sql-basics"]
    assert (basics.cost_cents, basics.requires_skills, basics.requires_activities) == (0, {}, ())
    assert (basics.start_weeks, basics.earliest_start, basics.latest_end) == (None, 0, None)
    assert (basics.seats, basics.mentors) == (None, ())
    assert request.mentors == ()
    lee = request.learners[0]
    assert (lee.deadline_week, lee.budget_cents, lee.pinned) == (None, None, ())
    assert request.options == Options(time_limit_s=5.0, workers=1, explain=True)


def test_a_request_with_several_problems_lists_them_all() -> None:
    data = edited(
        (("version",), 2),
        (("activities", 0, "hours_per_wek"), 2),
        (("activities", 1, "hours_per_week"), 0.1 + 0.2),
        (("activities", 2, "cost"), 10.005),
        (("mentors", 1, "capacity"), True),
        ((*AMY, "deadline_week"), 40),
        ((*RAJ, "pinned", 0, "start_week"), 16),
        (("options", "workers"), 0),
    )
    paths = [p.path for p in problems_of(data)]
    assert paths == [
        "$.version",
        "$.activities[0].hours_per_wek",
        "$.activities[1].hours_per_week",
        "$.activities[2].cost",
        "$.mentors[1].capacity",
        "$.learners[0].deadline_week",
        "$.learners[1].pinned[0].start_week",
        "$.options.workers",
    ]


def test_the_error_message_joins_every_problem() -> None:
    data = edited(((*AMY, "hours_per_week"), -1), ((*RAJ, "hours_per_week"), "4"))
    with pytest.raises(RequestError) as info:
        parse_request(data)
    assert "$.learners[0].hours_per_week" in str(info.value)
    assert "$.learners[1].hours_per_week" in str(info.value)


@pytest.mark.parametrize("value", [[], "request", None, 3])
def test_a_request_that_is_no_object(value: object) -> None:
    assert [p.path for p in problems_of(value)] == ["$"]


def test_float_traps_are_avoided() -> None:
    assert 0.1 + 0.2 != 0.3
    found = problems_of(edited(((*AMY, "hours_per_week"), 0.1 + 0.2)))
    assert [p.path for p in found] == ["$.learners[0].hours_per_week"]
    assert "multiple of 0.25" in found[0].message
    good = parse_request(
        edited(((*AMY, "hours_per_week"), 1.25), (("activities", 1, "cost"), 0.07))
    )
    assert good.learners[0].quarter_hours == 5
    assert good.activities[1].cost_cents == 7


def test_whole_floats_count_as_integers() -> None:
    request = parse_request(edited((("horizon_weeks",), 16.0), (("skills", 0, "max_level"), 4.0)))
    assert request.horizon_weeks == 16
    assert isinstance(request.skills[0].max_level, int)


def test_unknown_names_are_reported_once_not_cascaded() -> None:
    found = problems_of(edited((("activities", 0, "kind"), "webinar")))
    assert [p.path for p in found] == ["$.activities[0].kind"]


def test_load_request_reports_invalid_json_with_line_and_column() -> None:
    with pytest.raises(RequestError) as info:
        load_request('{\n  "version": 1,\n  "skills": [,]\n}')
    (problem,) = info.value.problems
    assert problem.path == "$"
    assert "invalid JSON" in problem.message
    assert "line 3, column" in problem.message


def test_load_request_reads_text() -> None:
    text = (EXAMPLES / "team.json").read_text()
    assert load_request(text) == parse_request(json.loads(text))


def a_request_with_every_feature() -> PlanRequest:
    """A request using every field, with values at the edges of their units."""
    return PlanRequest(
        horizon_weeks=20,
        skills=(Skill("a", 5), Skill("b c", 2)),
        activities=(
            Activity("x", "course", 3, 1, 1, {"a": 2}, start_weeks=(0, 6), seats=3),
            Activity("y", "mentorship", 2, 7, 0, {"b c": 1}, {"a": 2}, ("x",), mentors=("m",)),
            Activity("z", "peer_group", 1, 0, 123_456, earliest_start=2, latest_end=9),
            Activity("w", "shadowing", 1, 4, 5, latest_end=20),
        ),
        mentors=(Mentor("m", 2, (Booking(1, 3, 1), Booking(5, 8, 2))), Mentor("n", 0)),
        learners=(
            Learner(
                "l1",
                {"a": 1},
                {"a": Target(4, 1), "b c": Target(2, 2_500)},
                quarter_hours=21,
                blackout_weeks=frozenset({3, 7}),
                deadline_week=18,
                budget_cents=99_999,
                completed=frozenset({"w"}),
                pinned=(Pin("y", 10, "m"), Pin("x", 0)),
                excluded=frozenset({"z"}),
            ),
            Learner("l2", {}, {}, quarter_hours=0),
        ),
        options=Options(time_limit_s=0.5, workers=8, explain=False),
    )


@pytest.mark.parametrize("name", ["team", "tiny"])
def test_round_trip_of_the_examples(name: str) -> None:
    request = parse_request(example(name))
    assert parse_request(request_to_json(request)) == request


def test_round_trip_of_every_feature() -> None:
    request = a_request_with_every_feature()
    data = request_to_json(request)
    assert parse_request(data) == request
    assert parse_request(json.loads(json.dumps(data))) == request
    assert data["activities"][2]["cost"] == 1234.56
    assert data["activities"][0]["hours_per_week"] == 0.25
    assert data["learners"][0]["target"]["b c"]["weight"] == 2.5
