"""The `plan` command behind `python -m solver` and `lti-pathing plan`.

Exit codes: 0 a response was printed (whatever its status), 1 the planner failed, 2 the request
could not be used (unreadable file, invalid JSON, a malformed request, a bad --time-limit).
Problems go to stderr as plain lines, never as a traceback.
"""

from __future__ import annotations

import dataclasses
import json
import sys

from solver.errors import RequestError, SolverError
from solver.instance import PlanRequest
from solver.request import MAX_TIME_LIMIT_S, parse_request, read_json
from solver.response import response_to_json

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def run_plan_command(path: str, time_limit: float | None, explain: bool = True) -> int:
    """Solve the request in `path` ('-' for stdin) and print the response; return the exit code."""
    text = _read_text(path)
    if text is None:
        return EXIT_BAD_INPUT
    try:
        data = read_json(text)
    except RequestError as error:
        _say(f"error: {_source(path)}: {error.problems[0].message}")
        return EXIT_BAD_INPUT
    try:
        request = parse_request(data)
    except RequestError as error:
        _report(error)
        return EXIT_BAD_INPUT
    if time_limit is not None and not (0 < time_limit <= MAX_TIME_LIMIT_S):
        _say(f"error: --time-limit must be more than 0 and at most {MAX_TIME_LIMIT_S} seconds")
        return EXIT_BAD_INPUT
    return _solve_and_print(_with_overrides(request, time_limit, explain))


def _source(path: str) -> str:
    """How messages name the request: its file name, or stdin."""
    return "<stdin>" if path == "-" else path


def _say(line: str) -> None:
    """One line on stderr."""
    print(line, file=sys.stderr)


def _read_text(path: str) -> str | None:
    """The request text (a UTF-8 byte-order mark is dropped), or None after saying why not."""
    try:
        if path == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as file:
                raw = file.read()
        return raw.decode("utf-8-sig")
    except OSError as error:
        _say(f"error: cannot read request file {_source(path)}: {error.strerror or error}")
    except UnicodeDecodeError:
        _say(f"error: {_source(path)} is not UTF-8 text")
    return None


def _report(error: RequestError) -> None:
    """Every problem of a malformed request, one `path: message` line each."""
    count = len(error.problems)
    _say(f"invalid planning request ({count} problem{'' if count == 1 else 's'}):")
    for problem in error.problems:
        _say(f"  {problem}")


def _with_overrides(request: PlanRequest, time_limit: float | None, explain: bool) -> PlanRequest:
    """The request with command-line settings applied; --no-explain only ever switches off."""
    options = request.options
    if time_limit is not None:
        options = dataclasses.replace(options, time_limit_s=time_limit)
    if not explain:
        options = dataclasses.replace(options, explain=False)
    return dataclasses.replace(request, options=options)


def _solve_and_print(request: PlanRequest) -> int:
    """Run the planner and print its response."""
    from solver.planner import solve  # imported late: parsing and --help need no OR-Tools

    try:
        response = solve(request)
    except RequestError as error:
        _report(error)
        return EXIT_BAD_INPUT
    except SolverError as error:
        _say(f"error: planning failed: {error}")
        return EXIT_FAILED
    try:
        text = json.dumps(response_to_json(response), indent=2, allow_nan=False)
    except ValueError as error:  # NaN or infinity would not be JSON
        _say(f"error: planning failed: the response is not valid JSON: {error}")
        return EXIT_FAILED
    print(text)
    return EXIT_OK
