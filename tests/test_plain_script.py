"""The domain runs from a plain script: models and services need no Flask app (issue 16).

A fresh interpreter loads the models and a service, creates a database with SQLAlchemy alone,
and adds and reads a skill with no application or application context (the import side is
the `lint-imports` contract "Models and services load without Flask").
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from lti_pathing.columns import Base
from lti_pathing.models import Tenant
from lti_pathing.services.skills import LevelSpec, SkillService

engine = create_engine("sqlite://")
Base.metadata.create_all(engine)
with Session(engine) as session:
    tenant = Tenant(slug="plain", name="Plain")
    session.add(tenant)
    session.flush()
    made = SkillService(session, tenant).create_skill(
        {"external_id": "sql", "name": "SQL"}, [LevelSpec(1, "Aware"), LevelSpec(2, "Fluent")]
    )
    session.commit()
    names = [SkillService(session, tenant).get_skill(made.id).name]
print(names)
"""


def test_a_service_runs_without_flask_in_a_plain_script() -> None:
    env_path = f"{ROOT / 'src'}:{ROOT}"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['SQL']"
