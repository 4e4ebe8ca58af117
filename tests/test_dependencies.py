"""requirements.lock (what `make install` and CI install) keeps up with pyproject.toml's ranges."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", re.MULTILINE)


def pins() -> dict[str, str]:
    """Package name -> the version requirements.lock installs."""
    text = (ROOT / "requirements.lock").read_text()
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


def declared() -> list[Requirement]:
    """The project's requirements and its dev extra's, as pyproject.toml states them."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = [*project["dependencies"], *extras["dev"], *extras["demo"]]
    return [r for r in map(Requirement, wanted) if canonicalize_name(r.name) != "lti-pathing"]


def test_every_declared_requirement_is_pinned_within_its_range() -> None:
    locked = pins()
    wrong = []
    for requirement in declared():
        version = locked.get(canonicalize_name(requirement.name))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            wrong.append(f"{requirement} (locked: {version})")
    assert not wrong, f"requirements.lock is behind pyproject.toml, run `make lock`: {wrong}"


def test_every_pin_carries_hashes_and_names_no_machine_path() -> None:
    text = (ROOT / "requirements.lock").read_text()
    assert len(pins()) == text.count("==")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text)
    assert all("--hash=sha256:" in e for e in entries if PIN.match(e))
    assert "file://" not in text and "--find-links" not in text and "--index-url" not in text
