"""Platform calls go over https to public addresses only (http on this machine in development)."""

from __future__ import annotations

import socket

import pytest

from lti_pathing.lti.outbound import AddressPolicy, PlatformSession, TargetRefused

STRICT = AddressPolicy()
DEVELOPMENT = AddressPolicy(loopback=True)


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "::1", "::ffff:127.0.0.1", "10.1.2.3", "192.168.0.10", "172.16.0.1",
     "169.254.169.254", "fe80::1%eth0", "0.0.0.0", "100.64.0.1", "224.0.0.1"],
)  # fmt: skip
def test_inside_addresses_are_refused(address: str) -> None:
    with pytest.raises(TargetRefused, match="which this tool does not call"):
        STRICT.check_address("lms.example.edu", address)


def test_public_addresses_are_allowed() -> None:
    STRICT.check_address("lms.example.edu", "93.184.216.34")
    STRICT.check_address("lms.example.edu", "2606:2800:220:1:248:1893:25c8:1946")


def test_loopback_only_in_development_and_link_local_never() -> None:
    DEVELOPMENT.check_address("localhost", "127.0.0.1")
    with pytest.raises(TargetRefused, match="link-local"):
        DEVELOPMENT.check_address("metadata", "169.254.169.254")
    with pytest.raises(TargetRefused, match="private"):
        DEVELOPMENT.check_address("intranet", "10.0.0.5")


def test_an_intranet_lms_is_allowed_by_name_only() -> None:
    rules = AddressPolicy(private_hosts=frozenset({"moodle.corp.example"}))
    rules.check_address("moodle.corp.example", "10.0.0.5")
    with pytest.raises(TargetRefused):
        rules.check_address("other.corp.example", "10.0.0.5")
    with pytest.raises(TargetRefused):
        rules.check_address("moodle.corp.example", "169.254.169.254")


@pytest.mark.parametrize(
    ("url", "rules", "allowed"),
    [
        ("https://lms.example.edu/x", STRICT, True),
        ("http://lms.example.edu/x", STRICT, False),
        ("http://localhost:8080/x", STRICT, False),
        ("http://localhost:8080/x", DEVELOPMENT, True),
        ("http://127.0.0.1:8080/x", DEVELOPMENT, True),
        ("http://10.0.0.7/x", DEVELOPMENT, False),
        ("ftp://lms.example.edu/x", DEVELOPMENT, False),
        ("file:///etc/passwd", DEVELOPMENT, False),
    ],
)
def test_only_https_urls_or_http_on_this_machine_in_development(
    url: str, rules: AddressPolicy, allowed: bool
) -> None:
    if allowed:
        rules.check_url(url)
    else:
        with pytest.raises(TargetRefused):
            rules.check_url(url)


def test_a_name_that_resolves_inside_is_refused_before_connecting() -> None:
    with pytest.raises(TargetRefused, match="localhost leads to a loopback address"):
        STRICT.check_resolves("https://localhost/.well-known/jwks.json")


def test_the_session_refuses_before_sending() -> None:
    session = PlatformSession(STRICT, timeout_s=1)
    with pytest.raises(TargetRefused, match="not an https URL"):
        session.get("http://lms.example.edu/jwks")
    with socket.create_server(("127.0.0.1", 0)) as listening:  # something answers there
        port = listening.getsockname()[1]
        with pytest.raises(TargetRefused, match="loopback"):
            session.get(f"https://127.0.0.1:{port}/jwks")  # checked on the socket, before TLS
