"""Launches from the development platform over real HTTP: learner, manager, admin, unknown role."""

from __future__ import annotations

from lti_pathing.devplatform.config import INSTITUTION_ADMIN, SYSTEM_USER, PlatformPerson
from tests.lti_pathing.integration.conftest import LtiServers
from tests.support.servers import Browser

LEARNER, MANAGER, ADMIN = "dev-user-73566", "dev-user-20478", "dev-user-75924"


def test_learner_launch_signs_in_the_sample_person(
    lti_servers: LtiServers, browser: Browser
) -> None:
    page = lti_servers.launch(browser, LEARNER)
    assert page.status_code == 200
    assert page.url.startswith(lti_servers.tool.url)
    assert "Welcome, Kenji Mwangi" in page.text
    assert ">learner<" in page.text and ">manager<" not in page.text and ">admin<" not in page.text


def test_manager_launch_is_a_manager_because_of_the_reporting_line(
    lti_servers: LtiServers, browser: Browser
) -> None:
    page = lti_servers.launch(browser, MANAGER)
    assert page.status_code == 200
    assert "Welcome, Aisha Okafor" in page.text
    assert ">manager<" in page.text and ">admin<" not in page.text


def test_admin_launch_is_an_admin(lti_servers: LtiServers, browser: Browser) -> None:
    page = lti_servers.launch(browser, ADMIN)
    assert page.status_code == 200
    assert "Welcome, Kwame Asante" in page.text and ">admin<" in page.text


def test_a_canvas_sub_account_admin_is_not_an_admin(
    lti_servers: LtiServers, browser: Browser
) -> None:
    roles = (INSTITUTION_ADMIN, SYSTEM_USER)  # what Canvas sends for any account role
    person = PlatformPerson("dev-sub-admin-1", "Sam Subaccount", None, roles)
    lti_servers.state.config.people.append(person)
    try:
        page = lti_servers.launch(browser, person.sub)
    finally:
        lti_servers.state.config.people.remove(person)
    assert page.status_code == 200
    assert "Welcome, Sam Subaccount" in page.text and ">admin<" not in page.text


def test_unknown_role_without_name_or_email_launches_as_learner(
    lti_servers: LtiServers, browser: Browser
) -> None:
    stranger = PlatformPerson("dev-stranger-1", "", None, ("urn:example:role#Wizard",))
    config = lti_servers.state.config
    config.people.append(stranger)
    try:
        page = lti_servers.launch(browser, stranger.sub)
    finally:
        config.people.remove(stranger)
    assert page.status_code == 200
    assert "Welcome, LMS user dev-stranger-1" in page.text
    assert ">learner<" in page.text and ">admin<" not in page.text


def test_second_client_of_the_same_issuer_launches_too(
    lti_servers: LtiServers, browser: Browser
) -> None:
    page = lti_servers.launch(browser, LEARNER, link="link-2")
    assert page.status_code == 200 and "Welcome, Kenji Mwangi" in page.text


def test_replaying_the_launch_form_in_another_browser_is_refused(
    lti_servers: LtiServers, browser: Browser
) -> None:
    browser.get(f"{lti_servers.platform.url}/as/{LEARNER}")
    login = browser.session.get(f"{lti_servers.platform.url}/launch/link-1", timeout=30)
    assert "document.forms[0].submit()" in login.text  # the auto-post with the id_token
    thief = Browser()
    page = thief.submit(login)
    assert page.status_code == 400
    assert "Welcome" not in page.text
