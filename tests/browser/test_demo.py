"""`make demo`'s launcher, clicked through: one URL, a person, the tool in the LMS's iframe.

The demo runs as its own process (signals, ports and the lock are the point), in a folder of its
own; the browser opens the one URL it prints, as a newcomer does.
"""

from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lti_pathing.devplatform.demo import free_pair
from tests.browser.lms import ROOT, TOOL_IFRAME, shot

BANNER = "lti-pathing demo: open "


class DemoProcess:
    """A running `run_demo` and what it printed."""

    def __init__(self, folder: Path, port: int) -> None:
        self.output: list[str] = []
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.browser.demo_process", str(folder), str(port)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        with self.process.stdout:
            for line in self.process.stdout:
                self.lines.put(line)
        self.lines.put(None)

    def read_until(self, text: str, timeout: float = 120) -> str:
        """Lines printed until one contains `text` (fails if the process ends first)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.output.append(line)
            if text in line:
                return line
        raise AssertionError(f"{text!r} not printed; got:\n{''.join(self.output)}")

    def finish(self, timeout: float = 60) -> tuple[int, str]:
        """Exit status and everything printed once the process has ended."""
        self.process.wait(timeout=timeout)
        self.reader.join(timeout=10)
        while (line := self.lines.get_nowait() if not self.lines.empty() else None) is not None:
            self.output.append(line)
        return self.process.returncode, "".join(self.output)

    def stop(self) -> tuple[int, str]:
        """Ctrl-C, as a newcomer stops it."""
        self.process.send_signal(signal.SIGINT)
        return self.finish()


@pytest.fixture
def port() -> int:
    """Two free ports (PORT for the LMS, PORT+1 for the tool)."""
    found = free_pair(random.randrange(20_000, 40_000))
    assert found is not None
    return found


@pytest.fixture
def demo(tmp_path: Path, port: int) -> Iterator[DemoProcess]:
    """The demo, started and ready (its URL printed); stopped after the test if still running."""
    running = DemoProcess(tmp_path, port)
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.finish()


def test_make_demo_prints_one_url_that_opens_the_tool_in_the_lms(
    demo: DemoProcess, page: Any, port: int
) -> None:
    line = demo.read_until(BANNER)
    url = line.split(BANNER, 1)[1].strip()
    assert url == f"http://localhost:{port}/"
    assert "imported" in "".join(demo.output)

    page.goto(url)
    names = page.locator("ul.people a").all_inner_texts()
    assert names == ["Kenji Mwangi", "Aisha Okafor", "Kwame Asante", "Nadia Lopez", "Sam Guest"]
    page.get_by_role("link", name="Kenji Mwangi").click()
    page.get_by_role("link", name="Career plan").click()
    frame = page.frame_locator(TOOL_IFRAME)
    assert "Signed in as Kenji Mwangi" in frame.locator("#signed-in").inner_text()
    shot(page, "demo-learner-launch")

    status, output = demo.stop()
    assert status == 0, output
    assert output.rstrip().endswith("stopped")


def test_a_second_demo_is_refused_with_what_to_do(
    demo: DemoProcess, tmp_path: Path, port: int
) -> None:
    demo.read_until(BANNER)

    other = free_pair(port + 2)
    assert other is not None
    same_database = DemoProcess(tmp_path, other)
    status, output = same_database.finish()
    assert status == 1
    assert "another demo is already running on this database" in output
    assert f"http://localhost:{port}/" in output  # where the running one is

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    same_ports = DemoProcess(elsewhere, port)
    status, output = same_ports.finish()
    assert status == 1
    assert f"ports {port} and {port + 1} are already in use" in output
    assert "make demo PORT=" in output

    assert demo.stop()[0] == 0
    again = DemoProcess(tmp_path, port)  # the ports and the lock are free again
    again.read_until(BANNER)
    assert "sample organisation (tenant default): already loaded" in "".join(again.output)
    assert again.stop()[0] == 0
