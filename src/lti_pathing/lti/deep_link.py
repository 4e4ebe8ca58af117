"""Deep linking: an instructor or admin places "My career plan" in a course.

The launch view (launch.py) validates the LtiDeepLinkingRequest, signs the user in and sends
them here with the launch id. Course staff (instructors, course administrators) and tool admins
see what the tool offers and confirm; the tool answers the platform with a signed
LtiDeepLinkingResponse, auto-posted to the platform's `deep_link_return_url`. Learners are
refused: they may not change the course.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException

from lti_pathing.auth import actor_or_raise
from lti_pathing.errors import PermissionDenied
from lti_pathing.lti import adapter, bp, outbound
from lti_pathing.lti.ags import plan_line_item
from lti_pathing.lti.identity import CLAIM
from lti_pathing.lti.roles import is_course_staff
from lti_pathing.security import public_url

TITLE = "My career plan"
SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


def _staff_launch(launch_id: str) -> adapter.ToolMessageLaunch:
    """The deep-linking launch of this signed-in user, if they are course staff."""
    actor = actor_or_raise()
    if actor.launch.get("launch_id") != launch_id:
        raise PermissionDenied("this deep-linking request belongs to another launch")
    launch = adapter.restore_launch(launch_id, unbound=actor.launch.get("storage") == "platform")
    claims: dict[str, Any] = dict(launch.get_launch_data())
    if not launch.is_deep_link_launch():
        raise PermissionDenied("this launch is not a deep-linking request")
    if not (is_course_staff(claims.get(CLAIM + "roles") or []) or actor.has("admin")):
        raise PermissionDenied(
            "only instructors and administrators can add lti-pathing to a course"
        )
    return launch


def return_url(settings: dict[str, Any]) -> str:
    """The platform's deep-link return URL, if it is one a browser may be sent to with a post.

    The platform signs it, but a `javascript:` or `data:` URL as a form action would run in the
    tool's origin: only https is taken (http to this machine in development).
    """
    url = settings.get("deep_link_return_url")
    if not isinstance(url, str) or not url:
        raise adapter.LtiRefused("the platform's deep-linking request has no deep_link_return_url")
    try:
        outbound.policy().check_url(url)
    except outbound.TargetRefused:
        raise adapter.LtiRefused(
            f"the platform's deep-link return URL {url[:80]!r} is not an https URL: the tool "
            "does not send the course's new link there. Ask the LMS administrator to check the "
            "platform's address (it must be served over https)."
        ) from None
    return url


def content_item(graded: bool = False) -> DeepLinkResource:
    """The one thing the tool offers: a link that opens the learner's career plan.

    `graded`: the link comes with its own line item, so the LMS makes a grade column for it
    (Canvas: an assignment) and the tool reports plan progress there: the explicit choice of
    whoever places it, never the default.
    """
    item = (
        DeepLinkResource()
        .set_url(public_url("lti.launch"))
        .set_title(TITLE)
        .set_custom_params({"placement": "career_plan"})
    )
    return item.set_lineitem(plan_line_item()) if graded else item


@bp.route("/deep-link", methods=["GET", "POST"])
def deep_link() -> str:
    """GET: offer "My career plan"; POST (confirmed): sign the response and post it back."""
    launch_id = request.values.get("launch_id", "")
    launch = _staff_launch(launch_id)
    claims: dict[str, Any] = dict(launch.get_launch_data())
    settings: dict[str, Any] = dict(claims.get(SETTINGS) or {})
    action = return_url(settings)
    if request.method == "GET":
        context: dict[str, Any] = dict(claims.get(CLAIM + "context") or {})
        return render_template(
            "lti/deep_link.html", launch_id=launch_id, title=TITLE,
            course_title=context.get("title") or "your course",
        )  # fmt: skip
    try:
        graded = request.form.get("gradebook") == "1"
        token = launch.get_deep_link().get_response_jwt([content_item(graded)])
    except LtiException as error:
        raise adapter.refused(error) from error
    return render_template("lti/autopost.html", action=action, fields={"JWT": token})
