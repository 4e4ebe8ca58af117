"""AGS and NRPS from the tool to the development platform, and tokens kept per client id."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from lti_pathing.db import session as db_session
from lti_pathing.lti import adapter
from lti_pathing.lti.ags import PLAN_LABEL, PLAN_RESOURCE_ID, PLAN_TAG, PlanGrades
from lti_pathing.lti.nrps import roster
from lti_pathing.models import PlatformRegistration
from tests.lti_pathing.integration.conftest import LtiServers

LEARNER = "dev-user-73566"


def connector(servers: LtiServers, client_id: str) -> adapter.ToolServiceConnector:
    row = db_session().scalar(
        select(PlatformRegistration).where(
            PlatformRegistration.issuer == servers.platform.url,
            PlatformRegistration.client_id == client_id,
        )
    )
    assert row is not None
    return adapter.service_connector(row)


def services_url(servers: LtiServers, client_id: str, what: str) -> str:
    return f"{servers.platform.url}/api/lti/{client_id}/course-101/{what}"


def test_roster_follows_every_page(lti_servers: LtiServers) -> None:
    with lti_servers.tool_app.app_context():
        members = roster(
            connector(lti_servers, "client-a"), services_url(lti_servers, "client-a", "memberships")
        )
    # Five people, two per page: later pages are only reached through Link rel="next".
    assert [m.user_id for m in members] == ["dev-user-73566", "dev-user-20478", "dev-user-75924",
                                            "dev-user-30201", "dev-user-55501"]  # fmt: skip
    assert members[0].name == "Kenji Mwangi" and members[0].active
    assert members[0].sourcedid == "E1029"


def test_plan_progress_goes_to_the_grade_book_and_back(lti_servers: LtiServers) -> None:
    endpoint = {"lineitems": services_url(lti_servers, "client-a", "lineitems")}
    with lti_servers.tool_app.app_context():
        grades = PlanGrades(connector(lti_servers, "client-a"), endpoint)
        # Now, not a fixed date: the platform refuses a score older than one it holds, and other
        # tests send this learner's plan progress too.
        when = dt.datetime.now(dt.UTC)
        grades.report(LEARNER, Decimal(40), when)
        grades.report(LEARNER, Decimal(75), when + dt.timedelta(days=1))
        results = grades.results()
    assert [(r.user_id, r.score, r.maximum) for r in results] == [(LEARNER, 75, 100)]
    # Created once (or a deep-linked career-plan column found by the same tag), then found.
    items = [i.data for i in lti_servers.state.line_items.values()
             if i.client_id == "client-a" and i.data.get("tag") == PLAN_TAG]  # fmt: skip
    assert [(i["label"], i["resourceId"]) for i in items] == [(PLAN_LABEL, PLAN_RESOURCE_ID)]


def test_two_client_ids_of_one_issuer_never_share_a_token(lti_servers: LtiServers) -> None:
    issued = lti_servers.state.tokens_issued
    before = dict(issued)
    with lti_servers.tool_app.app_context():
        for client_id in ("client-a", "client-b", "client-a", "client-b"):
            url = services_url(lti_servers, client_id, "memberships")
            # The platform answers 403 to a token of the other client: a shared token would fail.
            assert len(roster(connector(lti_servers, client_id), url)) == 5
    # Each client got at most one new token (cached per client), and client-b got its own.
    assert issued["client-b"] - before.get("client-b", 0) == 1
    assert issued["client-a"] - before.get("client-a", 0) <= 1
