"""The bundled sample organisation (Larkspur Software): loaded by `seed-demo` and `make demo`.

Loading only adds what is missing, so a second run changes nothing: entities already stored
keep whatever an admin made of them, and a history row (one piece of evidence) is added only
when the person has no evidence with the same skill, source, date, level and activity. The
histories are fixed data (sample_data/histories.json); nothing is random at load.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from lti_pathing.models import Activity, Evidence, EvidenceSource, Person, Skill
from lti_pathing.services.base import TenantService
from lti_pathing.services.transfer.apply import ImportReport
from lti_pathing.services.transfer.importer import ImportService
from lti_pathing.services.transfer.reader import read_json

EvidenceKey = tuple[int, int, EvidenceSource, dt.date, int, int | None]


def sample_file(name: str) -> bytes:
    """A file of the shipped sample organisation."""
    return resources.files("lti_pathing").joinpath(f"sample_data/{name}").read_bytes()


@dataclass
class SampleReport:
    """What loading the sample organisation changed."""

    catalog: ImportReport
    evidence: int

    @property
    def changed(self) -> int:
        """Records created or updated (0 on a second run)."""
        return self.catalog.changed + self.evidence

    def lines(self) -> list[str]:
        """One human line per entity, then the evidence."""
        return [*self.catalog.lines(), f"evidence: {self.evidence} created"]


class SampleOrgService(TenantService):
    """Load the sample organisation into the acting tenant without touching what is stored."""

    def load(self) -> SampleReport:
        """Add the missing catalog, people and skill histories; report what changed."""
        doc = read_json("catalog.json", sample_file("catalog.json"))
        importer = ImportService(self.session, self.tenant, self.clock)
        catalog = importer.import_document(doc, keep_existing=True)
        histories = json.loads(sample_file("histories.json"))["evidence"]
        return SampleReport(catalog, self._add_histories(histories))

    def _add_histories(self, rows: list[dict[str, Any]]) -> int:
        people = self._by_external_id(Person)
        skills = self._by_external_id(Skill)
        activities = self._by_external_id(Activity)
        have = {self._key(e) for e in self.session.scalars(self.scoped(Evidence))}
        added = 0
        for row in rows:
            person, skill = people.get(row["person"]), skills.get(row["skill"])
            if person is None or skill is None:
                continue  # renamed away by an admin: their data wins
            activity = activities.get(row["activity"]) if row["activity"] else None
            recorder = people.get(row["recorded_by"]) if row["recorded_by"] else None
            evidence = Evidence(
                tenant_id=self.tenant.id, person_id=person, skill_id=skill, level=row["level"],
                source=EvidenceSource(row["source"]),
                observed_on=dt.date.fromisoformat(row["observed_on"]),
                recorded_by_id=recorder, activity_id=activity, note=row["note"],
                created_at=self.clock(),
            )  # fmt: skip
            if self._key(evidence) not in have:
                have.add(self._key(evidence))
                self.session.add(evidence)
                added += 1
        self.session.flush()
        return added

    @staticmethod
    def _key(e: Evidence) -> EvidenceKey:
        return (e.person_id, e.skill_id, e.source, e.observed_on, e.level, e.activity_id)

    def _by_external_id(self, model: Any) -> dict[str, int]:
        stmt = self.scoped(model).with_only_columns(model.external_id, model.id)
        return {str(ext): int(pk) for ext, pk in self.session.execute(stmt)}
