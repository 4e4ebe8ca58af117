"""An admin matches the course's roster, read from the development LMS's real NRPS endpoint
(Canvas-shaped, two members a page), to the sample organisation's people."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select, update

from lti_pathing.db import transaction
from lti_pathing.models import CourseRoster, LmsIdentity, Person, Tenant
from tests.lti_pathing.integration.conftest import TENANT, LtiServers
from tests.support.servers import Browser

ADMIN, NADIA, SAM = "dev-user-75924", "dev-user-30201", "dev-user-55501"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _section(page: str, heading: str) -> str:
    """The text of the page from a heading to the next one."""
    after = re.split(rf"<h2[^>]*>{re.escape(heading)}", page, maxsplit=1)[1].split("<h2", 1)[0]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", after)).split())


def _match(lti_servers: LtiServers, admin: Browser) -> str:
    """Open the rosters page, match the course's roster; the result page."""
    index = admin.get(f"{lti_servers.tool.url}/admin/rosters/")
    assert index.status_code == 200 and "Growing at Larkspur" in index.text
    roster_id = re.search(r'data-roster="(\d+)"', index.text)
    token = CSRF.search(index.text)
    assert roster_id and token
    matched = admin.post(f"{lti_servers.tool.url}/admin/rosters/{roster_id.group(1)}/match",
                         data={"csrf_token": token.group(1)})  # fmt: skip
    assert matched.status_code == 200, matched.text
    assert "Roster matched:" in matched.text
    return matched.text


def _person_of(lti_servers: LtiServers, subject: str) -> str | None:
    """Employee id of the person the LMS user `subject` is linked to, if any."""
    with transaction(lti_servers.tool_app) as session:
        return session.scalar(
            select(Person.external_id)
            .join(LmsIdentity, LmsIdentity.person_id == Person.id)
            .where(LmsIdentity.subject == subject)
        )


def _set_sis(lti_servers: LtiServers, on: bool) -> None:
    with transaction(lti_servers.tool_app) as session:
        session.execute(update(Tenant).where(Tenant.slug == TENANT).values(match_sis_id=on))


def test_an_admin_matches_the_roster_and_links_a_suggestion(lti_servers: LtiServers) -> None:
    admin = Browser()
    lti_servers.launch(admin, ADMIN)  # the launch records the course and its roster service
    page = _match(lti_servers, admin)
    found = _section(page, "Found")
    # Found by the identity an earlier launch recorded, or else by their Canvas user id.
    assert "Kenji Mwangi" in found and "Aisha Okafor" in found and "Kwame Asante" in found
    assert "Nadia Lopez (Learner) is Nadia Lopez" in _section(page, "Suggested by e-mail")
    assert "Sam Guest" in _section(page, "Not found")
    assert _person_of(lti_servers, NADIA) is None  # an e-mail address alone links nobody

    form = re.search(r'action="([^"]+/link)"', page)
    token = CSRF.search(page)
    assert form and token
    refused = admin.post(lti_servers.tool.url + unescape(form.group(1)),
                         data={"csrf_token": token.group(1)})  # fmt: skip
    assert refused.status_code == 422 and "choose one" in refused.text
    linked = admin.post(lti_servers.tool.url + unescape(form.group(1)),
                        data={"csrf_token": token.group(1), "user_id": NADIA})  # fmt: skip
    assert linked.status_code == 200 and "Linked 1 person" in linked.text
    assert _person_of(lti_servers, NADIA) == "E1003"

    launched = lti_servers.launch(Browser(), NADIA)
    assert "Welcome, Nadia Lopez" in launched.text
    assert _person_of(lti_servers, SAM) is None


def test_with_sis_ids_on_the_roster_finds_people_by_employee_id(lti_servers: LtiServers) -> None:
    admin = Browser()
    lti_servers.launch(admin, ADMIN)
    with transaction(lti_servers.tool_app) as session:  # as if Nadia was never linked
        session.execute(LmsIdentity.__table__.delete().where(LmsIdentity.subject == NADIA))
    _set_sis(lti_servers, True)
    try:
        page = _match(lti_servers, admin)
    finally:
        _set_sis(lti_servers, False)
    assert "Nadia Lopez Learner Nadia Lopez SIS id" in _section(page, "Found")
    assert _person_of(lti_servers, NADIA) == "E1003"


def test_a_course_link_deleted_since_reads_the_roster_without_it(
    lti_servers: LtiServers,
) -> None:
    admin = Browser()
    lti_servers.launch(admin, ADMIN)
    with transaction(lti_servers.tool_app) as session:
        session.execute(update(CourseRoster).values(resource_link_id="link-deleted-since"))
    page = _match(lti_servers, admin)  # the LMS refuses that rlid: asked again without it
    assert "Kwame Asante" in _section(page, "Found")
