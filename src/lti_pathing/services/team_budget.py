"""A manager's yearly learning budget for their team, and what approved plans already spend."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from lti_pathing.errors import Invalid, PermissionDenied
from lti_pathing.models import ItemStatus, Person, Plan, PlanStatus, TeamBudget
from lti_pathing.services.activities import currency_problem
from lti_pathing.services.base import TenantService
from lti_pathing.services.calendar import week_date
from lti_pathing.services.team import TeamService

MAX_AMOUNT = Decimal("9999999999.99")


@dataclass(frozen=True)
class BudgetLine:
    """One calendar year of a plan's cost against its team's budget."""

    year: int
    budget: Decimal | None  # None: no budget set for that year
    currency: str | None
    committed: Decimal  # approved plans of the team, this plan left out
    this_plan: Decimal

    @property
    def left_after(self) -> Decimal | None:
        """What stays of the budget once this plan is approved (negative: over budget)."""
        return None if self.budget is None else self.budget - self.committed - self.this_plan

    @property
    def over(self) -> bool:
        """True when approving this plan would exceed the budget."""
        left = self.left_after
        return left is not None and left < 0


def costs_by_year(plan: Plan) -> dict[int, Decimal]:
    """The plan's cost per calendar year, each item in the year it starts (dropped left out)."""
    out: dict[int, Decimal] = defaultdict(Decimal)
    for item in plan.items:
        if item.status is not ItemStatus.dropped:
            out[week_date(plan, item.start_week).year] += item.activity.cost
    return out


class TeamBudgetService(TenantService):
    """Set a team's yearly budget (the manager or an admin) and weigh plans against it."""

    def budget(self, manager_id: int, year: int) -> TeamBudget | None:
        """The manager's budget for `year`, if one is set."""
        return self.session.scalar(
            self.scoped(TeamBudget).where(TeamBudget.manager_id == manager_id,
                                          TeamBudget.year == year)
        )  # fmt: skip

    def budgets(self, manager_id: int) -> list[TeamBudget]:
        """The manager's budgets, newest year first."""
        stmt = self.scoped(TeamBudget).where(TeamBudget.manager_id == manager_id)
        return list(self.session.scalars(stmt.order_by(TeamBudget.year.desc())))

    def all_budgets(self) -> list[TeamBudget]:
        """Every team budget of the tenant, by manager then newest year."""
        stmt = self.scoped(TeamBudget).join(Person, TeamBudget.manager_id == Person.id)
        return list(self.session.scalars(stmt.order_by(Person.name, TeamBudget.year.desc())))

    def managers(self) -> list[Person]:
        """Active people with reports (whose teams can have a budget), by name."""
        has_reports = select(Person.manager_id).where(Person.tenant_id == self.tenant.id)
        stmt = self.scoped(Person).where(Person.active.is_(True), Person.id.in_(has_reports))
        return list(self.session.scalars(stmt.order_by(Person.name)))

    def manager_id(self, text: str) -> int:
        """A posted manager id, if it names a manager of the tenant (else Invalid)."""
        value = text.strip()
        ids = {p.id for p in self.managers()}
        if not (value.isascii() and value.isdigit() and len(value) < 10 and int(value) in ids):
            raise Invalid("choose a manager", {"manager_id": ["choose a manager from the list"]})
        return int(value)

    def set(
        self, actor: Person, manager_id: int, year: str, amount: str, currency: str = ""
    ) -> TeamBudget:
        """Set (or change) the budget; only the manager themself or an L&D admin may."""
        if actor.id != manager_id and not actor.is_admin:
            raise PermissionDenied("only the team's manager or an L&D admin sets its budget")
        manager = self.get(Person, manager_id)
        values = _parse(year, amount, currency)
        found = self.budget(manager.id, values[0])
        if found is None:
            found = TeamBudget(manager_id=manager.id, year=values[0], amount=values[1])
            self.session.add(found)
        found.tenant_id, found.amount, found.currency = self.tenant.id, values[1], values[2]
        self.flush()
        return found

    def committed(self, manager_id: int, year: int, leave_out: int | None = None) -> Decimal:
        """What the team's approved plans spend in `year` (the plan `leave_out` not counted)."""
        team = TeamService(self.session, self.tenant).report_ids(manager_id)
        if not team:
            return Decimal(0)
        stmt = self.scoped(Plan).where(Plan.person_id.in_(team),
                                       Plan.status == PlanStatus.approved)  # fmt: skip
        if leave_out is not None:
            stmt = stmt.where(Plan.id != leave_out)
        return sum((costs_by_year(p).get(year, Decimal(0)) for p in self.session.scalars(stmt)),
                   Decimal(0))  # fmt: skip

    def lines_for(self, plan: Plan) -> Iterable[BudgetLine]:
        """For each year the plan spends in: the learner's manager's budget and what is left."""
        manager_id = plan.person.manager_id
        for year, cost in sorted(costs_by_year(plan).items()):
            budget = self.budget(manager_id, year) if manager_id is not None else None
            committed = self.committed(manager_id, year, plan.id) if manager_id else Decimal(0)
            yield BudgetLine(year, budget.amount if budget else None,
                             budget.currency if budget else None, committed, cost)  # fmt: skip


def _parse(year: str, amount: str, currency: str) -> tuple[int, Decimal, str | None]:
    """Year, amount and currency from a form, every problem listed at once."""
    errors: dict[str, list[str]] = {}
    year_value, amount_value = 0, Decimal(0)
    text = year.strip()
    if text.isascii() and text.isdigit() and len(text) == 4 and 2000 <= int(text) <= 2200:
        year_value = int(text)
    else:
        errors["year"] = ["a year between 2000 and 2200"]
    try:
        amount_value = Decimal(amount.strip())
        if not amount_value.is_finite() or not 0 <= amount_value <= MAX_AMOUNT:
            raise InvalidOperation
        amount_value = amount_value.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors["amount"] = ["an amount of 0 or more, like 5000 or 4999.50"]
    code = currency.strip().upper()  # typed in a form: "eur" is meant as EUR
    problem = currency_problem(code or None)
    if problem is not None:
        errors["currency"] = [problem]
    if errors:
        raise Invalid("the budget cannot be saved", errors)
    return year_value, amount_value, code or None
