"""Builds the activity catalog: per-skill course ladders plus the hand-written items."""

from __future__ import annotations

import random
from typing import Any

from sample_org.catalog_tables import (
    CERTIFICATIONS,
    EXTERNAL_PROVIDERS,
    EXTRA_COURSES,
    INTERNAL,
    MENTORSHIPS,
    PEER_GROUPS,
    RETIRED_COURSES,
    SHADOW_ROLES,
    STRETCH,
    ItemSpec,
)
from sample_org.roles import ROLES, RoleSpec
from sample_org.skills import LEVEL_NAMES, SKILLS, SkillSpec

# Course ladder tiers: (id suffix, level granted, level required, title patterns, weeks, hours).
TIERS = (
    (
        "intro",
        2,
        0,
        ("Introduction to {t}", "{t} Fundamentals", "{t} Essentials", "Getting Started with {t}"),
        (2, 4),
        (1.5, 3),
    ),
    (
        "practice",
        3,
        2,
        ("{t} in Practice", "Applied {t}", "Practical {t}", "{t}: Hands-on Workshop"),
        (4, 8),
        (2, 4),
    ),
    ("advanced", 4, 3, ("Advanced {t}", "{t} Masterclass", "Mastering {t}"), (6, 12), (3, 5)),
)
# Extra skill prerequisites of some ladder courses, by (skill, tier).
LADDER_PREREQS = {
    ("machine-learning", "practice"): {"statistics": 2, "python": 2},
    ("machine-learning", "advanced"): {"python": 3},
    ("predictive-models", "practice"): {"statistics": 2},
    ("cloud-architecture", "practice"): {"cloud-deploy": 2},
    ("security-testing", "practice"): {"cyber-security": 2},
    ("containers", "practice"): {"cloud-deploy": 2},
    ("statistical-analysis", "practice"): {"statistics": 2},
    ("forecasting", "practice"): {"financial-analysis": 2},
}
# A few ladder courses that build on the previous course of the same ladder.
LADDER_ACTIVITY_PREREQS = ("python", "java", "sql", "machine-learning", "accounting-techniques")
COHORT_STARTS = (
    "2027-01-11",
    "2027-02-01",
    "2027-03-01",
    "2027-04-12",
    "2027-05-03",
    "2027-06-07",
    "2027-09-06",
    "2027-10-04",
    "2027-11-01",
)
_SKILL = {s.id: s for s in SKILLS}
COHORT_SHARE = 0.22
MOODLE_SHARE = 0.34
CANVAS_SHARE = 0.15


def _pairs(text: str) -> list[dict[str, Any]]:
    """'skill:level skill:level' as [{"skill", "level"}, ...]."""
    return [{"skill": s, "level": int(lv)} for s, lv in (p.split(":") for p in text.split())]


def _slug(provider: str) -> str:
    return provider.lower().replace(" ", "-")


def _activity(kind: str, id_: str, title: str, **fields: Any) -> dict[str, Any]:
    """An activity in the JSON layout, every key present."""
    base: dict[str, Any] = {
        "id": id_,
        "title": title,
        "kind": kind,
        "provider": None,
        "url": None,
        "duration_weeks": 1,
        "hours_per_week": 1,
        "cost": 0,
        "currency": None,
        "earliest_start": None,
        "latest_end": None,
        "seats": None,
        "active": True,
        "description": None,
        "outcomes": [],
        "skill_prereqs": [],
        "prereqs": [],
        "cohorts": [],
        "mentors": [],
        "lms_links": [],
    }
    unknown = set(fields) - set(base)
    assert not unknown, unknown
    base.update(fields)
    return base


class CatalogBuilder:
    """Builds every activity; `eligible_mentors` picks mentors for a skill and level."""

    def __init__(
        self, rng: random.Random, mentors: list[dict[str, Any]], people: list[dict[str, Any]]
    ) -> None:
        """Keep the rng and what is needed to choose mentors."""
        self.rng = rng
        self.mentors = mentors
        self.role_of = {p["employee_id"]: p["current_role"] for p in people}
        self.roles = {r.id: r for r in ROLES}
        self.activities: list[dict[str, Any]] = []

    def build(self) -> list[dict[str, Any]]:
        """All activities, then cohorts and LMS links on a share of the courses."""
        for skill in SKILLS:
            self._ladder(skill)
        for spec in EXTRA_COURSES:
            self._from_spec("course", spec)
        for spec in RETIRED_COURSES:
            self._from_spec("course", spec)["active"] = False
        for spec in CERTIFICATIONS:
            self._from_spec("certification", spec)
        for spec in STRETCH:
            self._from_spec("stretch", spec)
        for spec in PEER_GROUPS:
            self._from_spec("peer_group", spec)
        for skill_id, grants, requires in MENTORSHIPS:
            self._mentorship(skill_id, grants, requires)
        for role_id in SHADOW_ROLES:
            self._shadowing(self.roles[role_id])
        self._add_cohorts()
        self._add_lms_links()
        self.activities.sort(key=lambda a: a["id"])
        return self.activities

    def _ladder(self, skill: SkillSpec) -> None:
        """Intro and practice courses for every skill; advanced where a role needs level 4+."""
        top = max((lv for r in ROLES for s, lv, _w in r.skills if s == skill.id), default=0)
        previous: str | None = None
        for suffix, grants, requires, titles, weeks, hours in TIERS:
            if suffix == "advanced" and top < 4:
                break
            provider = INTERNAL if self.rng.random() < 0.55 else self.rng.choice(EXTERNAL_PROVIDERS)
            prereqs = {skill.id: requires} if requires else {}
            prereqs.update(LADDER_PREREQS.get((skill.id, suffix), {}))
            id_ = f"{skill.id}-{suffix}"
            activity = _activity(
                "course",
                id_,
                self.rng.choice(titles).format(t=skill.topic),
                provider=provider,
                url=self._url(provider, "courses", id_),
                duration_weeks=self.rng.randint(*weeks),
                hours_per_week=self.rng.choice(_steps(*hours)),
                cost=self._course_cost(provider, grants),
                description=_reach(skill, grants),
                outcomes=[{"skill": skill.id, "level": grants}],
                skill_prereqs=[{"skill": s, "level": lv} for s, lv in prereqs.items()],
                prereqs=[previous]
                if previous and skill.id in LADDER_ACTIVITY_PREREQS and suffix == "advanced"
                else [],
            )
            if activity["cost"]:
                activity["currency"] = "EUR"
            self.activities.append(activity)
            previous = id_

    def _course_cost(self, provider: str, level: int) -> int:
        """Internal courses are free; external ones cost more the deeper they go."""
        if provider == INTERNAL:
            return 0
        return self.rng.choice(
            {2: (0, 49, 79, 99), 3: (149, 199, 290, 390), 4: (450, 590, 750, 900)}[level]
        )

    def _url(self, provider: str, section: str, id_: str) -> str:
        if provider == INTERNAL:
            return f"https://academy.example.com/{section}/{id_}"
        return f"https://{_slug(provider)}.example.org/{section}/{id_}"

    def _from_spec(self, kind: str, spec: ItemSpec) -> dict[str, Any]:
        """An activity from a hand-written ItemSpec."""
        outcomes = _pairs(spec.outcomes)
        top = max(outcomes, key=lambda o: o["level"])
        skill = next(s for s in SKILLS if s.id == top["skill"])
        provider = spec.provider if kind in ("course", "certification") else "Internal"
        url = None
        if kind == "course":
            url = self._url(provider, "courses", spec.id)
        elif kind == "certification":
            url = self._url(provider, "certifications", spec.id)
        activity = _activity(
            kind,
            spec.id,
            spec.title,
            provider=provider,
            url=url,
            duration_weeks=spec.weeks,
            hours_per_week=spec.hours,
            cost=spec.cost,
            currency=spec.currency,
            seats=spec.seats,
            earliest_start=spec.window[0] if spec.window else None,
            latest_end=spec.window[1] if spec.window else None,
            description=spec.description or _reach(skill, top["level"]) + _also(outcomes, top),
            outcomes=outcomes,
            skill_prereqs=_pairs(spec.requires),
            prereqs=list(spec.prereqs),
        )
        self.activities.append(activity)
        return activity

    def _mentorship(self, skill_id: str, grants: int, requires: int) -> None:
        """A mentorship with two or three eligible senior mentors."""
        skill = next(s for s in SKILLS if s.id == skill_id)
        expert = grants == 5
        activity = _activity(
            "mentorship",
            f"mentor-{skill_id}-{grants}",
            f"{'Expert ' if expert else ''}{skill.topic} mentorship",
            provider="Internal",
            duration_weeks=12 if expert else self.rng.choice((8, 10, 12)),
            hours_per_week=self.rng.choice((1, 1, 1.5, 2)),
            description=_reach(skill, grants) + " One-to-one with a senior colleague.",
            outcomes=[{"skill": skill_id, "level": grants}],
            skill_prereqs=[{"skill": skill_id, "level": requires}],
            mentors=self.eligible_mentors(skill_id, grants),
        )
        self.activities.append(activity)

    def eligible_mentors(self, skill_id: str, grants: int) -> list[str]:
        """Up to three mentors whose role needs the skill at a high level, best first."""

        def needed(person: str) -> int:
            role = self.roles[self.role_of[person]]
            return max((lv for s, lv, _w in role.skills if s == skill_id), default=0)

        floor = max(3, grants - 1)
        ranked = sorted(
            (m["person"] for m in self.mentors if needed(m["person"]) >= floor),
            key=lambda p: (-needed(p), p),
        )
        assert len(ranked) >= 2, f"fewer than two mentors for {skill_id} {grants}: {ranked}"
        return sorted(ranked[:3])

    def _shadowing(self, role: RoleSpec) -> None:
        """A few weeks alongside someone in the role: a first taste of its top skills."""
        top = sorted(role.skills, key=lambda s: (-s[2], -s[1], s[0]))[:3]
        self.activities.append(
            _activity(
                "shadowing",
                f"shadow-{role.id}",
                f"Job shadowing: {role.title}",
                provider="Internal",
                duration_weeks=self.rng.choice((2, 3, 4)),
                hours_per_week=self.rng.choice((2, 3, 4)),
                seats=1,
                description=f"Weeks alongside colleagues in the {role.title} role. "
                f"{role.description}",
                outcomes=[{"skill": s, "level": min(2, lv)} for s, lv, _w in top],
            )
        )

    def _add_cohorts(self) -> None:
        """Some internal courses and peer groups run in dated cohorts in 2027."""
        for activity in self.activities:
            eligible = activity["kind"] == "peer_group" or (
                activity["kind"] == "course"
                and activity["provider"] == INTERNAL
                and activity["active"]
                and activity["earliest_start"] is None
            )
            if not eligible or self.rng.random() >= COHORT_SHARE * (
                2 if activity["kind"] == "peer_group" else 1
            ):
                continue
            seats = activity["seats"] or self.rng.choice((12, 16, 20, 24))
            activity["seats"] = seats
            starts = sorted(self.rng.sample(COHORT_STARTS, self.rng.choice((2, 3))))
            activity["cohorts"] = [
                {
                    "id": f"c{i + 1}-{start[:7]}",
                    "starts_on": start,
                    "seats": None if self.rng.random() < 0.7 else max(6, seats - 4),
                }
                for i, start in enumerate(starts)
            ]

    def _add_lms_links(self) -> None:
        """About a third of the courses live in Moodle, some in Canvas too."""
        courses = [a for a in self.activities if a["kind"] == "course"]
        moodle_ids = iter(self.rng.sample(range(101, 999), len(courses)))
        canvas_ids = iter(self.rng.sample(range(2001, 9999), len(courses)))
        for activity in courses:
            if self.rng.random() < MOODLE_SHARE:
                activity["lms_links"].append({"lms": "moodle", "course_id": str(next(moodle_ids))})
            if self.rng.random() < CANVAS_SHARE:
                activity["lms_links"].append({"lms": "canvas", "course_id": str(next(canvas_ids))})


def _steps(low: float, high: float) -> tuple[float, ...]:
    """Half-hour steps from low to high inclusive."""
    return tuple(low + 0.5 * i for i in range(int((high - low) / 0.5) + 1))


def _also(outcomes: list[dict[str, Any]], top: dict[str, Any]) -> str:
    """' Also builds Feedback and Delegation.' for the outcomes besides the main one."""
    topics = [_SKILL[o["skill"]].topic for o in outcomes if o is not top]
    if not topics:
        return ""
    listed = topics[0] if len(topics) == 1 else ", ".join(topics[:-1]) + " and " + topics[-1]
    return f" Also builds {listed}."


def _reach(skill: SkillSpec, level: int) -> str:
    """'Takes you to Practitioner in SQL: uses window functions ...'."""
    what = skill.levels[level - 1]
    return f"Takes you to {LEVEL_NAMES[level - 1]} in {skill.topic}: {what[0].lower()}{what[1:]}"
