"""LTI roles -> the tool's roles, exactly as DESIGN.md says.

- `admin`: system/person#Administrator, institution/person#Administrator, membership#Administrator
  (short `Administrator` is the context role).
- Context roles win over institution roles: anyone with a context (membership) role is judged by
  those alone, so a Canvas admin who is a student in this course is a learner here.
- Everything else, unknown or empty: `learner` (least privilege).
- `manager` never comes from LTI (a Mentor role is a hint, not proof): the launch adds it when the
  tool's own data says the person has reports.
"""

from __future__ import annotations

from collections.abc import Iterable

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
MEMBERSHIP = LIS + "membership#"
INSTITUTION_ADMIN = LIS + "institution/person#Administrator"
SYSTEM_ADMIN = LIS + "system/person#Administrator"
CONTEXT_ADMIN = MEMBERSHIP + "Administrator"
# Short names are context roles (LTI 1.3 core, A.2.3).
SHORT_CONTEXT_ROLES = frozenset(
    {"Administrator", "ContentDeveloper", "Instructor", "Learner", "Mentor", "Manager", "Member",
     "Officer"}
)  # fmt: skip
STAFF_CONTEXT_ROLES = frozenset({"Administrator", "ContentDeveloper", "Instructor"})


def normalise(role: str) -> str:
    """A short context role spelled out in full; other values unchanged (trimmed)."""
    role = role.strip()
    return MEMBERSHIP + role if role in SHORT_CONTEXT_ROLES else role


def context_roles(roles: Iterable[str]) -> set[str]:
    """The context (membership) roles among `roles`, sub-roles included as sent."""
    return {r for r in map(normalise, roles) if r.startswith(LIS + "membership")}


def principal(role: str) -> str:
    """A context role's principal: `membership/Instructor#TeachingAssistant` -> `Instructor`."""
    head, _, name = role.partition("#")
    return name if head.endswith("/membership") else head.rsplit("/", 1)[-1]


def tool_roles(roles: Iterable[str] | None) -> frozenset[str]:
    """The tool roles an LTI roles claim grants: {'learner'} or {'learner', 'admin'}."""
    values = [r for r in (roles or []) if isinstance(r, str) and r.strip()]
    context = context_roles(values)
    if context:
        admin = CONTEXT_ADMIN in context
    else:
        admin = any(normalise(r) in (INSTITUTION_ADMIN, SYSTEM_ADMIN) for r in values)
    return frozenset({"learner", "admin"}) if admin else frozenset({"learner"})


def is_course_staff(roles: Iterable[str] | None) -> bool:
    """Whether the launch comes from someone who may place links in the course (deep linking)."""
    principals = {principal(r) for r in context_roles(roles or [])}
    return bool(principals & STAFF_CONTEXT_ROLES) or "admin" in tool_roles(roles)
