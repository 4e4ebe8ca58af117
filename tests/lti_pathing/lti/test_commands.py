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
    listed = runner.invoke(main, LIST)
    assert "client_id 10000000000042  active" in listed.output
    assert "deployments: 2 (7:abc, 8:def)" in listed.output  # a count, then the ids

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


LIST = ["platform", "list", "--tenant", "acme"]
CANVAS_SITE_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/system/person#SysAdmin"
SYSTEM_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"
ACCOUNT_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"


def test_admin_roles_default_by_lms_and_can_be_chosen(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(main, [*ADD, "--lms", "canvas"]).exit_code == 0
    listed = runner.invoke(main, LIST).output
    assert f"admin roles: {CANVAS_SITE_ADMIN}" in listed

    changed = runner.invoke(main, ["platform", "admin-roles", "--tenant", "acme", "--issuer",
                                   "https://canvas.instructure.com", ACCOUNT_ADMIN])  # fmt: skip
    assert changed.exit_code == 0, changed.output
    row = session.scalar(select(PlatformRegistration))
    assert row is not None and row.admin_roles == [ACCOUNT_ADMIN]
    runner.invoke(main, ["platform", "admin-roles", "--tenant", "acme", "--issuer",
                         "https://canvas.instructure.com"])  # fmt: skip
    session.refresh(row)
    assert row.admin_roles == []
    assert "admin roles: none" in runner.invoke(main, LIST).output

    other = [a.replace("10000000000042", "10000000000043") for a in ADD]
    chosen = runner.invoke(main, [*other, "--admin-role", SYSTEM_ADMIN, "--admin-role", "a b"])
    assert chosen.exit_code == 1 and "--admin-role: 'a b' is not an LTI role" in chosen.output
    assert runner.invoke(main, [*other, "--admin-role", SYSTEM_ADMIN]).exit_code == 0
    assert "10000000000043  active\n  deployments: 2 (7:abc, 8:def)\n  admin roles: " + (
        SYSTEM_ADMIN) in runner.invoke(main, LIST).output  # fmt: skip


def test_a_deployment_is_revoked_and_restored(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(main, ADD).exit_code == 0
    where = ["--tenant", "acme", "--issuer", "https://canvas.instructure.com"]
    revoked = runner.invoke(main, ["platform", "revoke-deployment", *where,
                                   "--deployment-id", "8:def"])  # fmt: skip
    assert revoked.exit_code == 0, revoked.output
    assert "deployments: 2 (7:abc, 8:def (revoked))" in runner.invoke(
        main, LIST).output  # fmt: skip
    runner.invoke(main, ["platform", "restore-deployment", *where, "--deployment-id", "8:def"])
    assert "deployments: 2 (7:abc, 8:def)" in runner.invoke(main, LIST).output
    unknown = runner.invoke(main, ["platform", "revoke-deployment", *where,
                                   "--deployment-id", "9:x"])  # fmt: skip
    assert unknown.exit_code == 1 and "has no deployment '9:x'" in unknown.output
