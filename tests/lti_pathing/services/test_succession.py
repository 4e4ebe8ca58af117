"""Succession benches: who could step into each critical role, how soon, and who cannot."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from lti_pathing.models import Evidence, EvidenceSource, Tenant
from lti_pathing.services.succession import SuccessionService
from tests.lti_pathing.services.journeys_org import Org, build_org
from tests.lti_pathing.services.larkspur import larkspur, loaded, work

__all__ = ["larkspur", "loaded", "work"]


@pytest.fixture
def org(session: Session, tenant: Tenant) -> Org:
    return build_org(session, tenant)


def test_candidates_rank_by_readiness_date_then_fit(session: Session, org: Org) -> None:
    org.swe3.critical = True
    session.add(
        Evidence(
            tenant_id=org.tenant.id, person_id=org.lea.id, skill_id=org.python.id, level=3,
            source=EvidenceSource.manager, observed_on=dt.date(2026, 1, 1),
        )
    )  # fmt: skip
    session.flush()
    service = SuccessionService(session, org.tenant)
    [before] = service.benches()
    # Nobody estimated yet: the best fit (Lea, 50 %) leads.
    assert before.candidates[0].person.name == "Lea Learner"
    assert before.candidates[0].fit.percent == 50
    estimates = {
        (org.leo.id, org.swe3.id): {"weeks": 10, "ready_on": "2026-03-16"},
        (org.xena.id, org.swe3.id): {"weeks": 60, "ready_on": "2027-03-01"},
    }
    [bench] = service.benches(estimates)
    assert [(c.person.name, c.bench) for c in bench.candidates] == [
        ("Leo Learner", "within 1 year"),
        ("Xena Elsewhere", "later"),
        ("Lea Learner", "no estimate yet"),
    ]
    assert bench.candidates[0].ready_on == dt.date(2026, 3, 16)
    assert bench.strength == {
        "ready now": 0, "within 1 year": 1, "later": 1, "no estimate yet": 1,
    }  # fmt: skip
    assert bench.strength_line == "0 ready now · 1 within 1 year · 1 later · 1 no estimate yet"
    assert {(n.person.name, n.reason) for n in bench.not_candidates} >= {
        ("Dana Director", "no current role recorded")
    }
    assert sorted(service.pairs_to_estimate()) == sorted(
        [[p.id, org.swe3.id] for p in (org.leo, org.lea, org.xena)]
    )


def test_the_sample_organisations_benches_are_credible(work: Session, larkspur: Tenant) -> None:
    benches = {b.role.external_id: b for b in SuccessionService(work, larkspur).benches()}
    assert len(benches) == 9  # the critical roles
    shortlists = {key: tuple(c.person.id for c in b.shortlist) for key, b in benches.items()}
    assert len(set(shortlists.values())) == len(shortlists)  # not the same people everywhere
    ceo = benches["ceo"]
    assert ceo.candidates and all(c.fit.percent > 0 for c in ceo.shortlist)
    roles = {c.person.current_role.external_id for c in ceo.candidates if c.person.current_role}
    # The career paths lead to CEO from three directors (and, a move earlier, their managers).
    assert {"dir-eng", "dir-finance", "dir-product"} <= roles and "hrg" not in roles
    assert "Adaeze García" not in [c.person.name for c in ceo.candidates]
    assert ceo.not_candidates[0].reason == "holds the role"
    for bench in benches.values():
        fits = [c.fit.score for c in bench.candidates if not c.estimated]
        assert fits == sorted(fits, reverse=True)  # unestimated: by fit
        assert sum(bench.strength.values()) == len(bench.candidates)
        assert all(n.reason for n in bench.not_candidates)
