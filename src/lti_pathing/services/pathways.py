"""Where a person could go: career-path moves out of a role, and how well they fit each target."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lti_pathing.models import CareerPath, PathKind, Role, RoleSkill
from lti_pathing.services.base import TenantService

MAX_DEPTH = 2


@dataclass(frozen=True)
class SkillGap:
    """One required skill of a role next to the person's level."""

    skill_id: int
    skill: str
    level: int
    required: int
    weight: Decimal

    @property
    def missing(self) -> int:
        """Levels still to gain (0 when met)."""
        return max(0, self.required - self.level)


@dataclass(frozen=True)
class Fit:
    """How close a person's levels are to a role's requirements (weighted share met)."""

    role: Role
    score: float
    gaps: list[SkillGap] = field(default_factory=list)

    @property
    def open_gaps(self) -> list[SkillGap]:
        """The required skills not met yet."""
        return [gap for gap in self.gaps if gap.missing]

    @property
    def percent(self) -> int:
        """The score as a whole percentage (rounded down, so 100 means every level is met)."""
        return int(self.score * 100)


@dataclass(frozen=True)
class Move:
    """A possible next role: the edge's kind, how many hops away, and the fit."""

    kind: PathKind
    depth: int
    via: Role | None
    fit: Fit


def fit_for(role: Role, levels: Mapping[int, int]) -> Fit:
    """The fit of levels (skill id -> level) to the role's required skills."""
    gaps = [
        SkillGap(rs.skill_id, rs.skill.name, levels.get(rs.skill_id, 0), rs.level, rs.weight)
        for rs in role.skills
    ]
    total = sum(g.weight * g.required for g in gaps)
    met = sum(g.weight * min(g.level, g.required) for g in gaps)
    score = float(met / total) if total else 1.0
    gaps.sort(key=lambda g: (-g.missing * g.weight, g.skill))
    return Fit(role, score, gaps)


class PathwayService(TenantService):
    """The career-path graph as a person sees it from their role."""

    def moves(self, from_role_id: int, levels: Mapping[int, int]) -> list[Move]:
        """Roles reachable in up to two moves from `from_role_id`, best fit first per hop."""
        start = self.get(Role, from_role_id)
        seen = {start.id}
        # role id -> the first move on the way to its children (None for the start role)
        frontier: dict[int, Role | None] = {start.id: None}
        moves: list[Move] = []
        for depth in range(1, MAX_DEPTH + 1):
            found: list[Move] = []
            for edge in self._edges_from(list(frontier)):
                if edge.to_role_id in seen or not edge.to_role.active:
                    continue
                seen.add(edge.to_role_id)
                via = frontier[edge.from_role_id]
                found.append(Move(edge.kind, depth, via, fit_for(edge.to_role, levels)))
            found.sort(key=lambda m: (-m.fit.score, m.fit.role.title))
            moves += found
            frontier = {m.fit.role.id: m.via or m.fit.role for m in found}
        return moves

    def route(self, from_role_id: int | None, to_role_id: int) -> list[Role]:
        """The roles a person passes through on the way to `to_role_id`, as `moves` shows it.

        Empty for a direct move, for the person's own role, and for a role the career paths do
        not reach from `from_role_id` (a target picked outside the graph is planned directly).
        """
        if from_role_id is None or from_role_id == to_role_id:
            return []
        for move in self.moves(from_role_id, {}):
            if move.fit.role.id == to_role_id:
                return [move.via] if move.via is not None else []
        return []

    def roles(self) -> list[Role]:
        """Active roles a person may pick as a target, by family and seniority."""
        stmt = (
            self.scoped(Role)
            .where(Role.active.is_(True))
            .options(selectinload(Role.family))  # the pickers group roles by family
        )
        return list(
            self.session.scalars(stmt.order_by(Role.family_id, Role.level_rank, Role.title))
        )

    def role_with_skills(self, role_id: int) -> Role:
        """A role with its required skills loaded."""
        stmt = (
            self.scoped(Role)
            .where(Role.id == role_id)
            .options(selectinload(Role.skills).selectinload(RoleSkill.skill))
        )
        role = self.session.scalar(stmt)
        return role if role is not None else self.get(Role, role_id)

    def _edges_from(self, role_ids: list[int]) -> list[CareerPath]:
        if not role_ids:
            return []
        stmt = (
            select(CareerPath)
            .where(CareerPath.tenant_id == self.tenant.id, CareerPath.from_role_id.in_(role_ids))
            .options(
                selectinload(CareerPath.to_role)
                .selectinload(Role.skills)
                .selectinload(RoleSkill.skill)
            )
            .order_by(CareerPath.id)
        )
        return list(self.session.scalars(stmt))
