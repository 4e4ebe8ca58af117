"""Schemathesis over every operation of the served OpenAPI document: no input is a server error.

Bounded and seeded (the same cases every run), valid and invalid data both, on PostgreSQL (`make
test`'s second pass), where out-of-range numbers and NUL characters used to become 500s. A new
route is fuzzed without anyone adding a test.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from lti_pathing import jobs
from lti_pathing.jobs.work import run_job
from tests.lti_pathing.api.conftest import ApiClient

pytestmark = pytest.mark.db

# Cases per operation: with about 60 operations, about a minute of run time in all.
EXAMPLES = 12


def _server_errors(app: Flask, operation: Any, auth: dict[str, str]) -> list[str]:
    """Run the seeded cases of one operation; describe every 5xx answer."""
    found: list[str] = []
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE, headers=auth),
        operation.as_strategy(GenerationMode.NEGATIVE, headers=auth),
    )

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def run(case: Any) -> None:
        try:
            response = case.call()
        except Exception as error:  # schemathesis re-raises what the app raised (a 500)
            found.append(f"500 {case.as_curl_command()}\n{error!r:.300}")
            return
        if response.status_code >= 500:
            found.append(f"{response.status_code} {case.as_curl_command()}\n{response.text:.300}")

    run()
    return found


def test_no_api_operation_answers_a_server_error(
    app: Flask, api: ApiClient, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("fuzzed on PostgreSQL (make test's second pass), whose limits SQLite lacks")
    # Background work runs inside the request: the pool's threads would share the test's
    # connection, and a job's own errors are reported on the job, not in the answer.
    monkeypatch.setattr(jobs, "dispatch", lambda app, kind, job_id, params: run_job(app, job_id))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    auth = {"Authorization": f"Bearer {api.secret}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    failures = [error for op in operations for error in _server_errors(app, op, auth)]
    assert not failures, "\n\n".join(failures)
