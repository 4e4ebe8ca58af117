"""A launch whose `canvas_api_base_url` ($Canvas.api.baseUrl) is not the tenant's Canvas
connection is logged for the admin: the sync would be asking another Canvas."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from lti_pathing import jobs
from lti_pathing.lms.canvas import api_url_mismatch
from lti_pathing.models import Lms
from lti_pathing.services.completions.connections import LmsConnectionService
from tests.lti_pathing.lti.launching import LaunchingPlatform

CONNECTED = "https://school.instructure.com"


@pytest.mark.parametrize(
    ("launched", "connected", "warned"),
    [("https://school.instructure.com", [CONNECTED], False),
     ("HTTPS://School.Instructure.com/", [CONNECTED + "/"], False),
     ("https://school.test.instructure.com", [CONNECTED], True),
     ("https://school.test.instructure.com", [], False),  # no Canvas connection: nothing to say
     ("$Canvas.api.baseUrl", [CONNECTED], False),  # not substituted (not a Canvas launch)
     (None, [CONNECTED], False)],
)  # fmt: skip
def test_only_another_canvas_is_a_mismatch(
    launched: Any, connected: list[str], warned: bool
) -> None:
    assert (api_url_mismatch(launched, connected) is not None) is warned


def test_a_launch_from_another_canvas_is_logged_for_the_admin(
    app: Flask, session: Session, tenant: Any, platform: LaunchingPlatform,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    with app.app_context():
        LmsConnectionService(session, tenant).connect(Lms.canvas, CONNECTED, "canvas-token-1234")
    session.commit()
    monkeypatch.setattr(jobs, "enqueue_sync", lambda *args, **kwargs: None)  # no LMS here
    custom = {"canvas_api_base_url": "https://school.test.instructure.com"}
    with caplog.at_level(logging.WARNING):
        assert platform.launch(custom=custom).status_code == 302
    (warning,) = [r.getMessage() for r in caplog.records if "canvas_api" in r.getMessage()
                  or "Canvas's API" in r.getMessage()]  # fmt: skip
    assert "https://school.test.instructure.com" in warning and CONNECTED in warning
