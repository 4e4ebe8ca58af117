"""The words of "why this plan": one whole sentence template per reason code.

Each template is a complete sentence with named parameters (never pieced together from
fragments), so that a translation can reorder it freely. `sentence` is the one place reasons
become words; the reason codes come from `solver.rationale` and `services.why_plan`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from lti_pathing.services.why_plan import Why

TEMPLATES: dict[str, str] = {
    # what an item is for
    "closes": (
        "It raises {skill} from level {before} to level {after}; "
        "the role asks for level {required}."
    ),
    "unlocks": "{activity} needs it first.",
    "pinned": "You chose to keep it at this date.",
    # why it starts then
    "starts_now": "It starts in the first week of the plan.",
    "after_activity": "It starts on {date}, when {activity}, which it requires, is finished.",
    "after_skill": "It starts on {date}, when {skill} reaches level {level}, which it requires.",
    "cohort": "It starts on {date}, a date its cohort starts.",
    "window": "It cannot start before {date}.",
    "blackout": "It starts on {date}, after weeks you said you cannot learn.",
    "hours": "It starts on {date}: until then, your weekly hours are taken by other activities.",
    "mentor": "It starts on {date}, when a mentor has room.",
    # why an activity was left out
    "excluded": "You chose to leave it out.",
    "completed": "You have already completed it.",
    "does_not_fit": "It does not fit before your deadline within your weekly hours.",
    "prerequisites": "Its prerequisites cannot be completed in time.",
    "dominated": "{other} teaches at least as much for no more weeks, hours or money.",
    "covered": "Your plan already reaches these levels with {others}.",
    "cheaper": (
        "It costs {cost} {currency}; what your plan holds instead costs {other_cost} {currency}."
    ),
    "shorter": "It takes {hours} hours; what your plan holds instead takes {other_hours} hours.",
    "capacity": "Its mentors or seats are taken in the weeks available.",
    "budget": "It would take the plan over your budget.",
    "time": "There are not enough weeks or hours per week for it.",
    # what stays open
    "open_no_activity": "Nothing in the catalogue teaches {skill} to level {required}.",
    "open_time": (
        "There are not enough weeks or hours per week to bring {skill} to level {required}."
    ),
    "open_prerequisites": (
        "What teaches {skill} to level {required} needs prerequisites that cannot be "
        "completed in time."
    ),
    "open_capacity": "The mentors or seats needed for {skill} are taken in the weeks available.",
    "open_budget": "The budget runs out before {skill} reaches level {required}.",
}  # fmt: skip
FALLBACK = "The planner gave a reason this page cannot put into words ({code})."


def sentence(why: Why) -> str:
    """The reason as one sentence, its parameters formatted (dates, amounts); plain text that
    the templates escape."""
    template = TEMPLATES.get(why.code, FALLBACK)
    values = {key: _shown(value) for key, value in why.params.items()}
    return template.format_map({"code": why.code, **values})


def _shown(value: Any) -> str:
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, Decimal):
        return f"{value:,.2f}".removesuffix(".00")
    return str(value)
