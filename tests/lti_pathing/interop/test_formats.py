"""Which format a file is in, told by its content (and forced by the caller)."""

from __future__ import annotations

import pytest

from lti_pathing.interop.formats import detect, read_any
from lti_pathing.services.transfer.reader import Document
from tests.lti_pathing.interop.conftest import fixture_bytes


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (fixture_bytes("moodle/example.csv"), "moodle-csv"),
        (b"\xef\xbb\xbf" + fixture_bytes("moodle/example.csv"), "moodle-csv"),
        (b"parent id number,id number,shortname\n", "moodle-csv"),
        (fixture_bytes("canvas/demo.csv"), "canvas-csv"),
        (fixture_bytes("canvas/documentation-sample.csv"), "canvas-csv"),
        (b"id,name\nsql,SQL\n", None),
        (b'{"format": "lti-pathing.catalog", "version": 1}', None),
        (b"PK\x03\x04 a zip", None),
        (b"", None),
    ],
)
def test_detect(data: bytes, expected: str | None) -> None:
    assert detect(data) == expected


def test_a_forced_format_reads_the_file_as_that_format() -> None:
    native = Document("csv", "native")
    assert read_any("skills.csv", b"id,name\n", "auto", lambda: native) is native
    forced = read_any("skills.csv", b"id,name\n", "canvas-csv", lambda: native)
    assert [str(p) for p in forced.problems] == [
        "skills.csv:1: id: unknown column",
        "skills.csv:1: name: unknown column",
        "skills.csv:1: vendor_guid: required column is missing",
        "skills.csv:1: object_type: required column is missing",
        "skills.csv:1: title: required column is missing",
        "skills.csv:1: parent_guids: required column is missing",
    ]
    moodle = fixture_bytes("moodle/example.csv")
    assert read_any("x.csv", moodle, "native", lambda: native) is native
