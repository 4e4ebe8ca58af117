"""The one rule for links and lengths that forms, the API, imports and calendars share."""

from __future__ import annotations

import pytest

from lti_pathing.services.text_rules import LINK_MAX, not_a_web_link, too_long


@pytest.mark.parametrize(
    "url", ["https://learn.example.com/course/view.php?id=7", "http://127.0.0.1:8080/x",
            "HTTPS://EXAMPLE.COM"],
)  # fmt: skip
def test_web_links_pass(url: str) -> None:
    assert not_a_web_link(url) is None


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,<b>", "javascript://example.com/%0Aalert(1)",
     "ftp://example.com/", "//example.com/", "https://", "https://example.com/a b",
     "https://example.com/\r\nX-A:1", "https://example.com/" + "a" * LINK_MAX],
)  # fmt: skip
def test_anything_else_is_refused_with_a_reason(url: str) -> None:
    assert not_a_web_link(url)


def test_lengths_are_counted_in_characters() -> None:
    assert too_long("é" * 200, 200) is None
    assert too_long("x" * 201, 200) == "at most 200 characters (201 given)"
