"""Re-plan proposals: an approved (or submitted) plan is never replaced silently.

A re-plan (organisation-wide, or "re-plan from today") writes its result as a plan with status
`proposed` naming the plan it would replace. One of the learner's managers accepts it (it
becomes the approved plan, the old one is archived as superseded) or dismisses it. Both check
the version the manager saw and log an event on both plans.
"""

from __future__ import annotations

from lti_pathing.errors import Conflict, NotFound
from lti_pathing.models import Plan, PlanStatus
from lti_pathing.notify import events as notify_events
from lti_pathing.services.approvals import ApprovalService, _clean_comment
from lti_pathing.services.credentials import CredentialService
from lti_pathing.services.mentoring import MentorService
from lti_pathing.services.plan_life import REPLACEABLE
from lti_pathing.services.team import TeamService


class ProposalService(ApprovalService):
    """The manager's side of re-plan proposals."""

    def pending(self, manager_id: int) -> list[Plan]:
        """Proposals for the manager's (direct and indirect) reports, oldest first."""
        reports = TeamService(self.session, self.tenant).report_ids(manager_id)
        return self.plans_of(reports, (PlanStatus.proposed,))

    def _proposal(self, manager_id: int, plan_id: int, expected_version: int) -> Plan:
        plan = self.plan_for(manager_id, plan_id)
        if plan.person_id == manager_id or not self._manages(manager_id, plan.person_id):
            raise NotFound(f"no Plan with id {plan_id}")
        self.check_version(plan, expected_version)
        if plan.status is not PlanStatus.proposed:
            raise Conflict(f"this plan is {plan.status.value.replace('_', ' ')}, not a proposal")
        return plan

    def accept(
        self, manager_id: int, plan_id: int, expected_version: int, comment: str = ""
    ) -> Plan:
        """The proposal becomes the approved plan; the plan it replaces is superseded."""
        text = _clean_comment(comment)
        proposal = self._proposal(manager_id, plan_id, expected_version)
        old = self.session.get(Plan, proposal.replaces_id) if proposal.replaces_id else None
        if old is not None and old.status in REPLACEABLE:
            before = old.status
            old.status = PlanStatus.archived
            self.flush()
            self.log(old, "superseded", manager_id, text,
                     {"by": proposal.id, "from": before.value, "to": "archived"})  # fmt: skip
        proposal.status = PlanStatus.approved
        self.flush()
        data = {"replaces": proposal.replaces_id, "from": "proposed", "to": "approved"}
        self.log(proposal, "proposal_accepted", manager_id, text, data)
        notify_events.proposal_accepted(self.session, self.tenant, proposal, old, manager_id, text)
        CredentialService(self.session, self.tenant, self.clock).award_due(proposal.person_id)
        MentorService(self.session, self.tenant, self.clock).request_for(proposal)
        return proposal

    def dismiss(
        self, manager_id: int, plan_id: int, expected_version: int, comment: str = ""
    ) -> Plan:
        """Drop the proposal; the plan it would have replaced stays as it is."""
        text = _clean_comment(comment)
        proposal = self._proposal(manager_id, plan_id, expected_version)
        proposal.status = PlanStatus.archived
        self.flush()
        data = {"replaces": proposal.replaces_id, "from": "proposed", "to": "archived"}
        self.log(proposal, "proposal_dismissed", manager_id, text, data)
        return proposal
