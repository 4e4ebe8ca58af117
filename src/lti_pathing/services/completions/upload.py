"""A completions CSV upload: checked against the tenant, then written at once or not at all."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lti_pathing.errors import Conflict
from lti_pathing.lms.csv import CompletionRow, read_completions
from lti_pathing.lms.source import course_key, module_key
from lti_pathing.models import (
    Activity,
    CompletionChannel,
    CompletionRecord,
    LmsCourseLink,
    LmsIdentity,
    Person,
)
from lti_pathing.services.base import TenantService
from lti_pathing.services.completions import Applied, CompletionService
from lti_pathing.services.transfer.importer import ImportRejected
from lti_pathing.services.transfer.reader import Problem


@dataclass
class UploadReport:
    """What an upload did (or, in a dry run, would do)."""

    rows: int = 0
    recorded: int = 0
    unchanged: int = 0
    evidence: int = 0
    items: int = 0
    dry_run: bool = False

    def lines(self) -> list[str]:
        """The report as the CLI prints it."""
        return [
            f"{self.rows} row(s): {self.recorded} new completion(s), "
            f"{self.unchanged} already known",
            f"{self.evidence} evidence row(s) added, {self.items} plan item(s) marked done",
        ]


@dataclass(frozen=True)
class _Resolved:
    row: CompletionRow
    person: Person
    activity: Activity | None


class CompletionUploadService(TenantService):
    """Import completions from a CSV file for any LMS."""

    def import_csv(self, name: str, data: bytes, dry_run: bool = False) -> UploadReport:
        """Check every row, then record and apply them all; ImportRejected and nothing written."""
        rows, problems = read_completions(name, data)
        resolved = [r for r in (self._resolve(name, row, problems) for row in rows) if r]
        if problems:
            raise ImportRejected(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
        report = UploadReport(rows=len(rows), dry_run=dry_run)
        savepoint = self.session.begin_nested()
        try:
            applied = Applied()
            service = CompletionService(self.session, self.tenant, self.clock)
            for item in resolved:
                record = self._record(item)
                if record is None:
                    report.unchanged += 1
                    continue
                report.recorded += 1
                applied += service.apply_record(record)
            self.session.flush()
        except IntegrityError as error:
            savepoint.rollback()
            raise Conflict("the upload clashes with stored data; nothing was written") from error
        report.evidence, report.items = applied.evidence, applied.items
        if dry_run:
            savepoint.rollback()
        else:
            savepoint.commit()
        return report

    def _resolve(self, name: str, row: CompletionRow, problems: list[Problem]) -> _Resolved | None:
        person = self._person(row)
        if person is None:
            column = "person" if row.person is not None else "lms_user_id"
            who = row.person or f"{row.lms} user {row.lms_user_id}"
            problems.append(Problem(name, f"no person {who!r} in this tenant", row.line, column))
        activity = None
        if row.activity is not None:
            activity = self.by_external_id(Activity, row.activity)
            if activity is None:
                problems.append(
                    Problem(
                        name, f"no activity {row.activity!r} in the catalog", row.line, "activity"
                    )
                )
        elif not self._linked(row):
            problems.append(
                Problem(
                    name,
                    f"no catalog activity is linked to {row.lms} course {row.lms_course_id!r}",
                    row.line,
                    "lms_course_id",
                )
            )
        if row.completed_at > self.clock():
            problems.append(
                Problem(name, "completion date is in the future", row.line, "completed_on")
            )
        if person is None or (row.activity is not None and activity is None):
            return None
        return _Resolved(row, person, activity)

    def _person(self, row: CompletionRow) -> Person | None:
        if row.person is not None:
            return self.by_external_id(Person, row.person)
        return self.session.scalar(
            self.scoped(Person)
            .join(LmsIdentity, LmsIdentity.person_id == Person.id)
            .where(LmsIdentity.lms == row.lms, LmsIdentity.lms_user_id == row.lms_user_id)
            .limit(1)
        )

    def _linked(self, row: CompletionRow) -> bool:
        found = self.session.scalar(
            select(LmsCourseLink.id)
            .where(
                LmsCourseLink.tenant_id == self.tenant.id,
                LmsCourseLink.lms == row.lms,
                LmsCourseLink.course_id == row.lms_course_id,
            )
            .limit(1)
        )
        return found is not None

    def _record(self, item: _Resolved) -> CompletionRecord | None:
        row = item.row
        course, module = None, None
        if item.activity is not None:
            key = f"activity:{item.activity.external_id}"
        else:
            assert row.lms is not None and row.lms_course_id is not None
            course, _, rest = row.lms_course_id.partition("/")
            module = rest or None
            lms = row.lms.value
            key = module_key(lms, course, module) if module else course_key(lms, course)
        stored = self.session.scalar(
            self.scoped(CompletionRecord).where(
                CompletionRecord.person_id == item.person.id,
                CompletionRecord.channel == CompletionChannel.csv,
                CompletionRecord.key == key,
            )
        )
        if stored is not None:
            return None
        record = CompletionRecord(
            person_id=item.person.id,
            channel=CompletionChannel.csv,
            key=key,
            lms=row.lms if item.activity is None else None,
            lms_course_id=course,
            lms_module_id=module,
            activity_id=item.activity.id if item.activity is not None else None,
            completed_at=row.completed_at,
            fetched_at=self.clock(),
            raw_status=f"csv line {row.line}",
        )
        return self.add(record)
