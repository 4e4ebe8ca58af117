"""`lti-pathing …` commands."""

from __future__ import annotations

import click

from solver.cli import run_plan_command


@click.group()
def main() -> None:
    """lti-pathing: career pathing inside the LMS."""


@main.command("plan")
@click.argument("request_file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--time-limit", type=float, default=None, help="Override options.time_limit_s.")
@click.option("--no-explain", is_flag=True, help="Skip the what-if re-solves for open gaps.")
def plan(request_file: str, time_limit: float | None, no_explain: bool) -> None:
    """Solve a planning request (JSON file, or - for stdin) and print the response."""
    raise SystemExit(run_plan_command(request_file, time_limit, explain=not no_explain))
