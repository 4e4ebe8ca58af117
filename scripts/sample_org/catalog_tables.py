"""Hand-written catalog items: certifications, stretch assignments, peer groups, extra courses.

Providers and certifications are fictitious; any likeness to a real programme is coincidental.
Skill lists are written as "skill:level skill:level".
"""

from __future__ import annotations

from dataclasses import dataclass

INTERNAL = "Larkspur Academy"
EXTERNAL_PROVIDERS = (
    "Brightpath Learning",
    "Skillforge Online",
    "Meridian Business School",
    "Open Campus Online",
    "Cobalt Tech Institute",
)


@dataclass(frozen=True)
class ItemSpec:
    """A hand-written catalog item; windows are (earliest_start, latest_end) ISO dates."""

    id: str
    title: str
    outcomes: str
    requires: str = ""
    weeks: int = 8
    hours: float = 4
    cost: int = 0
    currency: str | None = None
    provider: str = INTERNAL
    seats: int | None = None
    window: tuple[str, str] | None = None
    prereqs: tuple[str, ...] = ()
    description: str = ""


# fmt: off
CERTIFICATIONS: tuple[ItemSpec, ...] = (
    ItemSpec("cert-cloud-assoc", "Certified Cloud Solutions Architect – Associate",  # noqa: RUF001
             "cloud-architecture:3 cloud-deploy:3", "cloud-deploy:2", 8, 4, 150, "USD",
             "Cloud Practitioners Guild"),
    ItemSpec("cert-cloud-pro", "Certified Cloud Solutions Architect – Professional",  # noqa: RUF001
             "cloud-architecture:4", "cloud-architecture:3", 10, 5, 300, "USD",
             "Cloud Practitioners Guild", prereqs=("cert-cloud-assoc",)),
    ItemSpec("cert-k8s-operator", "Certified Kubernetes Operator", "containers:4",
             "containers:3", 8, 5, 395, "USD", "Cloud Practitioners Guild"),
    ItemSpec("cert-devops", "DevOps Practitioner Certificate", "devops:3", "devops:2", 6, 3,
             250, "EUR", "Cobalt Tech Institute"),
    ItemSpec("cert-security-foundation", "Information Security Foundation Certificate",
             "cyber-security:3", "cyber-security:2", 6, 3, 200, "EUR", "Cobalt Tech Institute"),
    ItemSpec("cert-pentest", "Certified Web Application Penetration Tester",
             "security-testing:4", "security-testing:3 cyber-security:3", 12, 6, 1200, "EUR",
             "Cobalt Tech Institute", prereqs=("security-testing-practice",)),
    ItemSpec("cert-agile-team", "Professional Agile Team Member", "agile-dev:3", "", 2, 3,
             150, "USD", "Open Campus Online"),
    ItemSpec("cert-java", "Certified Java Developer", "java:4", "java:3", 10, 4, 245, "USD",
             "Cobalt Tech Institute"),
    ItemSpec("cert-sql", "Certified SQL Analyst", "sql:3", "sql:2", 4, 3, 120, "EUR",
             "Skillforge Online"),
    ItemSpec("cert-ml", "Machine Learning Engineer Certificate", "machine-learning:4",
             "machine-learning:3 python:3", 12, 5, 200, "USD", "Skillforge Online",
             prereqs=("machine-learning-practice",)),
    ItemSpec("cert-bi", "Business Intelligence Analyst Certificate",
             "business-intelligence:3 data-visualisation:3", "sql:2", 6, 4, 165, "EUR",
             "Skillforge Online"),
    ItemSpec("cert-data-eng", "Certified Data Engineer – Associate",  # noqa: RUF001
             "data-models:3 data-quality:3", "sql:3", 8, 4, 200, "USD", "Skillforge Online"),
    ItemSpec("cert-product", "Certified Product Manager",
             "product-lifecycle:3 user-requirements:3", "", 6, 4, 495, "EUR",
             "Meridian Business School"),
    ItemSpec("cert-ux", "UX Design Professional Certificate", "ux-prototyping:3 usability:3",
             "", 12, 5, 450, "EUR", "Open Campus Online"),
    ItemSpec("cert-csm", "Certified Customer Success Manager",
             "customer-relationships:3 customer-needs:3", "", 6, 3, 600, "USD",
             "Brightpath Learning"),
    ItemSpec("cert-service", "Customer Service Excellence Certificate",
             "customer-service:3 complaints:3", "", 4, 2, 180, "EUR", "Brightpath Learning"),
    ItemSpec("cert-negotiation", "Negotiation Certificate Programme", "negotiate-stakeholders:4",
             "negotiate-stakeholders:3", 8, 4, 1500, "EUR", "Meridian Business School"),
    ItemSpec("cert-people-practice", "Certificate in People Practice", "hrm:3 labour-law:2", "",
             12, 4, 900, "EUR", "Meridian Business School"),
    ItemSpec("cert-strategic-people", "Advanced Diploma in Strategic People Management",
             "hrm:4 talent-management:4", "hrm:3", 12, 6, 1450, "EUR",
             "Meridian Business School", prereqs=("cert-people-practice",)),
    ItemSpec("cert-payroll", "Certified Payroll Professional", "payroll:4", "payroll:3", 10, 4,
             650, "EUR", "Brightpath Learning"),
    ItemSpec("cert-learning", "Certificate in Learning and Development Practice",
             "training-needs:3 training-programmes:3", "", 12, 4, 1100, "EUR",
             "Meridian Business School"),
    ItemSpec("cert-fin-modelling", "Financial Modelling and Valuation Analyst",
             "financial-analysis:4 forecasting:3", "financial-analysis:3", 12, 5, 500, "USD",
             "Meridian Business School", prereqs=("financial-analysis-practice",)),
    ItemSpec("cert-fin-accounting", "Certificate in Financial Accounting",
             "accounting-techniques:3 financial-statements:3", "", 10, 5, 350, "EUR",
             "Meridian Business School"),
    ItemSpec("cert-intl-tax", "Certificate in International Tax", "tax-legislation:4",
             "tax-legislation:3", 12, 4, 950, "EUR", "Meridian Business School"),
    ItemSpec("cert-project", "Project Management Professional Certificate",
             "project-management:4", "project-management:3", 12, 6, 555, "USD",
             "Open Campus Online"),
    ItemSpec("cert-change", "Change Management Practitioner", "change-management:4",
             "change-management:3", 8, 4, 1250, "EUR", "Meridian Business School"),
    ItemSpec("cert-fin-risk", "Financial Risk Manager – Part I", "financial-risk:4",  # noqa: RUF001
             "financial-risk:3", 12, 8, 1100, "USD", "Meridian Business School"),
)
# fmt: on

# Mentorship topics: (skill, level granted, level required to start).
# fmt: off
MENTORSHIPS: tuple[tuple[str, int, int], ...] = (
    ("python", 5, 4), ("software-design", 4, 3), ("cloud-architecture", 4, 3),
    ("devops", 4, 3), ("cloud-incidents", 4, 3), ("cyber-security", 4, 3),
    ("machine-learning", 5, 4), ("predictive-models", 4, 3), ("statistical-analysis", 4, 3),
    ("business-intelligence", 4, 3), ("product-lifecycle", 5, 4),
    ("prioritise-requests", 4, 3), ("pricing", 4, 3), ("ux-prototyping", 4, 3),
    ("market-research", 4, 3), ("customer-relationships", 5, 4), ("customer-needs", 4, 3),
    ("sales-strategies", 4, 3), ("talent-management", 4, 3), ("labour-law", 4, 3),
    ("financial-statements", 5, 4), ("forecasting", 4, 3), ("lead-team", 4, 3),
    ("lead-team", 5, 4), ("coach", 4, 3), ("strategic-planning", 4, 3),
    ("stakeholder-comms", 5, 4), ("present-reports", 4, 3),
)
# fmt: on

S27_H1 = ("2027-01-04", "2027-06-25")
S27_H2 = ("2027-07-05", "2027-12-17")
S27_Q4 = ("2027-09-06", "2027-12-17")

# fmt: off
STRETCH: tuple[ItemSpec, ...] = (
    ItemSpec("str-k8s-migration", "Migrate a service to the Kubernetes platform",
             "containers:4 cloud-deploy:3", "containers:3", 8, 4, seats=2),
    ItemSpec("str-incident-commander", "Serve as incident commander for a quarter",
             "cloud-incidents:4 stakeholder-comms:3", "cloud-incidents:3", 12, 3, seats=2),
    ItemSpec("str-design-lead", "Lead the design of a cross-team feature",
             "software-design:4 stakeholder-comms:3", "software-design:3", 10, 5, seats=3),
    ItemSpec("str-tech-lead", "Act as tech lead for a product squad",
             "software-design:4 coach:3 project-management:3", "software-design:3", 12, 6,
             seats=2),
    ItemSpec("str-threat-model", "Run threat modelling for a new product area",
             "cyber-security:4 security-testing:3", "cyber-security:3", 6, 4, seats=2),
    ItemSpec("str-pipeline", "Rebuild a team's build and release pipeline",
             "devops:4 cloud-deploy:4", "devops:3", 8, 5, seats=2),
    ItemSpec("str-perf-taskforce", "Join the performance and debugging task force",
             "debugging:4 python:4", "debugging:3 python:3", 6, 5, seats=2, window=S27_H1),
    ItemSpec("str-ts-migration", "Migrate a front-end codebase to TypeScript",
             "typescript:4 javascript:4", "typescript:3", 10, 5, seats=2),
    ItemSpec("str-churn-model", "Build the customer churn model",
             "predictive-models:4 machine-learning:4", "machine-learning:3", 12, 6, seats=2,
             window=S27_H1),
    ItemSpec("str-ml-production", "Put a machine-learning model into production",
             "machine-learning:5 software-design:3", "machine-learning:4 python:3", 12, 5,
             seats=1),
    ItemSpec("str-metrics-layer", "Define governed metrics for a business area",
             "business-intelligence:4 data-models:3", "business-intelligence:3", 8, 4, seats=2),
    ItemSpec("str-data-quality", "Run a data-quality sprint on a source system",
             "data-quality:4 sql:4", "data-quality:3 sql:3", 6, 4, seats=3),
    ItemSpec("str-exec-dashboard", "Build the executive KPI dashboard",
             "data-visualisation:4 present-reports:3", "data-visualisation:3", 6, 4, seats=1,
             window=S27_H2),
    ItemSpec("str-ab-test", "Design and analyse a product A/B test",
             "statistical-analysis:4 statistics:4", "statistics:3", 6, 3, seats=3),
    ItemSpec("str-pricing-test", "Run a packaging and pricing experiment",
             "pricing:4 market-research:3", "pricing:3", 10, 4, seats=1, window=S27_H1),
    ItemSpec("str-feature-launch", "Own the launch of a new feature",
             "product-lifecycle:4 stakeholder-comms:3", "product-lifecycle:3", 8, 5, seats=2),
    ItemSpec("str-discovery", "Lead a discovery sprint with customers",
             "customer-needs:4 user-requirements:4 usability:3", "user-requirements:3", 4, 6,
             seats=2),
    ItemSpec("str-design-system", "Extend the design system with a new component family",
             "ux-prototyping:4", "ux-prototyping:3", 8, 4, seats=2),
    ItemSpec("str-strategic-renewal", "Lead a strategic account renewal",
             "customer-relationships:5 negotiate-stakeholders:4", "customer-relationships:4",
             12, 4, seats=1),
    ItemSpec("str-expansion-plan", "Build an expansion plan for a key account",
             "sales-strategies:4 customer-relationships:4", "sales-strategies:3", 8, 3, seats=3),
    ItemSpec("str-escalations", "Rewrite the support escalation playbook",
             "complaints:4 customer-service:4", "complaints:3", 6, 3, seats=2),
    ItemSpec("str-crm-automation", "Automate a customer-success workflow in the CRM", "crm:4",
             "crm:3", 6, 3, seats=2),
    ItemSpec("str-hiring-drive", "Run a hiring drive for a new team",
             "recruit:4 stakeholder-comms:3", "recruit:3", 12, 5, seats=1),
    ItemSpec("str-talent-review", "Facilitate the annual talent review for a function",
             "talent-management:4 coach:3", "talent-management:3", 8, 4, seats=2, window=S27_Q4),
    ItemSpec("str-academy-module", "Design a Larkspur Academy learning module",
             "training-programmes:4 training-needs:4", "training-programmes:3", 10, 4, seats=2),
    ItemSpec("str-payroll-provider", "Lead the payroll provider transition",
             "payroll:4 project-management:3", "payroll:3", 12, 5, seats=1, window=S27_H2),
    ItemSpec("str-close-owner", "Own the month-end close for one entity",
             "accounting-techniques:4 financial-statements:4", "accounting-techniques:3", 12, 4,
             seats=2),
    ItemSpec("str-budget-cycle", "Coordinate the annual budget for a department",
             "budgets:4 forecasting:3", "budgets:3", 10, 4, seats=2, window=S27_Q4),
    ItemSpec("str-board-pack", "Prepare the quarterly board pack",
             "financial-statements:5 present-reports:4", "financial-statements:4", 8, 4, seats=1),
    ItemSpec("str-hedging-review", "Review the currency hedging policy", "financial-risk:4",
             "financial-risk:3", 6, 3, seats=1),
    ItemSpec("str-acting-manager", "Act as manager of a team during a leave of absence",
             "lead-team:4 delegate:4 feedback:4", "lead-team:3", 12, 8, seats=1,
             prereqs=("lead-team-practice",)),
    ItemSpec("str-tool-rollout", "Lead the company-wide rollout of a new tool",
             "change-management:4 project-management:4", "change-management:3", 12, 4, seats=1,
             window=S27_H2),
    ItemSpec("str-company-initiative", "Lead a company-wide strategic initiative",
             "lead-team:5 stakeholder-comms:5 strategic-planning:4", "lead-team:4", 12, 6,
             seats=1, prereqs=("executive-presence",)),
)
# fmt: on

# fmt: off
PEER_GROUPS: tuple[ItemSpec, ...] = (
    ItemSpec("peer-new-managers", "New Managers Circle",
             "lead-team:3 feedback:3 delegate:3", "", 12, 1.5, seats=10),
    ItemSpec("peer-women-leadership", "Women in Leadership Circle",
             "lead-team:3 stakeholder-comms:3 present-reports:3", "", 12, 1.5, seats=12),
    ItemSpec("peer-python-guild", "Python Guild", "python:3 unit-testing:3", "python:2", 10, 1,
             seats=12),
    ItemSpec("peer-frontend-guild", "Front-end Guild", "javascript:3 typescript:3",
             "javascript:2", 10, 1, seats=12),
    ItemSpec("peer-reliability-guild", "Reliability Guild", "devops:3 cloud-incidents:3",
             "devops:2", 10, 1, seats=10),
    ItemSpec("peer-security-champions", "Security Champions",
             "cyber-security:3 security-testing:2", "", 12, 1, seats=12),
    ItemSpec("peer-analytics-guild", "Analytics Guild", "sql:3 data-visualisation:3", "sql:2", 10,
             1, seats=12),
    ItemSpec("peer-ml-reading", "Machine Learning Reading Group",
             "machine-learning:3 statistics:3", "machine-learning:2", 12, 1, seats=8),
    ItemSpec("peer-product-craft", "Product Craft Circle",
             "prioritise-requests:3 user-requirements:3", "", 10, 1, seats=10),
    ItemSpec("peer-design-critique", "Design Critique Group", "ux-prototyping:3 usability:3",
             "ux-prototyping:2", 8, 1, seats=8),
    ItemSpec("peer-cs-practice", "Customer Success Community of Practice",
             "customer-relationships:3 customer-needs:3", "", 10, 1, seats=12),
    ItemSpec("peer-people-partners", "People Partners Circle", "conflict:3 hrm:3", "hrm:2", 10,
             1, seats=8),
    ItemSpec("peer-finance-partnering", "Finance Business Partnering Circle",
             "financial-analysis:3 stakeholder-comms:3", "financial-analysis:2", 10, 1, seats=8),
    ItemSpec("peer-coaching-triads", "Coaching Triads", "coach:3 feedback:3", "coach:2", 8, 1,
             seats=9),
)
# fmt: on

# Courses beyond the per-skill ladders: several outcomes each, some from external providers.
# fmt: off
EXTRA_COURSES: tuple[ItemSpec, ...] = (
    ItemSpec("python-data-analysis", "Python for Data Analysis",
             "python:3 sql:2 data-visualisation:2", "python:2", 6, 3),
    ItemSpec("tdd-workshop", "Test-Driven Development Workshop",
             "unit-testing:3 software-design:2", "python:2", 2, 4),
    ItemSpec("secure-coding", "Secure Coding for Developers", "cyber-security:2", "python:2", 3,
             3, 149, "EUR", "Cobalt Tech Institute"),
    ItemSpec("iac-bootcamp", "Infrastructure as Code Bootcamp", "cloud-deploy:3 devops:3",
             "cloud-deploy:2", 4, 6, 690, "EUR", "Cobalt Tech Institute"),
    ItemSpec("observability", "Observability and Debugging in Production",
             "debugging:4 cloud-incidents:3", "debugging:3", 6, 3),
    ItemSpec("sql-for-pms", "SQL for Product Managers", "sql:2 data-visualisation:2", "", 3, 2),
    ItemSpec("storytelling-data", "Storytelling with Data",
             "data-visualisation:3 present-reports:3", "data-visualisation:2", 4, 2, 220, "EUR",
             "Skillforge Online"),
    ItemSpec("experiment-design", "Experiment Design and A/B Testing",
             "statistics:3 statistical-analysis:3", "statistics:2", 6, 3, 180, "EUR",
             "Skillforge Online"),
    ItemSpec("dimensional-modelling", "Dimensional Modelling for Analytics",
             "data-models:4 sql:3", "data-models:3", 6, 4),
    ItemSpec("product-discovery", "Product Discovery Fundamentals",
             "user-requirements:2 customer-needs:2 usability:2", "", 3, 2),
    ItemSpec("saas-pricing", "Pricing and Packaging for SaaS", "pricing:3 market-research:2",
             "pricing:2", 4, 3, 390, "EUR", "Meridian Business School"),
    ItemSpec("design-thinking", "Design Thinking", "ux-prototyping:2 customer-needs:2", "", 2, 3,
             95, "EUR", "Open Campus Online"),
    ItemSpec("consultative-selling", "Consultative Selling for Customer Success",
             "sales-strategies:3 customer-needs:3", "customer-needs:2", 4, 3, 260, "EUR",
             "Brightpath Learning"),
    ItemSpec("difficult-conversations", "Difficult Conversations", "conflict:3 feedback:3",
             "feedback:2", 3, 2),
    ItemSpec("remote-teams", "Managing Remote Teams", "lead-team:3 delegate:3", "lead-team:2", 4,
             2, 120, "EUR", "Open Campus Online"),
    ItemSpec("finance-non-finance", "Finance for Non-Financial Managers",
             "financial-statements:2 budgets:2 financial-analysis:2", "", 3, 2),
    ItemSpec("spreadsheet-modelling", "Financial Modelling in Spreadsheets",
             "forecasting:3 financial-analysis:3", "financial-analysis:2", 6, 3, 240, "EUR",
             "Skillforge Online"),
    ItemSpec("interviewing", "Interviewing Skills for Hiring Managers", "recruit:2 feedback:2", "",
             1, 3),
    ItemSpec("employment-law-2027", "Employment Law Update 2027", "labour-law:3", "labour-law:2",
             2, 2, 150, "EUR", "Meridian Business School", window=("2027-01-04", "2027-12-17")),
    ItemSpec("presenting-impact", "Presenting with Impact",
             "present-reports:3 stakeholder-comms:3", "present-reports:2", 3, 2),
    ItemSpec("executive-presence", "Executive Presence",
             "present-reports:4 stakeholder-comms:4", "present-reports:3", 6, 2, 890, "EUR",
             "Meridian Business School", prereqs=("presenting-impact",)),
    ItemSpec("okr-planning", "OKRs and Quarterly Planning",
             "strategic-planning:3 prioritise-requests:3", "strategic-planning:2", 3, 2),
    ItemSpec("leading-change", "Leading Change", "change-management:3 stakeholder-comms:3",
             "change-management:2", 4, 2),
    ItemSpec("coaching-managers", "Coaching Skills for Managers", "coach:3 feedback:3", "coach:2",
             6, 2),
)
# fmt: on

# Old courses kept for history: retired, so no new plan offers them.
# fmt: off
RETIRED_COURSES: tuple[ItemSpec, ...] = (
    ItemSpec("legacy-java-2019", "Introduction to Java (2019 edition)", "java:2", "", 4, 3),
    ItemSpec("legacy-sql-basics", "SQL Basics (legacy e-learning)", "sql:2", "", 2, 2),
    ItemSpec("legacy-waterfall-pm", "Classic Project Management", "project-management:2", "", 4, 2),
    ItemSpec("legacy-appraisals", "Annual Appraisals for Managers", "feedback:2", "", 1, 2),
)
# fmt: on

# Roles someone can shadow for a few weeks to see the job from the inside.
SHADOW_ROLES = (
    "swe-4",
    "sre-3",
    "em-1",
    "ds-3",
    "da-3",
    "de-2",
    "pm",
    "spm",
    "pd-2",
    "csm-3",
    "sc-3",
    "mgr-cs",
    "hrbp",
    "ta-2",
    "ld-2",
    "fa-3",
    "fpa-lead",
    "mgr-finance",
)

# Senior people offered as mentors: role -> how many of its holders.
MENTOR_ROLES = {
    "swe-4": 1,
    "swe-5": 1,
    "sre-3": 2,
    "dir-eng": 1,
    "ds-3": 1,
    "ds-4": 1,
    "da-3": 1,
    "dir-data": 1,
    "spm": 1,
    "gpm": 1,
    "pd-3": 2,
    "dir-product": 1,
    "csm-3": 2,
    "dir-cs": 1,
    "hrbp": 1,
    "dir-people": 1,
    "fa-3": 1,
    "fpa-lead": 1,
    "mgr-finance": 1,
    "dir-finance": 1,
    "ceo": 1,
}
