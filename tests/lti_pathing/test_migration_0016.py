"""Migration 0016: jobs left queued before the outbox existed are due, so the sweep sends them."""

from __future__ import annotations

from sqlalchemy import Connection, text

from lti_pathing import migrate


def test_queued_jobs_get_a_due_dispatch_record_and_finished_ones_none(
    connection: Connection,
) -> None:
    migrate.downgrade(connection, "0015")
    connection.execute(text("INSERT INTO tenant (slug, name, default_hours_per_week, active, "
                            "version, created_at, updated_at) VALUES ('t', 'T', 2, true, 1, "
                            "'2026-01-01', '2026-01-01')"))  # fmt: skip
    for status in ("queued", "done", "failed", "queued"):
        connection.execute(text(
            "INSERT INTO job (tenant_id, kind, status, progress, steps_done, params, attempts, "
            "created_at, updated_at) SELECT id, 'plan', :status, 0, 0, '{}', 0, "
            "'2026-01-01 10:00:00+00', '2026-01-01 10:00:00+00' FROM tenant"
        ), {"status": status})  # fmt: skip

    migrate.upgrade(connection)

    rows = connection.execute(text(
        "SELECT job.status, job_dispatch.tries, job_dispatch.sent_at, job_dispatch.tenant_id "
        "FROM job_dispatch JOIN job ON job.id = job_dispatch.job_id ORDER BY job.id"
    )).all()  # fmt: skip
    tenant = connection.scalar(text("SELECT id FROM tenant"))
    assert [tuple(r) for r in rows] == [("queued", 0, None, tenant)] * 2
    migrate.downgrade(connection, "0015")
    assert connection.scalar(text("SELECT count(*) FROM job")) == 4  # no job lost either way
    migrate.upgrade(connection)
