"""Open gaps in the user's words: names instead of ids, money with its currency, and each
what-if as a change to the plan's settings that the learner can apply with one click.

The planner explains a gap with the catalog's external ids ("bring python to level 3") and names
its what-ifs in the documented suggestion forms ("budget +199", "+2 h/week", "deadline +6
weeks"); this module turns both into what a learner or manager reads.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from lti_pathing.models import Activity, Plan, Skill
from lti_pathing.services.base import TenantService
from lti_pathing.services.calendar import week_date
from lti_pathing.services.planning import PlanSettings
from lti_pathing.services.scales import Scale, ScaleService

TOKEN = re.compile(r"[\w][\w.-]*[\w]|\w")
BUDGET = re.compile(r"^budget \+(\d+(?:\.\d+)?)$")
HOURS = re.compile(r"^\+(\d+(?:\.\d+)?) h/week$")
WEEKS = re.compile(r"^deadline \+(\d+) weeks?$")
ALLOW = re.compile(r"^allow (\S+)$")
CAPACITY = "one more mentor place or seat"
LEVELLED = re.compile(r"(?<![\w-])([\w][\w.-]*[\w]|\w) (to|reaches) level (\d+)(?![\w(])")


@dataclass(frozen=True)
class WhatIf:
    """A change that would close a gap: its label, and the plan setting it changes."""

    label: str
    setting: str  # a field of the plan settings form: budget, hours_per_week, deadline
    value: str  # the new value, as the form takes it


@dataclass(frozen=True)
class GapWords:
    """One open gap as a person reads it."""

    skill: str
    reason: str
    detail: str
    suggestion: str | None
    what_ifs: tuple[WhatIf, ...]


class GapWordingService(TenantService):
    """Words the planner's open gaps for the plan pages."""

    def words(self, plan: Plan, gaps: Iterable[Mapping[str, Any]]) -> list[GapWords]:
        """Each open gap with names for ids, and its what-ifs as settings to re-plan with."""
        gaps = list(gaps)
        texts = [str(g.get(k) or "") for g in gaps for k in ("skill", "detail", "suggestion")]
        tokens = {t for text in texts for t in TOKEN.findall(text)}
        names = self._names(tokens)
        scales = ScaleService(self.session, self.tenant).by_external_ids(tokens)
        currency = self.currency()
        return [self._one(plan, gap, names, scales, currency) for gap in gaps]

    def currency(self) -> str | None:
        """The catalog's currency (the most common one among activities that cost something)."""
        stmt = select(Activity.currency).where(
            Activity.tenant_id == self.tenant.id, Activity.cost > 0, Activity.currency.is_not(None)
        )
        counts = Counter(str(c) for c in self.session.scalars(stmt))
        return counts.most_common(1)[0][0] if counts else None

    def _one(
        self,
        plan: Plan,
        gap: Mapping[str, Any],
        names: dict[str, str],
        scales: Mapping[str, Scale],
        currency: str | None,
    ) -> GapWords:
        skill = str(gap["skill"])
        suggestion = gap.get("suggestion")
        options = [s.strip() for s in str(suggestion or "").split(" or ") if s.strip()]
        detail = str(gap.get("detail") or gap.get("reason", ""))
        what_ifs = tuple(
            w for o in options if (w := _what_if(plan, o, currency, self._allowed(o))) is not None
        )
        return GapWords(
            skill=names.get(skill, skill),
            reason=str(gap.get("reason", "")),
            detail=_sentence(_named(_levelled(_plain_words(detail), scales), names)),
            suggestion=_suggestion(options, names, currency) if options else None,
            what_ifs=what_ifs,
        )

    def _allowed(self, option: str) -> tuple[int, str] | None:
        """(id, title) of the activity an "allow <activity>" what-if would let back in."""
        found = ALLOW.match(option)
        activity = self.by_external_id(Activity, found.group(1)) if found else None
        return (activity.id, activity.title) if activity is not None and activity.active else None

    def _names(self, tokens: set[str]) -> dict[str, str]:
        """External id -> name, for the skills and activities among `tokens`."""
        if not tokens:
            return {}
        skills = select(Skill.external_id, Skill.name).where(
            Skill.tenant_id == self.tenant.id, Skill.external_id.in_(tokens)
        )
        activities = select(Activity.external_id, Activity.title).where(
            Activity.tenant_id == self.tenant.id, Activity.external_id.in_(tokens)
        )
        found = list(self.session.execute(skills)) + list(self.session.execute(activities))
        return {str(row[0]): str(row[1]) for row in found}


def _plain_words(text: str) -> str:
    """The planner's terms in the user's: an excluded activity is one left out of the plan."""
    return text.replace("only excluded activities", "only activities left out of this plan")


def _levelled(text: str, scales: Mapping[str, Scale]) -> str:
    """`text` with each "<skill> to level N" naming the level: "to level 3 (Practitioner)"."""

    def name_it(found: re.Match[str]) -> str:
        scale = scales.get(found.group(1))
        if scale is None:
            return found.group(0)
        return f"{found.group(1)} {found.group(2)} {scale.phrase(int(found.group(3)))}"

    return LEVELLED.sub(name_it, text)


def _named(text: str, names: dict[str, str]) -> str:
    """`text` with each whole external id replaced by its name."""
    for external_id in sorted(names, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(external_id)}(?![\w-])", names[external_id], text)
    return text


def _sentence(text: str) -> str:
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else text


def money(amount: Decimal, currency: str | None) -> str:
    """An amount with its currency code ("199 EUR"), whole amounts without decimals."""
    shown = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{shown} {currency}" if currency else shown


def _suggestion(options: list[str], names: dict[str, str], currency: str | None) -> str:
    """The what-ifs as a sentence ("Raise the budget by 199 EUR, or ...")."""
    words = []
    for option in options:
        if found := BUDGET.match(option):
            words.append(f"a budget {money(Decimal(found.group(1)), currency)} higher")
        elif found := HOURS.match(option):
            words.append(f"{_hours(Decimal(found.group(1)))} more a week")
        elif found := WEEKS.match(option):
            words.append(f"a deadline {_weeks(int(found.group(1)))} later")
        elif found := ALLOW.match(option):
            words.append(f"{names.get(found.group(1), found.group(1))} allowed again")
        elif option == CAPACITY or option.startswith(CAPACITY):
            words.append("one more mentor place or course seat (ask your L&D team)")
        else:
            words.append(_named(option, names))
    return _sentence("It would close with " + " or ".join(words))


def _hours(hours: Decimal) -> str:
    return f"{hours.normalize():f} hour{'' if hours == 1 else 's'}"


def _weeks(weeks: int) -> str:
    return f"{weeks} week{'' if weeks == 1 else 's'}"


def _what_if(
    plan: Plan, option: str, currency: str | None, allowed: tuple[int, str] | None = None
) -> WhatIf | None:
    """The settings change behind one suggestion form, or None (not the learner's to change).

    `allowed`: the activity an "allow <activity>" suggestion names (one the person left out).
    """
    if allowed is not None:
        return WhatIf(f"Re-plan with {allowed[1]} allowed again", "include", str(allowed[0]))
    settings = PlanSettings.from_json(plan.settings or {})
    learner = (plan.request or {}).get("learner", {})
    if found := BUDGET.match(option):
        extra = Decimal(found.group(1))
        budget = (settings.budget or Decimal(0)) + extra
        label = f"Re-plan with {money(extra, currency)} more budget ({money(budget, currency)})"
        return WhatIf(label, "budget", f"{budget:f}")
    if found := HOURS.match(option):
        extra = Decimal(found.group(1))
        hours = Decimal(str(learner.get("hours_per_week") or settings.hours_per_week or 0)) + extra
        label = f"Re-plan with {_hours(extra)} more a week ({_hours(hours)} a week)"
        return WhatIf(label, "hours_per_week", f"{hours.normalize():f}")
    if found := WEEKS.match(option):
        weeks = int(found.group(1))
        deadline = _deadline(plan, settings, learner) + dt.timedelta(weeks=weeks)
        label = f"Re-plan with a deadline {_weeks(weeks)} later ({deadline:%-d %B %Y})"
        return WhatIf(label, "deadline", deadline.isoformat())
    return None


def _deadline(plan: Plan, settings: PlanSettings, learner: Mapping[str, Any]) -> dt.date:
    """The plan's deadline: the one chosen, else the end of the planning horizon."""
    if settings.deadline is not None:
        return settings.deadline
    week = learner.get("deadline_week") or (plan.request or {}).get("horizon_weeks") or 0
    return week_date(plan, int(week)) - dt.timedelta(days=1)
