"""Job families, roles with their required skills, career-path edges and headcount."""

from __future__ import annotations

from dataclasses import dataclass

FAMILIES = (
    ("eng", "Software Engineering", "Builds, runs and secures the product platform."),
    (
        "data",
        "Data & Analytics",
        "Turns data into decisions: analytics, data science, data engineering.",
    ),
    ("product", "Product Management & Design", "Decides what to build and designs how it works."),
    ("cs", "Customer Success", "Supports, retains and grows our customers."),
    ("people", "People & HR", "Hires, pays, develops and looks after our people."),
    ("finance", "Finance", "Accounting, planning and financial control."),
    ("exec", "Executive Leadership", "Runs the company."),
)

# The level ladder shared by every family: rank orders seniority across families.
LEVEL_RANK = {
    "entry": 1,
    "mid": 2,
    "senior": 3,
    "lead": 4,
    "principal": 5,
    "manager": 4,
    "director": 6,
}
CEO_RANK = 8


@dataclass(frozen=True)
class RoleSpec:
    """A role and the skills it requires as (skill, level, weight)."""

    id: str
    title: str
    family: str
    level: str
    skills: tuple[tuple[str, int, int], ...]
    critical: bool = False
    description: str = ""

    @property
    def track(self) -> str:
        """Management for manager and director levels, individual otherwise."""
        return "management" if self.level in ("manager", "director") else "individual"

    @property
    def level_rank(self) -> int:
        """Seniority rank, comparable across families."""
        return CEO_RANK if self.id == "ceo" else LEVEL_RANK[self.level]


def _r(
    id_: str, title: str, family: str, level: str, skills: str, desc: str, critical: bool = False
) -> RoleSpec:
    """Parse 'skill:level:weight ...' into a RoleSpec."""
    parsed = tuple(
        (name, int(level_), int(weight))
        for name, level_, weight in (item.split(":") for item in skills.split())
    )
    return RoleSpec(id_, title, family, level, parsed, critical, desc)


# fmt: off
ROLES: tuple[RoleSpec, ...] = (
    # --- Software Engineering -----------------------------------------------------------------
    _r("swe-1", "Software Engineer I", "eng", "entry",
       "python:2:3 javascript:2:2 unit-testing:2:2 debugging:2:2 agile-dev:2:1 software-design:1:1",
       "Delivers well-defined tasks on a product team with support."),
    _r("swe-2", "Software Engineer II", "eng", "mid",
       "python:3:3 typescript:2:2 unit-testing:3:2 debugging:3:2 software-design:2:2 "
       "agile-dev:2:1 cloud-deploy:2:1",
       "Delivers features end to end within a team."),
    _r("swe-3", "Senior Software Engineer", "eng", "senior",
       "python:4:3 typescript:3:2 unit-testing:4:2 debugging:4:2 software-design:3:3 "
       "cloud-architecture:3:2 cyber-security:2:1 coach:2:1",
       "Leads the technical work of a team and raises its quality bar."),
    _r("swe-4", "Staff Engineer", "eng", "lead",
       "python:4:2 software-design:4:3 cloud-architecture:4:3 debugging:4:2 "
       "stakeholder-comms:3:2 coach:3:2 cyber-security:3:1 project-management:2:1",
       "Leads technical direction across several teams."),
    _r("swe-5", "Principal Engineer", "eng", "principal",
       "software-design:5:3 cloud-architecture:4:3 stakeholder-comms:4:2 strategic-planning:3:2 "
       "coach:3:2 present-reports:3:1 cyber-security:3:1",
       "Sets the technical strategy of the engineering organisation.", critical=True),
    _r("sre-2", "Site Reliability Engineer", "eng", "mid",
       "devops:3:3 containers:3:3 cloud-deploy:3:2 cloud-incidents:2:2 python:2:1 debugging:3:2",
       "Keeps production reliable through automation and on-call."),
    _r("sre-3", "Senior Site Reliability Engineer", "eng", "senior",
       "devops:4:3 containers:4:2 cloud-deploy:4:2 cloud-incidents:4:3 cloud-architecture:3:2 "
       "python:3:1 cyber-security:3:1 security-testing:2:1",
       "Leads reliability engineering for a group of services."),
    _r("em-1", "Engineering Manager", "eng", "manager",
       "lead-team:3:3 coach:3:3 feedback:3:2 delegate:3:2 agile-dev:3:2 software-design:3:1 "
       "project-management:3:2 recruit:2:1 budgets:1:1",
       "Leads an engineering team: people, delivery and hiring."),
    _r("dir-eng", "Director of Engineering", "eng", "director",
       "lead-team:4:3 strategic-planning:4:3 budgets:3:2 recruit:3:2 change-management:3:2 "
       "stakeholder-comms:4:2 delegate:4:2 cloud-architecture:3:1",
       "Leads the engineering organisation.", critical=True),
    # --- Data & Analytics ---------------------------------------------------------------------
    _r("da-1", "Junior Data Analyst", "data", "entry",
       "sql:2:3 statistics:2:2 data-visualisation:2:2 data-quality:1:1 present-reports:1:1",
       "Answers routine business questions with data."),
    _r("da-2", "Data Analyst", "data", "mid",
       "sql:3:3 statistics:3:2 data-visualisation:3:3 business-intelligence:2:2 data-quality:2:1 "
       "present-reports:2:2 stakeholder-comms:2:1",
       "Owns the analytics for a business area."),
    _r("da-3", "Senior Data Analyst", "data", "senior",
       "sql:4:3 statistical-analysis:3:3 data-visualisation:4:2 business-intelligence:3:2 "
       "present-reports:3:2 stakeholder-comms:3:2 data-models:2:1",
       "Leads analyses that shape decisions across teams."),
    _r("ds-2", "Data Scientist", "data", "mid",
       "python:3:3 statistics:3:3 machine-learning:3:3 statistical-analysis:3:2 sql:3:2 "
       "data-visualisation:2:1",
       "Builds models that predict and explain customer behaviour."),
    _r("ds-3", "Senior Data Scientist", "data", "senior",
       "python:4:2 machine-learning:4:3 statistical-analysis:4:3 predictive-models:4:3 sql:3:1 "
       "present-reports:3:2 stakeholder-comms:3:1",
       "Leads modelling work from framing to production."),
    _r("ds-4", "Lead Data Scientist", "data", "lead",
       "machine-learning:5:3 predictive-models:4:2 statistical-analysis:4:2 coach:3:2 "
       "stakeholder-comms:4:2 project-management:3:1 software-design:3:1",
       "Sets the direction of data science and mentors the team.", critical=True),
    _r("de-2", "Data Engineer", "data", "mid",
       "python:3:3 sql:4:3 data-models:3:3 data-quality:3:2 cloud-deploy:2:1 unit-testing:2:1",
       "Builds and runs the pipelines and warehouse models."),
    _r("mgr-analytics", "Analytics Manager", "data", "manager",
       "lead-team:3:3 coach:3:2 business-intelligence:4:2 stakeholder-comms:4:2 "
       "prioritise-requests:3:2 data-visualisation:3:1 feedback:3:2",
       "Leads a team of analysts and data scientists."),
    _r("dir-data", "Director of Data", "data", "director",
       "lead-team:4:3 strategic-planning:4:3 data-models:4:2 business-intelligence:4:2 "
       "budgets:3:2 stakeholder-comms:4:2 change-management:3:1",
       "Leads the data organisation and its strategy.", critical=True),
    # --- Product Management & Design ----------------------------------------------------------
    _r("apm", "Associate Product Manager", "product", "entry",
       "user-requirements:2:3 prioritise-requests:2:2 market-research:1:1 agile-dev:2:2 "
       "stakeholder-comms:2:1 product-lifecycle:1:1",
       "Supports a product team with discovery and delivery."),
    _r("pm", "Product Manager", "product", "mid",
       "user-requirements:3:3 prioritise-requests:3:3 product-lifecycle:3:2 market-research:2:2 "
       "stakeholder-comms:3:2 sql:2:1 usability:2:1",
       "Owns the outcomes of one product area."),
    _r("spm", "Senior Product Manager", "product", "senior",
       "product-lifecycle:4:3 prioritise-requests:4:3 market-research:3:2 pricing:2:1 "
       "stakeholder-comms:4:2 present-reports:3:2 data-visualisation:2:1 "
       "negotiate-stakeholders:3:1",
       "Owns a product line and its strategy."),
    _r("gpm", "Group Product Manager", "product", "manager",
       "lead-team:3:3 coach:3:2 product-lifecycle:4:2 prioritise-requests:4:2 "
       "strategic-planning:3:2 pricing:3:1 feedback:3:2",
       "Leads a group of product managers."),
    _r("pd-2", "Product Designer", "product", "mid",
       "ux-prototyping:3:3 usability:3:3 user-requirements:2:2 present-reports:2:1 javascript:1:1",
       "Designs flows and interfaces and tests them with users."),
    _r("pd-3", "Senior Product Designer", "product", "senior",
       "ux-prototyping:4:3 usability:4:3 user-requirements:3:2 stakeholder-comms:3:2 coach:2:1 "
       "market-research:2:1",
       "Leads design for a product line and the design system."),
    _r("dir-product", "Director of Product", "product", "director",
       "strategic-planning:4:3 product-lifecycle:5:3 pricing:4:2 market-research:4:2 "
       "lead-team:4:2 stakeholder-comms:4:2 budgets:3:1",
       "Leads product management and design.", critical=True),
    # --- Customer Success ---------------------------------------------------------------------
    _r("css-1", "Customer Support Specialist", "cs", "entry",
       "customer-service:2:3 complaints:2:3 crm:2:2 customer-needs:1:1 debugging:1:1",
       "Resolves customer questions and issues across channels."),
    _r("csm-2", "Customer Success Manager", "cs", "mid",
       "customer-relationships:3:3 customer-needs:3:3 crm:3:2 present-reports:2:1 "
       "sales-strategies:2:2 negotiate-stakeholders:2:1",
       "Owns the success and renewal of a book of customers."),
    _r("csm-3", "Senior Customer Success Manager", "cs", "senior",
       "customer-relationships:4:3 customer-needs:4:2 negotiate-stakeholders:3:3 "
       "sales-strategies:3:2 present-reports:3:2 financial-analysis:1:1 business-intelligence:2:1",
       "Owns strategic accounts and their expansion."),
    _r("sc-3", "Solutions Consultant", "cs", "senior",
       "customer-needs:4:3 user-requirements:3:2 cloud-architecture:2:2 present-reports:4:2 "
       "python:2:1 negotiate-stakeholders:2:1",
       "Designs technical solutions with customers before and after the sale."),
    _r("mgr-cs", "Customer Success Team Lead", "cs", "manager",
       "lead-team:3:3 coach:3:2 customer-relationships:4:2 crm:3:1 feedback:3:2 budgets:2:1 "
       "complaints:4:1",
       "Leads a team of support specialists or customer success managers."),
    _r("dir-cs", "Director of Customer Success", "cs", "director",
       "lead-team:4:3 strategic-planning:4:3 customer-relationships:5:2 sales-strategies:4:2 "
       "negotiate-stakeholders:4:2 budgets:3:2 change-management:3:1",
       "Leads customer support and success.", critical=True),
    # --- People & HR --------------------------------------------------------------------------
    _r("poc", "People Operations Coordinator", "people", "entry",
       "hrm:2:3 payroll:2:2 labour-law:1:2 stakeholder-comms:1:1 training-needs:1:1",
       "Runs everyday people processes: onboarding, records, payroll inputs."),
    _r("hrg", "HR Generalist", "people", "mid",
       "hrm:3:3 labour-law:3:3 payroll:2:1 recruit:2:1 conflict:2:2 feedback:2:1",
       "Advises employees and managers on people matters."),
    _r("hrbp", "Senior HR Business Partner", "people", "senior",
       "hrm:4:3 labour-law:4:2 talent-management:3:3 coach:3:2 conflict:3:2 "
       "change-management:3:2 stakeholder-comms:3:1",
       "Partners with a function's leaders on organisation and talent."),
    _r("ta-2", "Talent Acquisition Specialist", "people", "mid",
       "recruit:3:3 crm:2:1 negotiate-stakeholders:2:2 labour-law:2:1 stakeholder-comms:2:1 "
       "market-research:1:1",
       "Runs hiring for several teams."),
    _r("ld-2", "Learning & Development Specialist", "people", "mid",
       "training-needs:3:3 training-programmes:3:3 present-reports:3:2 talent-management:2:1 "
       "project-management:2:1 data-visualisation:1:1",
       "Designs and runs learning programmes and career paths."),
    _r("mgr-people", "People Operations Manager", "people", "manager",
       "lead-team:3:3 hrm:4:2 payroll:3:2 labour-law:3:2 budgets:2:1 coach:3:2",
       "Leads people operations, payroll and HR advice."),
    _r("dir-people", "Director of People", "people", "director",
       "strategic-planning:4:3 talent-management:4:3 hrm:4:2 labour-law:4:2 "
       "change-management:4:2 lead-team:4:2 budgets:3:1",
       "Leads the people function.", critical=True),
    # --- Finance ------------------------------------------------------------------------------
    _r("acc-1", "Junior Accountant", "finance", "entry",
       "accounting-techniques:2:3 financial-statements:2:2 tax-legislation:1:1 budgets:1:1 "
       "data-quality:1:1",
       "Posts transactions and reconciles accounts."),
    _r("acc-2", "Accountant", "finance", "mid",
       "accounting-techniques:3:3 financial-statements:3:2 tax-legislation:2:2 budgets:2:1 sql:1:1",
       "Runs parts of the month-end close."),
    _r("fa-2", "Financial Analyst", "finance", "mid",
       "financial-analysis:3:3 forecasting:2:2 financial-statements:3:2 budgets:2:2 "
       "data-visualisation:2:1 sql:2:1",
       "Analyses performance and supports budgeting."),
    _r("fa-3", "Senior Financial Analyst", "finance", "senior",
       "financial-analysis:4:3 forecasting:4:3 budgets:3:2 present-reports:3:2 "
       "stakeholder-comms:3:1 predictive-models:2:1",
       "Partners with a function's leaders on plans and performance."),
    _r("fpa-lead", "FP&A Lead", "finance", "lead",
       "forecasting:4:3 financial-analysis:4:3 budgets:4:2 financial-risk:3:2 "
       "stakeholder-comms:4:2 present-reports:3:1 coach:2:1",
       "Leads planning, forecasting and the budget cycle."),
    _r("mgr-finance", "Finance Manager", "finance", "manager",
       "accounting-techniques:4:3 financial-statements:4:2 tax-legislation:3:2 lead-team:3:3 "
       "financial-risk:3:1 coach:3:1",
       "Leads accounting and the close."),
    _r("dir-finance", "Director of Finance", "finance", "director",
       "strategic-planning:4:3 financial-risk:4:3 financial-statements:5:2 budgets:4:2 "
       "lead-team:4:2 tax-legislation:3:1 stakeholder-comms:4:2",
       "Leads finance and reports to the board.", critical=True),
    # --- Executive ----------------------------------------------------------------------------
    _r("ceo", "Chief Executive Officer", "exec", "director",
       "strategic-planning:5:3 stakeholder-comms:5:3 negotiate-stakeholders:5:2 lead-team:5:3 "
       "change-management:4:2 financial-statements:3:1 budgets:3:1",
       "Leads the company.", critical=True),
)
# fmt: on

# Required (role, skill) pairs that nothing in the catalog teaches to the required level, on
# purpose: expert strategy and negotiation and principal-level design come from years on the
# job. Plans towards these roles show an open gap whose reason is "nothing teaches it".
# fmt: off
HARD_GAPS = frozenset({
    ("swe-5", "software-design"),
    ("ceo", "strategic-planning"),
    ("ceo", "negotiate-stakeholders"),
})
# fmt: on

_V, _L, _X = "vertical", "lateral", "cross_functional"

# fmt: off
CAREER_PATHS: tuple[tuple[str, str, str], ...] = (
    # ladders
    ("swe-1", "swe-2", _V), ("swe-2", "swe-3", _V), ("swe-3", "swe-4", _V), ("swe-4", "swe-5", _V),
    ("sre-2", "sre-3", _V), ("em-1", "dir-eng", _V),
    ("da-1", "da-2", _V), ("da-2", "da-3", _V), ("ds-2", "ds-3", _V), ("ds-3", "ds-4", _V),
    ("mgr-analytics", "dir-data", _V),
    ("apm", "pm", _V), ("pm", "spm", _V), ("pd-2", "pd-3", _V), ("gpm", "dir-product", _V),
    ("css-1", "csm-2", _V), ("csm-2", "csm-3", _V), ("mgr-cs", "dir-cs", _V),
    ("poc", "hrg", _V), ("hrg", "hrbp", _V), ("mgr-people", "dir-people", _V),
    ("acc-1", "acc-2", _V), ("acc-2", "mgr-finance", _V), ("fa-2", "fa-3", _V),
    ("fa-3", "fpa-lead", _V), ("mgr-finance", "dir-finance", _V),
    ("dir-eng", "ceo", _V), ("dir-product", "ceo", _V), ("dir-finance", "ceo", _V),
    # between tracks and specialisms
    ("swe-3", "em-1", _L), ("swe-4", "em-1", _L), ("em-1", "swe-4", _L),
    ("swe-2", "sre-2", _L), ("sre-2", "swe-2", _L), ("swe-3", "sre-3", _L), ("sre-3", "swe-3", _L),
    ("da-2", "ds-2", _L), ("de-2", "ds-2", _L), ("da-3", "ds-3", _L),
    ("da-3", "mgr-analytics", _L), ("ds-4", "mgr-analytics", _L),
    ("spm", "gpm", _L), ("pd-3", "spm", _L),
    ("csm-3", "mgr-cs", _L), ("csm-3", "sc-3", _L),
    ("hrg", "ta-2", _L), ("ta-2", "hrg", _L), ("hrg", "ld-2", _L), ("hrbp", "mgr-people", _L),
    ("acc-2", "fa-2", _L), ("fpa-lead", "mgr-finance", _L),
    # between families
    ("css-1", "da-1", _X), ("csm-2", "apm", _X), ("csm-3", "spm", _X), ("da-2", "pm", _X),
    ("da-2", "fa-2", _X), ("fa-2", "da-2", _X), ("swe-2", "de-2", _X), ("de-2", "swe-2", _X),
    ("swe-3", "sc-3", _X), ("sc-3", "spm", _X), ("swe-3", "spm", _X), ("ld-2", "pm", _X),
    ("css-1", "poc", _X), ("ta-2", "csm-2", _X), ("pd-2", "swe-2", _X),
)
# fmt: on

# Individual contributors per role; managers are added at about one per seven reports.
# fmt: off
HEADCOUNT: dict[str, dict[str, int]] = {
    "eng": {"swe-1": 10, "swe-2": 22, "swe-3": 14, "swe-4": 4, "sre-2": 5, "sre-3": 3},
    "data": {"da-1": 4, "da-2": 7, "da-3": 3, "ds-2": 4, "ds-3": 3, "ds-4": 1, "de-2": 4},
    "product": {"apm": 3, "pm": 8, "spm": 4, "pd-2": 4, "pd-3": 2},
    "cs": {"css-1": 16, "csm-2": 10, "csm-3": 5, "sc-3": 3},
    "people": {"poc": 3, "hrg": 4, "hrbp": 2, "ta-2": 3, "ld-2": 2},
    "finance": {"acc-1": 3, "acc-2": 4, "fa-2": 4, "fa-3": 2, "fpa-lead": 1},
}
# fmt: on
# Roles whose holders report straight to the family's director.
REPORTS_TO_DIRECTOR = frozenset({"swe-5", "ds-4", "fpa-lead"})
EXTRA_DIRECTOR_REPORTS = {"eng": {"swe-5": 1}}
MANAGER_ROLE = {
    "eng": "em-1",
    "data": "mgr-analytics",
    "product": "gpm",
    "cs": "mgr-cs",
    "people": "mgr-people",
    "finance": "mgr-finance",
}
DIRECTOR_ROLE = {
    "eng": "dir-eng",
    "data": "dir-data",
    "product": "dir-product",
    "cs": "dir-cs",
    "people": "dir-people",
    "finance": "dir-finance",
}
