"""Job architecture: job families, roles with required skills, and career-path edges."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from lti_pathing.errors import Conflict, Invalid, Reference
from lti_pathing.models import (
    CareerPath,
    JobFamily,
    PathKind,
    Person,
    Plan,
    Role,
    RoleLevel,
    RoleSkill,
    Skill,
    Track,
)
from lti_pathing.services.base import TenantService
from lti_pathing.services.listing import ListQuery, Page, contains_text, filtered, paginate

FAMILY_FIELDS = frozenset({"external_id", "name", "description"})
ROLE_FIELDS = frozenset(
    {"external_id", "title", "family_id", "track", "level", "level_rank", "critical", "description"}
)


class RoleSkillSpec(NamedTuple):
    """A required skill level of a role, with its importance weight."""

    skill_id: int
    level: int
    weight: Decimal = Decimal("1")


class JobArchitectureService(TenantService):
    """Create, edit, list, retire and delete job families, roles and career paths."""

    def list_families(self, query: ListQuery) -> Page[JobFamily]:
        """Job families matching the query, by name."""
        stmt = filtered(self.scoped(JobFamily), JobFamily, query, ("name", "external_id"))
        return paginate(self.session, stmt.order_by(JobFamily.name, JobFamily.id), query)

    def create_family(self, fields: Mapping[str, Any]) -> JobFamily:
        """Add a job family."""
        family = JobFamily(tenant_id=self.tenant.id)
        self.apply(family, fields, FAMILY_FIELDS)
        return self.add(family)

    def update_family(
        self, family_id: int, expected_version: int | None, fields: Mapping[str, Any]
    ) -> JobFamily:
        """Change a job family."""
        family = self.get(JobFamily, family_id)
        self.check_version(family, expected_version)
        self.apply(family, fields, FAMILY_FIELDS)
        self.flush()
        return family

    def set_family_active(
        self, family_id: int, expected_version: int | None, active: bool
    ) -> JobFamily:
        """Retire (active=False) or restore a job family."""
        family = self.get(JobFamily, family_id)
        self.set_active(family, expected_version, active)
        return family

    def delete_family(self, family_id: int, expected_version: int | None) -> None:
        """Delete a family without roles; otherwise refused with the roles listed."""
        family = self.get(JobFamily, family_id)
        refs = [
            Reference("role", r.id, r.title)
            for r in self.session.scalars(select(Role).where(Role.family_id == family.id))
        ]
        self.delete(family, expected_version, refs)

    def list_roles(
        self,
        query: ListQuery,
        family_id: int | None = None,
        level: RoleLevel | None = None,
        track: Track | None = None,
    ) -> Page[Role]:
        """Roles matching the query, by family then seniority."""
        stmt = filtered(self.scoped(Role), Role, query, ("title", "external_id", "description"))
        if family_id is not None:
            stmt = stmt.where(Role.family_id == family_id)
        if level is not None:
            stmt = stmt.where(Role.level == level)
        if track is not None:
            stmt = stmt.where(Role.track == track)
        order = (Role.family_id, Role.level_rank, Role.title, Role.id)
        return paginate(self.session, stmt.order_by(*order), query)

    def get_role(self, role_id: int) -> Role:
        """One role of the tenant."""
        return self.get(Role, role_id)

    def create_role(self, fields: Mapping[str, Any], skills: Sequence[RoleSkillSpec] = ()) -> Role:
        """Add a role with its required skills."""
        self.get(JobFamily, fields["family_id"])
        role = Role(tenant_id=self.tenant.id)
        self.apply(role, fields, ROLE_FIELDS)
        self._replace_skills(role, skills)
        return self.add(role)

    def update_role(
        self,
        role_id: int,
        expected_version: int | None,
        fields: Mapping[str, Any],
        skills: Sequence[RoleSkillSpec] | None = None,
    ) -> Role:
        """Change a role; `skills` (when given) replaces its required skills."""
        role = self.get(Role, role_id)
        self.check_version(role, expected_version)
        if "family_id" in fields:
            self.get(JobFamily, fields["family_id"])
        # One edit is one version: no query below may flush the field change on its own.
        with self.session.no_autoflush:
            self.apply(role, fields, ROLE_FIELDS)
            if skills is not None and self._replace_skills(role, skills):
                self.touch(role)
        self.flush()
        return role

    def retire_role(self, role_id: int, expected_version: int | None) -> Role:
        """Offer a role no more as a target; people who hold it keep it."""
        role = self.get(Role, role_id)
        self.set_active(role, expected_version, False)
        return role

    def restore_role(self, role_id: int, expected_version: int | None) -> Role:
        """Offer a retired role as a target again."""
        role = self.get(Role, role_id)
        self.set_active(role, expected_version, True)
        return role

    def delete_role(self, role_id: int, expected_version: int | None) -> None:
        """Delete a role nobody holds, targets or moves into; otherwise refused with the list."""
        role = self.get(Role, role_id)
        self.delete(role, expected_version, self.role_references(role))

    def role_references(self, role: Role) -> list[Reference]:
        """People holding or targeting the role, plans aiming at it, paths leading into it."""
        people = self.session.scalars(
            select(Person).where(
                or_(Person.current_role_id == role.id, Person.target_role_id == role.id)
            )
        )
        refs = [Reference("person", p.id, p.name) for p in people]
        plans = self.session.scalars(select(Plan).where(Plan.target_role_id == role.id))
        refs += [Reference("plan", p.id, f"plan #{p.id}") for p in plans]
        incoming = self.session.scalars(select(CareerPath).where(CareerPath.to_role_id == role.id))
        refs += [Reference("career_path", c.id, f"path from {c.from_role.title}") for c in incoming]
        return refs

    def add_path(self, from_role_id: int, to_role_id: int, kind: PathKind) -> CareerPath:
        """Record that people can move from one role to another."""
        source, target = self.get(Role, from_role_id), self.get(Role, to_role_id)
        if source.id == target.id:
            raise Invalid("self edge", {"to_role_id": ["a role cannot lead to itself"]})
        existing = self.scoped(CareerPath).where(
            CareerPath.from_role_id == source.id, CareerPath.to_role_id == target.id
        )
        if self.session.scalar(existing) is not None:
            raise Conflict(f"a path from {source.title} to {target.title} already exists")
        path = CareerPath(from_role_id=source.id, to_role_id=target.id, kind=kind)
        return self.add(path)

    def update_path(
        self,
        path_id: int,
        expected_version: int | None,
        kind: PathKind,
        from_role_id: int | None = None,
        to_role_id: int | None = None,
    ) -> CareerPath:
        """Retype a move, or move its ends (no self edge, no second edge between two roles)."""
        path = self.get(CareerPath, path_id)
        self.check_version(path, expected_version)
        source = self.get(Role, from_role_id) if from_role_id is not None else path.from_role
        target = self.get(Role, to_role_id) if to_role_id is not None else path.to_role
        if source.id == target.id:
            raise Invalid("self edge", {"to_role_id": ["a role cannot lead to itself"]})
        clash = self.scoped(CareerPath).where(
            CareerPath.from_role_id == source.id,
            CareerPath.to_role_id == target.id,
            CareerPath.id != path.id,
        )
        if self.session.scalar(clash) is not None:
            raise Invalid(
                "duplicate path",
                {"to_role_id": [f"a path from {source.title} to {target.title} already exists"]},
            )
        self.apply(
            path,
            {"kind": kind, "from_role_id": source.id, "to_role_id": target.id},
            ("kind", "from_role_id", "to_role_id"),
        )
        self.flush()
        return path

    def remove_path(self, path_id: int, expected_version: int | None = None) -> None:
        """Remove a career-path edge (nothing refers to edges)."""
        path = self.get(CareerPath, path_id)
        self.check_version(path, expected_version)
        self.session.delete(path)
        self.flush()

    def paths_from(self, role_id: int) -> list[CareerPath]:
        """The moves out of a role."""
        stmt = self.scoped(CareerPath).where(CareerPath.from_role_id == self.get(Role, role_id).id)
        return list(self.session.scalars(stmt.order_by(CareerPath.id)))

    def list_paths(
        self,
        query: ListQuery,
        kind: PathKind | None = None,
        role_id: int | None = None,
        from_role_id: int | None = None,
        to_role_id: int | None = None,
    ) -> Page[CareerPath]:
        """Career-path edges, by source then target role; search matches either role's title.

        `role_id` matches edges from or to that role; `from_role_id`/`to_role_id` one end only.
        """
        source, target = aliased(Role), aliased(Role)
        stmt = (
            self.scoped(CareerPath)
            .join(source, CareerPath.from_role_id == source.id)
            .join(target, CareerPath.to_role_id == target.id)
        )
        if query.search:
            titles = (source.title, target.title)
            stmt = stmt.where(or_(*(contains_text(title, query.search) for title in titles)))
        if kind is not None:
            stmt = stmt.where(CareerPath.kind == kind)
        if role_id is not None:
            stmt = stmt.where(
                or_(CareerPath.from_role_id == role_id, CareerPath.to_role_id == role_id)
            )
        if from_role_id is not None:
            stmt = stmt.where(CareerPath.from_role_id == from_role_id)
        if to_role_id is not None:
            stmt = stmt.where(CareerPath.to_role_id == to_role_id)
        order = (source.title, target.title, CareerPath.id)
        return paginate(self.session, stmt.order_by(*order), query)

    def _replace_skills(self, role: Role, specs: Sequence[RoleSkillSpec]) -> bool:
        errors: dict[str, list[str]] = {}
        seen: set[int] = set()
        for spec in specs:
            skill = self.get(Skill, spec.skill_id)
            if spec.skill_id in seen:
                errors.setdefault("skills", []).append(f"{skill.name} listed twice")
            if not 1 <= spec.level <= skill.max_level:
                errors.setdefault("skills", []).append(
                    f"{skill.name}: level must be 1..{skill.max_level}"
                )
            if not Decimal(0) < spec.weight <= Decimal(10):
                errors.setdefault("skills", []).append(
                    f"{skill.name}: weight must be > 0 and <= 10"
                )
            seen.add(spec.skill_id)
        if errors:
            raise Invalid("bad required skills", errors)
        current = {(rs.skill_id, rs.level, Decimal(rs.weight)) for rs in role.skills}
        if current == {(s.skill_id, s.level, Decimal(s.weight)) for s in specs}:
            return False
        by_skill = {rs.skill_id: rs for rs in role.skills}
        for spec in specs:
            row = by_skill.pop(spec.skill_id, None)
            if row is None:
                row = RoleSkill(tenant_id=self.tenant.id, skill_id=spec.skill_id)
                role.skills.append(row)
            row.level, row.weight = spec.level, spec.weight
        for row in by_skill.values():
            role.skills.remove(row)
        return True
