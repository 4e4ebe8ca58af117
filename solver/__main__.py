"""`python -m solver REQUEST.json [--time-limit S] [--no-explain] [--schema request|response]`."""

from __future__ import annotations

import argparse
import sys

from solver.cli import run_plan_command
from solver.schema import schema_text


def main(argv: list[str] | None = None) -> int:
    """Solve a planning request file, or print a JSON Schema of the format."""
    parser = argparse.ArgumentParser(
        prog="python -m solver",
        description="Solve a planning request (see docs/plan-format.md) and print the response.",
    )
    parser.add_argument("request", nargs="?", metavar="REQUEST.json", help="a file, or - for stdin")
    parser.add_argument(
        "--time-limit", type=float, metavar="S", help="override options.time_limit_s"
    )
    parser.add_argument(
        "--no-explain", action="store_true", help="skip the what-if re-solves for open gaps"
    )
    parser.add_argument(
        "--schema", choices=("request", "response"), help="print the JSON Schema and exit"
    )
    args = parser.parse_args(argv)
    if args.schema is not None:
        sys.stdout.write(schema_text(args.schema))
        return 0
    if args.request is None:
        parser.error("a request file is required (or --schema)")
    return run_plan_command(args.request, args.time_limit, explain=not args.no_explain)


if __name__ == "__main__":
    raise SystemExit(main())
