"""A ZIP import inflates to at most the limits of transfer.archive, counted while inflating."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from lti_pathing.services.transfer import archive as limits
from lti_pathing.services.transfer import reader
from lti_pathing.services.transfer.reader import read_path, read_zip

HEADER = b"id,name\n"


def archive(members: dict[str, int], tmp_path: Path) -> Path:
    """A ZIP of CSV files, each a header and then `size` bytes of padding, deflated."""
    path = tmp_path / "upload.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as packed:
        for name, size in members.items():
            with packed.open(name, "w") as member:
                member.write(HEADER)
                for start in range(0, size, 2**20):
                    member.write(b" " * min(2**20, size - start))
    return path


def only_problem(doc: reader.Document) -> str:
    """The one problem reported, as a person reads it."""
    assert len(doc.problems) == 1, doc.problems
    assert doc.problems[0].code == "too_large"
    assert doc.rows == {}
    return str(doc.problems[0])


def test_a_zip_bomb_is_refused_without_inflating_it(tmp_path: Path) -> None:
    bomb = archive({"people.csv": 300 * 2**20}, tmp_path)  # 300 MiB of spaces
    assert bomb.stat().st_size < 2**20
    tracemalloc.start()
    try:
        message = only_problem(read_path(bomb))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message == "upload.zip: people.csv inflates to more than 64 MiB"
    assert peak < limits.MAX_MEMBER_BYTES + 16 * 2**20  # stopped at the limit, not at 300 MiB


def test_the_sizes_of_all_members_together_are_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_ZIP_BYTES", 3 * 2**20)
    data = archive({"people.csv": 2**20, "skills.csv": 2**20, "roles.csv": 2**20}, tmp_path)
    message = only_problem(read_zip("upload.zip", io.BytesIO(data.read_bytes())))
    assert message == "upload.zip: the archive inflates to more than 3 MiB"


def test_the_number_of_members_is_bounded(tmp_path: Path) -> None:
    names = {f"part-{n}.csv": 0 for n in range(limits.MAX_ZIP_MEMBERS + 1)}
    message = only_problem(read_path(archive(names, tmp_path)))
    assert message == "upload.zip: 101 CSV files; an import takes at most 100"


def test_a_header_that_understates_a_member_does_not_let_more_through(tmp_path: Path) -> None:
    path = archive({"people.csv": 4096}, tmp_path)
    data = bytearray(path.read_bytes())
    # Both the local and the central header claim 10 bytes where 4,104 are stored.
    real = (len(HEADER) + 4096).to_bytes(4, "little")
    data = data.replace(real, (10).to_bytes(4, "little"))
    doc = read_zip("upload.zip", io.BytesIO(bytes(data)))
    assert [str(p) for p in doc.problems] == ["upload.zip: not a ZIP archive, or a damaged one"]


def test_an_archive_within_the_limits_is_read(tmp_path: Path) -> None:
    path = tmp_path / "small.zip"
    with zipfile.ZipFile(path, "w") as packed:
        packed.writestr("folder/skill_categories.csv", "id,name\ncat-1,Data\n")
    doc = read_path(path)
    assert doc.problems == []
    assert [row.raw for row in doc.rows["skill_categories"]] == [{"id": "cat-1", "name": "Data"}]
