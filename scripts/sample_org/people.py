"""People, reporting lines and mentors of the sample organisation (the HRIS export)."""

from __future__ import annotations

import math
import random
import unicodedata
from typing import Any

from sample_org.catalog_tables import MENTOR_ROLES
from sample_org.roles import (
    CAREER_PATHS,
    DIRECTOR_ROLE,
    EXTRA_DIRECTOR_REPORTS,
    HEADCOUNT,
    MANAGER_ROLE,
    REPORTS_TO_DIRECTOR,
)

EMAIL_DOMAIN = "example.com"
TARGET_SHARE = 0.4
MOODLE_SHARE = 0.92
CANVAS_SHARE = 0.3
INACTIVE = 3
TEAM_SIZE = 7

# fmt: off
FIRST_NAMES = (
    "Amara", "Kenji", "Sofia", "Mateo", "Priya", "Liam", "Aisha", "Noah", "Mei", "Lucas", "Fatima",
    "Oliver", "Yuki", "Elena", "Kwame", "Chloe", "Arjun", "Ingrid", "Omar", "Hana", "Diego",
    "Leila", "Tomasz", "Nia", "Rafael", "Sanne", "Jamal", "Ana", "Henrik", "Zainab", "Luca",
    "Mariam", "Jonas", "Ayesha", "Pablo", "Freya", "Tariq", "Camille", "Emeka", "Julia", "Ravi",
    "Astrid", "Malik", "Beatriz", "Sven", "Nadia", "Chen", "Grace", "Tunde", "Isla", "Mohammed",
    "Lena", "Kofi", "Marta", "Hiroshi", "Zoe", "Andrei", "Adaeze", "Felix", "Saoirse", "Javier",
    "Ewa", "Samir", "Thandiwe", "Nikolai", "Rosa", "Dev", "Aino", "Jin", "Lucia",
)
LAST_NAMES = (
    "Okafor", "Watanabe", "Rossi", "García", "Sharma", "O'Brien", "Haddad", "Kowalski", "Chen",
    "Müller", "Nguyen", "Mensah", "Andersson", "Silva", "Kim", "Dubois", "Patel", "Novak",
    "Hernández", "Osei", "Jansen", "Yilmaz", "Nakamura", "Costa", "Ibrahim", "Larsen", "Moreau",
    "Singh", "Petrov", "Adeyemi", "Fernandes", "Schmidt", "Tanaka", "Kariuki", "Lindqvist",
    "Romero", "Abdullah", "Virtanen", "Zhang", "Murphy", "Bianchi", "Mahlangu", "Sato", "Ortiz",
    "Nowak", "Eriksen", "Das", "Popescu", "Bello", "Wright", "Horvat", "Park", "Mwangi", "Lopez",
    "Kaur", "Ivanova", "Fischer", "Asante", "Reyes", "Aydın",  # noqa: RUF001 - Turkish dotless i
)
# fmt: on
HOURS_CHOICES = (2, 2, 2.5, 3, 3, 3, 3.5, 4, 4, 4, 4.5, 5, 5, 6, 6, 8)


class PeopleBuilder:
    """Builds people with a realistic reporting hierarchy, deterministically."""

    def __init__(self, rng: random.Random) -> None:
        """Start with no people; `rng` drives every choice."""
        self.rng = rng
        self.people: list[dict[str, Any]] = []
        self._names: set[str] = set()
        self._emails: set[str] = set()

    def build(self) -> list[dict[str, Any]]:
        """Create the CEO, one director per family, managers and individual contributors."""
        ceo = self._add("ceo", None)
        for family, counts in HEADCOUNT.items():
            director = self._add(DIRECTOR_ROLE[family], ceo)
            self._build_family(family, counts, director)
        self._assign_inactive()
        self._assign_targets()
        self._assign_lms_ids()
        return self.people

    def _build_family(self, family: str, counts: dict[str, int], director: str) -> None:
        """Managers take the individual contributors round-robin, so teams mix seniority."""
        to_director = dict(EXTRA_DIRECTOR_REPORTS.get(family, {}))
        team_roles: list[str] = []
        for role, count in counts.items():
            if role in REPORTS_TO_DIRECTOR:
                to_director[role] = to_director.get(role, 0) + count
            else:
                team_roles += [role] * count
        for role, count in to_director.items():
            for _ in range(count):
                self._add(role, director)
        managers = [
            self._add(MANAGER_ROLE[family], director)
            for _ in range(math.ceil(len(team_roles) / TEAM_SIZE))
        ]
        for i, role in enumerate(team_roles):
            self._add(role, managers[i % len(managers)])

    def _add(self, role: str, manager: str | None) -> str:
        """Add one person and return their employee id."""
        employee_id = f"E{1001 + len(self.people)}"
        name = self._new_name()
        self.people.append(
            {
                "employee_id": employee_id,
                "name": name,
                "email": self._new_email(name),
                "manager_employee_id": manager,
                "current_role": role,
                "target_role": None,
                "hours_per_week": self.rng.choice(HOURS_CHOICES),
                "moodle_user_id": None,
                "canvas_user_id": None,
                "lti_subject": None,
                "active": True,
            }
        )
        return employee_id

    def _new_name(self) -> str:
        """A first-last combination not used yet."""
        while True:
            name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            if name not in self._names:
                self._names.add(name)
                return name

    def _new_email(self, name: str) -> str:
        """first.last@example.com, ASCII-folded, numbered if taken."""
        folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        local = ".".join(part.lower().replace("'", "") for part in folded.split())
        email, n = f"{local}@{EMAIL_DOMAIN}", 2
        while email in self._emails:
            email, n = f"{local}{n}@{EMAIL_DOMAIN}", n + 1
        self._emails.add(email)
        return email

    def _assign_inactive(self) -> None:
        """A few leavers: individual contributors who manage nobody and mentor nobody."""
        managers = {p["manager_employee_id"] for p in self.people}
        mentor_roles = set(MENTOR_ROLES)
        candidates = [
            p
            for p in self.people
            if p["employee_id"] not in managers and p["current_role"] not in mentor_roles
        ]
        for person in self.rng.sample(candidates, INACTIVE):
            person["active"] = False

    def _assign_targets(self) -> None:
        """About 40 % aim at a next role, always one a career path leads to."""
        moves: dict[str, list[str]] = {}
        for src, dst, _kind in CAREER_PATHS:
            moves.setdefault(src, []).append(dst)
        candidates = [p for p in self.people if p["active"] and p["current_role"] in moves]
        wanted = round(TARGET_SHARE * len(self.people))
        for person in self.rng.sample(candidates, min(wanted, len(candidates))):
            person["target_role"] = self.rng.choice(moves[person["current_role"]])

    def _assign_lms_ids(self) -> None:
        """Moodle ids for most people, Canvas ids for some (distinct, unordered numbers)."""
        n = len(self.people)
        moodle_ids = self.rng.sample(range(100, 5000), n)
        canvas_ids = self.rng.sample(range(10_000, 99_999), n)
        for i, person in enumerate(self.people):
            if self.rng.random() < MOODLE_SHARE:
                person["moodle_user_id"] = str(moodle_ids[i])
            if self.rng.random() < CANVAS_SHARE:
                person["canvas_user_id"] = str(canvas_ids[i])


def build_mentors(people: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """The first holders of each senior role in MENTOR_ROLES; one of them has paused."""
    mentors: list[dict[str, Any]] = []
    for role, count in MENTOR_ROLES.items():
        holders = [p for p in people if p["current_role"] == role and p["active"]]
        for person in holders[:count]:
            capacity = 1 if role == "ceo" else rng.choice((2, 2, 3, 3, 4))
            mentors.append({"person": person["employee_id"], "capacity": capacity, "active": True})
    mentors.sort(key=lambda m: m["person"])
    paused = [m for m in mentors if m["capacity"] >= 3]
    rng.choice(paused)["active"] = False
    return mentors
