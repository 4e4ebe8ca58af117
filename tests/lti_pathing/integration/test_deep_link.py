"""Deep linking round trip: an admin places "My career plan"; the new course link launches."""

from __future__ import annotations

from tests.lti_pathing.integration.conftest import LtiServers
from tests.support.servers import Browser

LEARNER, ADMIN = "dev-user-73566", "dev-user-75924"


def test_admin_places_my_career_plan_and_it_launches(
    lti_servers: LtiServers, browser: Browser
) -> None:
    browser.get(f"{lti_servers.platform.url}/as/{ADMIN}")
    offer = browser.get(f"{lti_servers.platform.url}/deep-link/client-a")
    assert offer.status_code == 200, offer.text
    assert offer.url.startswith(f"{lti_servers.tool.url}/lti/deep-link")
    assert "My career plan" in offer.text
    assert "<h1>Add lti-pathing to Growing at Larkspur</h1>" in offer.text  # the course's title
    before = set(lti_servers.state.links)
    done = browser.submit(offer)  # confirm; the signed response is auto-posted to the platform
    assert done.status_code == 200, done.text
    assert done.url == f"{lti_servers.platform.url}/deep-link/return"
    (new_link,) = set(lti_servers.state.links) - before
    link = lti_servers.state.links[new_link]
    assert link.title == "My career plan" and link.client_id == "client-a"
    assert link.url == f"{lti_servers.tool.url}/lti/launch"
    assert link.custom == {"placement": "career_plan"}
    assert link.line_item_id is None  # no grade column unless asked for
    page = lti_servers.launch(Browser(), LEARNER, new_link)
    assert page.status_code == 200  # the link lands on the learner's career plan
    assert page.url == f"{lti_servers.tool.url}/me/plan" and "<h1>My plan</h1>" in page.text
    other = lti_servers.launch(Browser(), LEARNER)  # a link placed by hand lands on home
    assert other.url == f"{lti_servers.tool.url}/" and "Welcome, Kenji Mwangi" in other.text


def test_a_graded_career_plan_link_comes_with_its_own_line_item(
    lti_servers: LtiServers, browser: Browser
) -> None:
    browser.get(f"{lti_servers.platform.url}/as/{ADMIN}")
    offer = browser.get(f"{lti_servers.platform.url}/deep-link/client-a")
    assert 'name="gradebook"' in offer.text
    before, assignments = set(lti_servers.state.links), len(lti_servers.state.assignments())
    assert browser.submit(offer, gradebook="1").status_code == 200
    (new_link,) = set(lti_servers.state.links) - before
    item = lti_servers.state.line_items[lti_servers.state.links[new_link].line_item_id or ""]
    assert (item.data["label"], item.data["tag"], item.data["resourceLinkId"]) == (
        "Career plan progress (lti-pathing)",
        "lti-pathing-plan",
        new_link,
    )
    assert len(lti_servers.state.assignments()) == assignments  # the link's column, no other


def test_a_learner_cannot_place_links(lti_servers: LtiServers, browser: Browser) -> None:
    browser.get(f"{lti_servers.platform.url}/as/{LEARNER}")
    before = set(lti_servers.state.links)
    page = browser.get(f"{lti_servers.platform.url}/deep-link/client-a")
    assert page.status_code == 403
    assert "instructors and administrators" in page.text
    assert set(lti_servers.state.links) == before


def test_a_deep_link_page_of_another_launch_is_refused(
    lti_servers: LtiServers, browser: Browser
) -> None:
    browser.get(f"{lti_servers.platform.url}/as/{ADMIN}")
    offer = browser.get(f"{lti_servers.platform.url}/deep-link/client-a")
    assert offer.status_code == 200
    other = Browser()
    lti_servers.launch(other, ADMIN)  # signed in through a normal launch, not this one
    stolen = other.get(offer.url)
    assert stolen.status_code == 403
