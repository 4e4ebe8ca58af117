"""`/lti/launch`: the platform posts the id_token here; a valid one signs the user in.

Everything is checked before anything is written (see adapter.py): signature, kid, exp/iat with
60 s leeway, iss/aud/azp, nonce and state, the deployment of *that* client, the message claims.
A failure is a 400 page saying why, with no session and no rows. A valid launch finds or creates
the person (identity.py), maps roles (roles.py), records the course for grade passback, queues
an LMS sync of the person (when the tenant has a connection), signs them in and sends them to
the landing page (the career plan for links placed by deep linking).

Canvas's Student View (its Test Student, `lti/system/person#TestUser`) is shown a page that says
what learners get, and nothing is recorded: a throw-away user must not become a person of the
organisation, a passback target or a new deployment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, make_response, redirect, render_template, request, url_for
from pylti1p3.exception import LtiException, OIDCException
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from lti_pathing import db, jobs
from lti_pathing.auth import Actor, sign_in, sign_out
from lti_pathing.lms.canvas import api_url_mismatch
from lti_pathing.lti import adapter, bp, platform_storage
from lti_pathing.lti.identity import CLAIM, LaunchIdentityService, LaunchUser
from lti_pathing.lti.roles import granting_roles, is_test_user, tool_roles
from lti_pathing.lti.rosters import RosterService
from lti_pathing.models import Lms, Person, PlatformDeployment, PlatformRegistration, Tenant
from lti_pathing.notify.links import launch_url
from lti_pathing.notify.preferences import PreferenceService
from lti_pathing.services.completions.connections import LmsConnectionService
from lti_pathing.services.grades import GradeService

RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
# The deep-linking view (lti/deep_link.py) registers this endpoint; it gets `?launch_id=`.
DEEP_LINK_ENDPOINT = "lti.deep_link"
# The `placement` custom parameter of links the tool placed (deep_link.py) -> the page they open.
PLACEMENTS = {"career_plan": "learner.plan"}


@bp.post("/launch")
def launch() -> Response:
    """Validate the launch, sign the user in, and redirect to the landing page.

    A launch whose login kept its state in the platform signs nobody in yet: it answers with
    the page that reads the state back from the platform (platform_storage.py).
    """
    conf = adapter.tool_conf()
    state = request.form.get("state") or ""
    pending = platform_storage.pending_state(state)
    message = adapter.message_launch(conf, state_in_platform=pending is not None)
    try:
        message.validate()
        claims: dict[str, Any] = dict(message.get_launch_data())
    except (LtiException, OIDCException) as error:
        raise adapter.refused(error) from error
    message_type = claims[CLAIM + "message_type"]
    if message_type not in (RESOURCE_LINK, DEEP_LINKING):
        raise adapter.LtiRefused(
            f"LTI launch refused: message type {message_type!r} is not supported"
        )
    if message_type == DEEP_LINKING and DEEP_LINK_ENDPOINT not in current_app.view_functions:
        raise adapter.LtiRefused("LTI launch refused: deep linking is not available yet")
    registration = conf.registration_row(claims["iss"], message.get_client_id())
    if pending is not None:
        platform_storage.use_state(state)
    if is_test_user(_roles_claim(claims)):
        sign_out()
        return make_response(render_template("lti/student_view.html"))
    if pending is not None:
        return platform_storage.check_page(
            pending, state, registration, message.get_launch_id(), conf.pending_deployment
        )
    record_pending_deployment(conf.pending_deployment)
    return redirect(finish(registration, claims, message.get_launch_id()))


def finish(
    registration: PlatformRegistration,
    claims: Mapping[str, Any],
    launch_id: str,
    storage: str = "cookie",
) -> str:
    """Sign in the person of a validated launch; where they go next.

    `storage`: where the login kept its state ("cookie", or "platform" for platform storage).
    """
    actor = sign_in_launch(registration, claims, launch_id, storage)
    current_app.logger.info(
        "LTI launch: person %s of tenant %s via %s (state kept by %s)",
        actor.person_id, actor.tenant_id, registration, storage,
    )  # fmt: skip
    if claims[CLAIM + "message_type"] == DEEP_LINKING:
        return url_for(DEEP_LINK_ENDPOINT, launch_id=launch_id)
    return landing(claims)


def landing(claims: Mapping[str, Any]) -> str:
    """Where a resource link lands: the page its `placement` names (deep linking), else home."""
    custom = claims.get(CLAIM + "custom") or {}
    endpoint = (
        PLACEMENTS.get(str(custom.get("placement") or "")) if isinstance(custom, dict) else None
    )
    if endpoint is None or endpoint not in current_app.view_functions:
        return url_for("home.index")
    return url_for(endpoint)


def record_pending_deployment(pending: tuple[PlatformRegistration, str] | None) -> None:
    """Store a deployment id the registration had not seen (a new install), after validation."""
    if pending is None:
        return
    row, deployment_id = pending
    session = db.session()
    try:
        with session.begin_nested():  # two first launches at once: the other one recorded it
            session.add(PlatformDeployment(
                tenant_id=row.tenant_id, registration_id=row.id, deployment_id=deployment_id
            ))  # fmt: skip
    except IntegrityError:
        pass
    row.deployment_pending = False
    session.flush()
    current_app.logger.info("LTI: new deployment %r recorded for %s", deployment_id, row)


def launch_info(
    registration: PlatformRegistration,
    claims: Mapping[str, Any],
    launch_id: str,
    storage: str = "cookie",
) -> dict[str, str]:
    """What services need later to call back into the LMS for this launch (kept in the session)."""
    context = claims.get(CLAIM + "context") or {}
    link = claims.get(CLAIM + "resource_link") or {}
    info = {
        "registration_id": str(registration.id),
        "issuer": registration.issuer,
        "client_id": registration.client_id,
        "deployment_id": str(claims[CLAIM + "deployment_id"]),
        "context_id": str(context.get("id") or ""),
        "resource_link_id": str(link.get("id") or ""),
        "message_type": str(claims[CLAIM + "message_type"]),
        "launch_id": launch_id,
        "storage": storage,
    }
    return info


def sign_in_launch(
    registration: PlatformRegistration,
    claims: Mapping[str, Any],
    launch_id: str,
    storage: str = "cookie",
) -> Actor:
    """Find or create the person for a validated launch and start their session."""
    sign_out()  # a refused launch leaves no one signed in, whoever used this browser before
    session = db.session()
    tenant = session.get(Tenant, registration.tenant_id)
    if tenant is None or not tenant.active:
        raise adapter.LtiRefused("LTI launch refused: this organisation is not active")
    people = LaunchIdentityService(session, tenant)
    person = people.person_for(LaunchUser.from_claims(claims, registration.client_id))
    roles = set(tool_roles(_roles_claim(claims), registration.admin_roles, person.is_admin))
    if people.has_reports(person):
        roles.add("manager")
    after_launch(session, tenant, registration, claims, person)
    actor = Actor(
        tenant_id=tenant.id,
        person_id=person.id,
        name=person.name,
        roles=frozenset(roles),
        launch=launch_info(registration, claims, launch_id, storage),
        lms_admin_roles=granting_roles(_roles_claim(claims), registration.admin_roles),
    )
    sign_in(actor)
    return actor


def after_launch(
    session: Session,
    tenant: Tenant,
    registration: PlatformRegistration,
    claims: Mapping[str, Any],
    person: Person,
) -> None:
    """What a launch sets going: its course as a grade passback target (and its roster, when
    offered, for an admin to match), and an LMS sync.

    The sync is a background job queued only when the tenant has an active LMS connection; it
    starts once the launch commits, so the page never waits for the LMS.
    """
    GradeService(session, tenant).remember_launch(registration, claims, person)
    RosterService(session, tenant).remember(registration, claims)
    PreferenceService(session, tenant).remember_launch(
        person.id, launch_url(registration.issuer, claims)
    )  # what notifications link back to
    active = LmsConnectionService(session, tenant).active()
    custom = claims.get(CLAIM + "custom") or {}
    canvas = [c.base_url for c in active if c.kind == Lms.canvas]
    mismatch = api_url_mismatch(custom.get("canvas_api_base_url"), canvas)
    if mismatch is not None:
        current_app.logger.warning("tenant %s: %s", tenant.slug, mismatch)
    if active:
        jobs.enqueue_sync(session, tenant, [person.id], person.id, trigger="launch")


def _roles_claim(claims: Mapping[str, Any]) -> list[str]:
    roles = claims.get(CLAIM + "roles")
    if isinstance(roles, str):
        return [roles]
    return [r for r in roles if isinstance(r, str)] if isinstance(roles, list) else []
