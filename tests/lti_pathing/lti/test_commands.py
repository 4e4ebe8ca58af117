"""`lti-pathing platform add|list|disable|enable`: manual registration from the command line."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.cli import main
from lti_pathing.models import PlatformRegistration

ADD = [
    "platform", "add", "--tenant", "acme", "--issuer", "https://canvas.instructure.com",
    "--client-id", "10000000000042", "--deployment-id", "7:abc", "--deployment-id", "8:def",
    "--auth-login-url", "https://sso.canvaslms.com/api/lti/authorize_redirect",
    "--auth-token-url", "https://sso.canvaslms.com/login/oauth2/token",
    "--key-set-url", "https://sso.canvaslms.com/api/lti/security/jwks",
]  # fmt: skip


def test_add_list_disable_and_enable_a_platform(app: Flask, session: Session, tenant: Any) -> None:
    runner = app.test_cli_runner()

    added = runner.invoke(main, ADD)
    assert added.exit_code == 0, added.output
    assert "registered https://canvas.instructure.com client_id 10000000000042" in added.output
    listed = runner.invoke(main, ["platform", "list", "--tenant", "acme"])
    assert "deployments: 7:abc, 8:def  active" in listed.output

    disabled = runner.invoke(main, ["platform", "disable", "--tenant", "acme", "--issuer",
                                   "https://canvas.instructure.com"])  # fmt: skip
    assert disabled.exit_code == 0, disabled.output
    row = session.scalar(select(PlatformRegistration))
    assert row is not None and row.active is False
    runner.invoke(main, ["platform", "enable", "--tenant", "acme", "--issuer",
                        "https://canvas.instructure.com"])  # fmt: skip
    session.refresh(row)
    assert row.active is True


def test_typos_and_duplicates_get_clear_messages_and_write_nothing(
    app: Flask, session: Session, tenant: Any
) -> None:
    runner = app.test_cli_runner()
    typo = [("htps://sso.canvaslms.com/login/oauth2/token" if a.endswith("oauth2/token") else a)
            for a in ADD]  # fmt: skip
    result = runner.invoke(main, typo)
    assert result.exit_code == 1
    assert (
        "--auth-token-url: 'htps://sso.canvaslms.com/login/oauth2/token' must start with https://"
        in result.output
    )
    assert session.scalar(select(PlatformRegistration)) is None

    no_host = [("https:///jwks" if "jwks" in a else a) for a in ADD]
    assert "no valid host name" in runner.invoke(main, no_host).output

    assert runner.invoke(main, ADD).exit_code == 0
    again = runner.invoke(main, ADD)
    assert again.exit_code == 1 and "is already registered" in again.output

    missing = runner.invoke(
        main, [a for a in ADD if a not in ("--deployment-id", "7:abc", "8:def")]
    )
    assert missing.exit_code == 1 and "--deployment-ids" in missing.output
