"""The solver's exception root and the malformed-request error."""

from __future__ import annotations

from dataclasses import dataclass


class SolverError(Exception):
    """Root of every error the solver raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request, at a JSON path such as `$.activities[3].hours_per_week`."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class RequestError(SolverError):
    """A request that does not follow the planning format; lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))
