"""`lti-pathing access …`: mark tool admins, and set what launches of unknown LMS users do."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from lti_pathing.cli import main
from lti_pathing.models import Person, UnmatchedLaunch


def test_grant_list_and_revoke_an_admin(app: Flask, session: Session, tenant: Any) -> None:
    person = Person(tenant_id=tenant.id, external_id="E-1", name="Lin", email="lin@example.org")
    session.add(person)
    session.flush()
    runner = app.test_cli_runner()

    assert "nobody is marked admin" in runner.invoke(main, ["access", "admins", "--tenant",
                                                            "acme"]).output  # fmt: skip
    granted = runner.invoke(main, ["access", "grant", "lin@example.org", "--tenant", "acme"])
    assert granted.exit_code == 0 and "Lin is now an admin" in granted.output
    session.refresh(person)
    assert person.is_admin
    assert "Lin  E-1  lin@example.org" in runner.invoke(main, ["access", "admins", "--tenant",
                                                              "acme"]).output  # fmt: skip
    runner.invoke(main, ["access", "revoke", "E-1", "--tenant", "acme"])
    session.refresh(person)
    assert not person.is_admin
    unknown = runner.invoke(main, ["access", "grant", "nobody", "--tenant", "acme"])
    assert unknown.exit_code == 1 and "nobody has the employee id or e-mail 'nobody'" in (
        unknown.output)  # fmt: skip


def test_refusing_unmatched_users_needs_someone_to_ask(
    app: Flask, session: Session, tenant: Any
) -> None:
    runner = app.test_cli_runner()
    refused = runner.invoke(main, ["access", "unmatched", "refuse", "--tenant", "acme"])
    assert refused.exit_code == 1 and "say whom refused users should ask" in refused.output
    session.refresh(tenant)
    assert tenant.unmatched_launch is UnmatchedLaunch.create

    done = runner.invoke(main, ["access", "unmatched", "refuse", "--tenant", "acme",
                                "--contact", "the L&D team (learning@example.org)"])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "they are told to ask the L&D team (learning@example.org)" in done.output
    session.refresh(tenant)
    assert tenant.unmatched_launch is UnmatchedLaunch.refuse


def test_audit_commands_export_set_retention_purge_and_erase(
    app: Flask, session: Session, tenant: Any
) -> None:
    import datetime as dt

    from lti_pathing.columns import utcnow
    from lti_pathing.models import PlanEvent

    person = Person(
        tenant_id=tenant.id, external_id="E-9", name="Noor Haddad", email="n@example.org"
    )
    session.add(person)
    session.flush()
    old = PlanEvent(tenant_id=tenant.id, kind="commented", subject_id=person.id,
                    at=utcnow() - dt.timedelta(days=400), data={})  # fmt: skip
    session.add(old)
    session.flush()
    runner = app.test_cli_runner()
    assert "kept for good" in runner.invoke(main, ["audit", "retention", "--tenant", "acme"]).output
    refused = runner.invoke(main, ["audit", "retention", "20", "--tenant", "acme"])
    assert refused.exit_code == 1 and "183" in refused.output
    assert "kept 365 days" in runner.invoke(main, ["audit", "retention", "365", "--tenant",
                                                   "acme"]).output  # fmt: skip
    assert "purged 1 audit record(s)" in runner.invoke(main, ["audit", "purge"]).output
    today = utcnow().date().isoformat()
    out = runner.invoke(main, ["audit", "export", "--from", today, "--to", today, "--tenant",
                               "acme"]).output  # fmt: skip
    assert out.splitlines()[0].startswith("id,at,kind") and "retention_changed" in out
    exported = runner.invoke(main, ["audit", "person-export", "E-9", "--tenant", "acme"])
    assert '"name": "Noor Haddad"' in exported.output
    erased = runner.invoke(main, ["audit", "person-erase", "E-9", "--reason", "ticket 4",
                                  "--yes", "--tenant", "acme"])  # fmt: skip
    assert erased.exit_code == 0 and f"erased person {person.id}" in erased.output
    session.expire_all()
    assert session.get_one(Person, person.id).name == f"Erased person {person.id}"
