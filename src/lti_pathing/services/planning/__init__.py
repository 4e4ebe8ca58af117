"""Planning: the ORM <-> solver bridge (request building, solving, storing plans)."""

from lti_pathing.services.planning.calendar import Calendar, monday_of, next_monday
from lti_pathing.services.planning.service import (
    Limits,
    NoPlanFound,
    PlanningService,
    Readiness,
)
from lti_pathing.services.planning.settings import Pin, PlanSettings

__all__ = [
    "Calendar",
    "Limits",
    "NoPlanFound",
    "Pin",
    "PlanSettings",
    "PlanningService",
    "Readiness",
    "monday_of",
    "next_monday",
]
