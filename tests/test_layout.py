"""The solver stays independent of the web application (a rule of the design)."""

import ast
from pathlib import Path

SOLVER = Path(__file__).resolve().parents[1] / "solver"
FORBIDDEN = ("flask", "sqlalchemy", "lti_pathing", "celery", "werkzeug")


def test_solver_imports_nothing_from_the_web_app() -> None:
    offenders = []
    for path in SOLVER.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


# How the solver plans teams inside: services and jobs use the planning contract's modules.
SOLVER_INTERNALS = ("team", "columns", "cpsat", "scope", "single", "lexicographic")
USES_ORG_PLANNING = ("services/replan.py", "jobs/celery_app.py", "jobs/work.py")


def test_the_organisation_replan_uses_the_public_team_planning_api_only() -> None:
    """Issue 16: the re-plan service and its jobs call `solver.org`, never the solver's insides."""
    app = SOLVER.parent / "src" / "lti_pathing"
    offenders = []
    for name in USES_ORG_PLANNING:
        tree = ast.parse((app / name).read_text(), filename=name)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("solver."):
                module = (node.module or "").split(".")[1]
                offenders += [f"{name}: solver.{module}"] if module in SOLVER_INTERNALS else []
    assert offenders == []
