"""axe-core (the copy `axe-playwright-python` ships) run inside the tool's frame."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe

AXE = Axe()


def violations(frame: Any) -> list[str]:
    """Every axe violation on the frame's page, of any impact, one line each."""
    results = AXE.run(frame, options={"resultTypes": ["violations"]})
    lines = []
    for rule in results.response["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in rule["nodes"]][:5]
        lines.append(f"{rule['impact']}: {rule['id']} ({rule['help']}) at {targets}")
    return lines


def assert_accessible(frame: Any) -> None:
    """Fail with the list of violations unless axe finds none on the frame's page."""
    found = violations(frame)
    assert not found, f"axe on {frame.url}:\n" + "\n".join(found)
