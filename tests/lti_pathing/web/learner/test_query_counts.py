"""Queries per page stay bounded: the landing page and the plan page (no N+1 per plan item).

Counts, not timings (timings live in bench/launch_load.py). The frame-ancestors origins are read
by the first page and cached, so each page is counted on its second load, as a launch storm
meets it; savepoints of the test harness are not counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from lti_pathing.db import database
from lti_pathing.models import Person, Plan
from tests.lti_pathing.web.journeys_fixtures import post

LEARNER = "E1029"  # Kenji Mwangi, software engineer II, targets senior
LANDING_QUERIES = 3  # who is signed in (one query re-checks roles), little else
PLAN_PAGE_QUERIES = 26  # today 24; whatever the number of items in the plan


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    """The statements the app's requests run inside the block."""
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            statements.append(statement)

    engine = database(app).sessions.kw["bind"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_landing_page_runs_a_few_queries(
    web: Flask, client_as: Callable[..., FlaskClient], person: Callable[[str], Person]
) -> None:
    me = client_as(person(LEARNER))
    assert me.get("/").status_code == 200
    with counted(web) as statements:
        assert me.get("/").status_code == 200
    assert len(statements) <= LANDING_QUERIES, statements


def test_the_plan_page_queries_do_not_grow_with_its_items(
    web: Flask,
    client_as: Callable[..., FlaskClient],
    person: Callable[[str], Person],
    db: Session,
) -> None:
    learner = person(LEARNER)
    me = client_as(learner)
    generated = post(me, "/me/plan/generate", {
        "target_role_id": learner.target_role_id, "hours_per_week": "4", "deadline": "",
        "blackout": "", "budget": "",
    })  # fmt: skip
    assert generated.status_code == 302
    plan = db.scalars(select(Plan).where(Plan.person_id == learner.id)).one()
    assert len(plan.items) >= 3  # enough items for a query per item to show
    assert me.get("/me/plan").status_code == 200
    with counted(web) as statements:
        page = me.get("/me/plan")
    assert page.status_code == 200
    assert all(f'id="item-{item.id}"' in page.get_data(as_text=True) for item in plan.items)
    assert len(statements) <= PLAN_PAGE_QUERIES, "\n".join(statements)
    per_item = [s for s in statements if s.lstrip().startswith("SELECT activity.id")]
    assert len(per_item) <= 1, per_item
