"""`lti-pathing serve` (gunicorn) answers without a `Server` header, with the security headers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """`lti-pathing serve` with one worker on a free port; its base URL once it answers."""
    port = free_port()
    env = {
        **os.environ,
        "LTI_PATHING_DATABASE_URL": f"sqlite:///{tmp_path / 'tool.sqlite3'}",
        "LTI_PATHING_SECRET_KEY": "serve-test-" * 3,
        "LTI_PATHING_LOG_JSON": "false",
    }
    command = Path(sys.executable).parent / "lti-pathing"
    process = subprocess.Popen(
        [str(command), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # until it answers (or gave up starting)
            if process.poll() is not None:
                pytest.fail("lti-pathing serve stopped while starting")
            try:
                requests.get(f"{url}/healthz", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_gunicorn_names_no_server_and_the_tool_sends_its_headers(served: str) -> None:
    response = requests.get(f"{served}/healthz", timeout=10)
    assert response.status_code == 200
    assert "Server" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors" in response.headers["Content-Security-Policy"]
