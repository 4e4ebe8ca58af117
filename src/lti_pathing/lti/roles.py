"""LTI roles -> the tool's roles. The tool's `admin` is an explicit grant of the tenant.

A launch makes someone a tool admin (a tenant-wide L&D admin) only when
- the person is marked admin in the tool (`Person.is_admin`: admin pages, `lti-pathing admins`), or
- the launch carries a role on its platform registration's allowlist (`admin_roles`), chosen
  when the platform is registered. Allowlisted roles are compared in full, as sent (short context
  names spelled out), so `system/person#Administrator` never matches `membership#Administrator`.

No LMS role grants admin by itself, because the LMSs send admin roles far more widely than a
tenant-wide grant allows:
- Moodle sends a site admin as `membership#Instructor` + `system/person#Administrator` +
  `institution/person#Administrator` (Instructor is always added; `membership#Administrator` is
  never sent). Default allowlist: `system/person#Administrator`, so a Moodle site admin is admin
  out of the box.
- Canvas sends `institution/person#Administrator` for ANY account role in any sub-account, even
  a limited custom one, and `system/person#SysAdmin` for its site admins. Default allowlist:
  `system/person#SysAdmin`; a Canvas root-account admin is made admin in the tool (or the tenant
  allowlists `institution/person#Administrator` knowing what it grants).
- Other platforms: `system/person#Administrator` (the LIS system administrator role).

Context (membership) roles never mask an allowlisted institution or system role: a Moodle site
admin arrives as an Instructor of the course and is still admin. Unknown or empty roles give
`learner` only (least privilege). `manager` never comes from LTI (a Mentor role is a hint, not
proof): the launch adds it when the tool's own data says the person has reports.
"""

from __future__ import annotations

from collections.abc import Iterable

from lti_pathing.models import Lms

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
MEMBERSHIP = LIS + "membership#"
INSTITUTION_ADMIN = LIS + "institution/person#Administrator"
SYSTEM_ADMIN = LIS + "system/person#Administrator"
CANVAS_SITE_ADMIN = LIS + "system/person#SysAdmin"
# Canvas's Student View ("Test Student"): a throw-away user, never a person of the organisation.
TEST_USER = "http://purl.imsglobal.org/vocab/lti/system/person#TestUser"
# Short names are context roles (LTI 1.3 core, A.2.3).
SHORT_CONTEXT_ROLES = frozenset(
    {"Administrator", "ContentDeveloper", "Instructor", "Learner", "Mentor", "Manager", "Member",
     "Officer"}
)  # fmt: skip
STAFF_CONTEXT_ROLES = frozenset({"Administrator", "ContentDeveloper", "Instructor"})
DEFAULT_ADMIN_ROLES = {Lms.moodle: (SYSTEM_ADMIN,), Lms.canvas: (CANVAS_SITE_ADMIN,)}
GENERIC_ADMIN_ROLES = (SYSTEM_ADMIN,)


def normalise(role: str) -> str:
    """A short context role spelled out in full; other values unchanged (trimmed)."""
    role = role.strip()
    return MEMBERSHIP + role if role in SHORT_CONTEXT_ROLES else role


def default_admin_roles(lms: Lms | None) -> tuple[str, ...]:
    """The allowlist a new registration of this LMS product gets unless told otherwise."""
    return DEFAULT_ADMIN_ROLES.get(lms, GENERIC_ADMIN_ROLES) if lms else GENERIC_ADMIN_ROLES


def context_roles(roles: Iterable[str]) -> set[str]:
    """The context (membership) roles among `roles`, sub-roles included as sent."""
    return {r for r in map(normalise, roles) if r.startswith(LIS + "membership")}


def principal(role: str) -> str:
    """A context role's principal: `membership/Instructor#TeachingAssistant` -> `Instructor`."""
    head, _, name = role.partition("#")
    return name if head.endswith("/membership") else head.rsplit("/", 1)[-1]


def _valid(roles: Iterable[object] | None) -> list[str]:
    return [r for r in (roles or []) if isinstance(r, str) and r.strip()]


def granting_roles(roles: Iterable[object] | None, admin_roles: Iterable[str]) -> tuple[str, ...]:
    """The roles among `roles` that the allowlist `admin_roles` names (spelled out, sorted).

    The session keeps them, so each request can check they are still allowlisted (auth.py).
    """
    allowed = {normalise(r) for r in admin_roles if r.strip()}
    return tuple(sorted({normalise(r) for r in _valid(roles)} & allowed))


def tool_roles(
    roles: Iterable[object] | None, admin_roles: Iterable[str] = (), marked_admin: bool = False
) -> frozenset[str]:
    """The tool roles of a launch: {'learner'}, or {'learner', 'admin'} when granted.

    `admin_roles` is the registration's allowlist; `marked_admin` the person's flag in the tool.
    """
    admin = marked_admin or bool(granting_roles(roles, admin_roles))
    return frozenset({"learner", "admin"}) if admin else frozenset({"learner"})


def is_test_user(roles: Iterable[object] | None) -> bool:
    """Whether the launch is Canvas's Student View (its Test Student)."""
    return TEST_USER in {normalise(r) for r in _valid(roles)}


def is_course_staff(roles: Iterable[object] | None) -> bool:
    """Whether the launch's context roles let them place links in the course (deep linking)."""
    principals = {principal(r) for r in context_roles(_valid(roles))}
    return bool(principals & STAFF_CONTEXT_ROLES)
