"""Downloads inside the LMS frame: no link may carry the `download` attribute.

Chromium fetches an `<a download>` in a cross-site iframe without the frame's partitioned
session cookie, so the tool answers 401 and the download is cancelled; a plain link to an
`attachment` response downloads with the session (tests/browser checks both in the frame).
"""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).parents[3] / "src" / "lti_pathing" / "templates"


def test_no_template_link_uses_the_download_attribute() -> None:
    found = [
        f"{path.relative_to(TEMPLATES)}: {tag}"
        for path in TEMPLATES.rglob("*.html")
        for tag in re.findall(r"<a\b[^>]*>", re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.S))
        if re.search(r"\sdownload(?:[\s=>]|$)", tag)
    ]
    assert not found, found
