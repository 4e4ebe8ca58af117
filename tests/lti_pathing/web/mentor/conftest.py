"""The journey fixtures (sample organisation, app, signed-in clients) for these tests."""

from tests.lti_pathing.web.journeys_fixtures import (  # noqa: F401
    client_as,
    db,
    inline_jobs,
    larkspur,
    person,
    web,
)
