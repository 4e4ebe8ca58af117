"""The sample organisation as `make demo` loads it: people with histories, and a safe re-run."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_pathing.models import Evidence, EvidenceSource, Person, Role, Tenant
from lti_pathing.services.job_architecture import JobArchitectureService
from lti_pathing.services.levels import LevelService
from lti_pathing.services.pathways import PathwayService, fit_for
from lti_pathing.services.people import PeopleService
from lti_pathing.services.sample_org import SampleOrgService
from tests.lti_pathing.services.larkspur import Loaded, clock, larkspur, loaded, named, work

__all__ = ["larkspur", "loaded", "work"]


def current_fits(work: Session, tenant: Tenant) -> dict[str, int]:
    """Each active person's fit (percent) to their own current role, by name."""
    people = work.scalars(
        select(Person).where(Person.tenant_id == tenant.id, Person.active.is_(True))
    ).all()
    levels = LevelService(work, tenant).levels_for([p.id for p in people])
    pathways = PathwayService(work, tenant)
    return {
        p.name: fit_for(
            pathways.role_with_skills(p.current_role_id),
            {sid: lv.level for sid, lv in levels[p.id].items()},
        ).percent
        for p in people
        if p.current_role_id is not None
    }


def test_most_people_meet_most_of_their_own_role(work: Session, larkspur: Tenant) -> None:
    fits = current_fits(work, larkspur)
    assert sum(1 for f in fits.values() if f >= 75) >= 0.9 * len(fits)
    assert fits["Kenji Mwangi"] >= 75
    assert not [name for name, f in fits.items() if f == 0]
    # ... but not everyone is done: gaps are specific, a skill or two short.
    assert sum(1 for f in fits.values() if f < 100) >= 0.8 * len(fits)


def test_histories_mix_lms_completions_manager_and_self_assessments(
    work: Session, larkspur: Tenant
) -> None:
    by_source = dict(
        work.execute(
            select(Evidence.source, func.count())
            .where(Evidence.tenant_id == larkspur.id)
            .group_by(Evidence.source)
        ).all()
    )
    assert by_source[EvidenceSource.lms_completion] > 200
    assert by_source[EvidenceSource.manager] > 200
    assert 10 < by_source[EvidenceSource.self] < by_source[EvidenceSource.manager]
    assert EvidenceSource.import_ not in by_source


def test_kenjis_manager_sees_a_heat_map_that_is_not_all_red(
    work: Session, larkspur: Tenant
) -> None:
    """Aisha's team against each report's target (else current) role: some cells met."""
    kenji = named(work, larkspur, "Kenji Mwangi")
    team = work.scalars(select(Person).where(Person.manager_id == kenji.manager_id)).all()
    levels = LevelService(work, larkspur).levels_for([p.id for p in team])
    pathways = PathwayService(work, larkspur)
    cells = []
    for person in team:
        role = pathways.role_with_skills(person.target_role_id or person.current_role_id)
        fit = fit_for(role, {sid: lv.level for sid, lv in levels[person.id].items()})
        cells += [gap.missing == 0 for gap in fit.gaps]
    assert len(team) > 3
    assert sum(cells) > len(cells) / 2  # mostly met, with real gaps left
    assert not all(cells)


def test_a_second_load_changes_nothing_and_keeps_an_admins_edits(
    work: Session, larkspur: Tenant, loaded: Loaded
) -> None:
    assert loaded.report.changed > 0 and loaded.report.evidence > 1000
    kenji = named(work, larkspur, "Kenji Mwangi")
    PeopleService(work, larkspur).update_person(
        kenji.id, kenji.version, {"name": "Kenji Mwangi-Tanaka"}
    )
    role = work.scalars(
        select(Role).where(Role.tenant_id == larkspur.id, Role.external_id == "swe-2")
    ).one()
    JobArchitectureService(work, larkspur).update_role(
        role.id, role.version, {"title": "Software Engineer (mid-level)"}
    )
    work.flush()
    evidence = work.scalar(select(func.count()).select_from(Evidence))
    again = SampleOrgService(work, larkspur, clock).load()
    work.flush()
    assert again.changed == 0 and again.evidence == 0
    work.expire_all()
    assert work.get_one(Person, kenji.id).name == "Kenji Mwangi-Tanaka"
    assert work.get_one(Role, role.id).title == "Software Engineer (mid-level)"
    assert work.scalar(select(func.count()).select_from(Evidence)) == evidence
