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
