"""The integration tier: the tool and the development platform on real HTTP servers.

`tests/support/lti_servers.py` starts them (the browser tier uses the same piece): the tool on
127.0.0.1 with its own SQLite database and the sample organisation in tenant `acme`, the platform
at http://localhost:PORT — another origin, as an LMS is. Tests here are marked `integration`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.lti_servers import (
    CLIENTS,
    TENANT,
    LtiServers,
    register_platform,
    running_lti_servers,
    seed_sample,
)
from tests.support.servers import Browser

__all__ = ["CLIENTS", "TENANT", "LtiServers", "register_platform", "seed_sample"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def lti_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LtiServers]:
    """Tool on 127.0.0.1, platform on localhost, registered with each other."""
    with running_lti_servers(tmp_path_factory.mktemp("lti-tool")) as servers:
        yield servers


@pytest.fixture
def browser() -> Browser:
    """A fresh browser (no cookies) for each test."""
    return Browser()


def page_text(response: requests.Response) -> str:
    """The response body, for assertions on what a person sees."""
    return response.text


def find(items: list[dict[str, Any]], **wanted: Any) -> dict[str, Any] | None:
    """The first item whose fields have the wanted values."""
    return next((i for i in items if all(i.get(k) == v for k, v in wanted.items())), None)
