"""Career moves and time to ready on the sample organisation as `make demo` loads it."""

from __future__ import annotations

import math

import pytest
from sqlalchemy.orm import Session

from lti_pathing.models import Tenant
from lti_pathing.services.levels import LevelService
from lti_pathing.services.pathways import PathwayService
from lti_pathing.services.planning import Limits, PlanningService, Readiness
from tests.lti_pathing.services.larkspur import clock, larkspur, loaded, named, work

__all__ = ["larkspur", "loaded", "work"]

# People whose two-move paths are checked: a software engineer and a data analyst.
TRAVELLERS = ("Kenji Mwangi", "Priya Ortiz")


def weeks(ready: Readiness) -> float:
    """Weeks until ready; never ready counts as later than any date."""
    return math.inf if ready.weeks is None else ready.weeks


def test_route_names_the_role_a_two_move_path_passes_through(
    work: Session, larkspur: Tenant
) -> None:
    kenji = named(work, larkspur, "Kenji Mwangi")
    pathways = PathwayService(work, larkspur)
    moves = pathways.moves(kenji.current_role_id or 0, {})
    [far, *_] = [m for m in moves if m.via is not None]
    assert far.via is not None
    assert pathways.route(kenji.current_role_id, far.fit.role.id) == [far.via]
    near = next(m for m in moves if m.via is None)
    assert pathways.route(kenji.current_role_id, near.fit.role.id) == []


@pytest.mark.parametrize("name", TRAVELLERS)
def test_a_path_through_a_role_is_never_faster_than_reaching_that_role(
    work: Session, larkspur: Tenant, name: str
) -> None:
    person = named(work, larkspur, name)
    levels = LevelService(work, larkspur).current_levels(person.id)
    plain = {sid: lv.level for sid, lv in levels.items()}
    moves = PathwayService(work, larkspur).moves(person.current_role_id or 0, plain)
    planning = PlanningService(work, larkspur, clock, Limits(quick_time_limit_s=2))
    paths = [m for m in moves if m.via is not None]
    assert paths, name
    for move in paths:
        assert move.via is not None
        through = planning.time_to_ready(person.id, move.via.id)
        beyond = planning.time_to_ready(person.id, move.fit.role.id)
        assert weeks(beyond) >= weeks(through), (move.via.title, move.fit.role.title)
