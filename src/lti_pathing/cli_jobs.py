"""`lti-pathing replan | jobs | worker | serve`: background work and production serving."""

from __future__ import annotations

import os
import sys
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from lti_pathing.cli_common import command_tenant


@click.command("replan")
@click.option("--tenant", "slug", default=None, help="Tenant slug (default: DEFAULT_TENANT).")
@click.option(
    "--team",
    "manager",
    default=None,
    help="Only this manager's reporting tree (the manager's employee id).",
)
@click.option("--wait/--no-wait", default=True, help="Wait for the job and print its outcome.")
@with_appcontext
def replan(slug: str | None, manager: str | None, wait: bool) -> None:
    """Re-plan everyone affected; approved plans get proposals, never silent changes."""
    from lti_pathing.db import transaction
    from lti_pathing.errors import Unavailable
    from lti_pathing.jobs import enqueue_replan, uses_celery
    from lti_pathing.models import Person
    from lti_pathing.services.base import TenantService

    with transaction(current_app) as session:
        tenant = command_tenant(session, slug)
        manager_id = None
        if manager is not None:
            found = TenantService(session, tenant).by_external_id(Person, manager)
            if found is None:
                raise click.ClickException(f"no person with employee id {manager!r}")
            manager_id = found.id
        try:
            job = enqueue_replan(session, tenant, manager_id)
        except Unavailable as error:  # the broker does not answer: nothing was queued
            raise click.ClickException(error.message) from None
        job_id, count = job.id, len(job.params["person_ids"])
    where = "Celery workers" if uses_celery(current_app) else "this process"
    click.echo(f"job {job_id}: re-planning {count} people on {where}")
    if wait or not uses_celery(current_app):
        _wait(job_id)


def _wait(job_id: int) -> None:
    """Poll the job until it ends; print progress, then its outcome (exit 1 when it failed)."""
    from lti_pathing.db import transaction
    from lti_pathing.models import Job, JobStatus

    shown = None
    while True:
        with transaction(current_app) as session:
            job = session.get_one(Job, job_id)
            state = (job.status, job.progress, job.message)
            if state != shown:
                click.echo(f"  {job.status.value} {job.progress}% {job.message or ''}".rstrip())
                shown = state
            if job.finished:
                if job.status is JobStatus.failed:
                    click.echo(f"job {job_id} failed: {job.error}", err=True)
                    raise SystemExit(1)
                click.echo(f"job {job_id} done: {job.result}")
                return
        time.sleep(0.5)


@click.command("jobs")
@click.option("--tenant", "slug", default=None, help="Tenant slug (default: DEFAULT_TENANT).")
@click.option("--limit", default=20, show_default=True)
@with_appcontext
def jobs(slug: str | None, limit: int) -> None:
    """List the tenant's recent background jobs."""
    from lti_pathing.db import transaction
    from lti_pathing.jobs import JobService

    with transaction(current_app) as session:
        for job in JobService(session, command_tenant(session, slug)).recent(limit):
            when = job.created_at.strftime("%Y-%m-%d %H:%M")
            click.echo(
                f"{job.id:>6}  {when}  {job.kind.value:<9} {job.status.value:<8} "
                f"{job.progress:>3}%  {job.error or job.message or ''}"
            )


@click.command("worker", context_settings={"ignore_unknown_options": True})
@click.option(
    "--concurrency", "-c", type=int, default=None, help="Worker processes (default: CPU count)."
)
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
@with_appcontext
def worker(concurrency: int | None, celery_args: tuple[str, ...]) -> None:
    """Start a Celery worker with the project's settings (extra arguments go to Celery)."""
    from lti_pathing.jobs.celery_app import QUEUE, celery_for
    from lti_pathing.jobs.sweep import recover_stale_syncs

    if not current_app.config["CELERY_BROKER_URL"]:
        raise click.ClickException(
            "no broker: set LTI_PATHING_CELERY_BROKER_URL (or CELERY_BROKER_URL) to a redis:// URL"
        )
    argv = [
        "worker",
        "--loglevel=INFO",
        "-Q",
        QUEUE,
        f"--concurrency={concurrency or os.cpu_count() or 1}",
    ]
    recover_stale_syncs(current_app)  # syncs a stopped worker left running are marked failed
    celery_for(current_app).worker_main(argv=[*argv, *celery_args])


@click.command("serve", context_settings={"ignore_unknown_options": True})
@click.option("--bind", "-b", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", "-w", type=int, default=None, help="Default: 2 x CPUs + 1.")
@click.option("--timeout", type=int, default=60, show_default=True)
@click.argument("gunicorn_args", nargs=-1, type=click.UNPROCESSED)
def serve(bind: str, workers: int | None, timeout: int, gunicorn_args: tuple[str, ...]) -> None:
    """Run the app on gunicorn (behind a TLS proxy; see docs/deploy.md)."""
    count = workers or (2 * (os.cpu_count() or 1) + 1)
    argv = [
        sys.executable, "-m", "gunicorn", "--bind", bind, "--workers", str(count),
        "--timeout", str(timeout), "--graceful-timeout", "30", "--keep-alive", "5",
        "--access-logfile", "-", "--error-logfile", "-", "--forwarded-allow-ips", "127.0.0.1",
        "--config", "python:lti_pathing.gunicorn_conf", *gunicorn_args, "lti_pathing.wsgi:app",
    ]  # fmt: skip
    os.execv(sys.executable, argv)


@click.command("expire-bookings")
@with_appcontext
def expire_bookings() -> None:
    """Expire mentor booking requests nobody answered in time; re-plan the plans they hit."""
    from lti_pathing.jobs.mentoring import expire_bookings as expire

    click.echo(f"{expire(current_app)} booking request(s) expired")


COMMANDS = (replan, jobs, worker, serve, expire_bookings)
