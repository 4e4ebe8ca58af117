"""Migration 0013: existing registrations keep site-wide admins only; no row is lost either way."""

from __future__ import annotations

from sqlalchemy import Connection, text

from lti_pathing import migrate


def test_existing_registrations_allowlist_the_site_wide_admin_roles(connection: Connection) -> None:
    migrate.downgrade(connection, "0012")
    connection.execute(text("INSERT INTO tenant (slug, name, default_hours_per_week, active, "
                            "version, created_at, updated_at) VALUES ('t', 'T', 2, true, 1, "
                            "'2026-01-01', '2026-01-01')"))  # fmt: skip
    connection.execute(text(
        "INSERT INTO lti_registration (tenant_id, issuer, client_id, name, auth_login_url, "
        "auth_token_url, deployment_pending, active, created_at, updated_at) SELECT id, "
        "'https://canvas.example.edu', 'c1', '', 'https://a.example.edu', 'https://t.example.edu', "
        "false, true, '2026-01-01', '2026-01-01' FROM tenant"
    ))  # fmt: skip
    connection.execute(text(
        "INSERT INTO lti_deployment (tenant_id, registration_id, deployment_id, active, "
        "created_at, updated_at) SELECT tenant_id, id, '1', true, '2026-01-01', '2026-01-01' "
        "FROM lti_registration"
    ))  # fmt: skip
    connection.execute(text("INSERT INTO person (tenant_id, external_id, name, active, version, "
                            "created_at, updated_at) SELECT id, 'E-1', 'Lin', true, 1, "
                            "'2026-01-01', '2026-01-01' FROM tenant"))  # fmt: skip

    migrate.upgrade(connection)

    roles = connection.scalar(text("SELECT admin_roles FROM lti_registration"))
    assert roles.splitlines() == [
        "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
        "http://purl.imsglobal.org/vocab/lis/v2/system/person#SysAdmin",
    ]
    assert connection.scalar(text("SELECT unmatched_launch FROM tenant")) == "create"
    assert connection.scalar(text("SELECT is_admin FROM person")) in (False, 0)
    assert _counts(connection) == (1, 1, 1, 1)  # no table was copied (a copy cascades deletes)
    migrate.downgrade(connection, "0012")
    assert _counts(connection) == (1, 1, 1, 1)


def _counts(connection: Connection) -> tuple[int, ...]:
    tables = ("tenant", "person", "lti_registration", "lti_deployment")
    return tuple(connection.scalar(text(f"SELECT count(*) FROM {t}")) or 0 for t in tables)
