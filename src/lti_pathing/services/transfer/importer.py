"""Import a tenant's catalog, job architecture and people: all or nothing, idempotent by ids."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.exc import IntegrityError

from lti_pathing.errors import Conflict, Invalid
from lti_pathing.services.base import TenantService
from lti_pathing.services.transfer.apply import ImportReport, Writer
from lti_pathing.services.transfer.checks import check
from lti_pathing.services.transfer.reader import Document, Problem, read_path
from lti_pathing.services.transfer.stored import load_stored


class ImportRejected(Invalid):
    """The import broke rules; `errors` lists every problem and nothing was written."""

    code = "import_rejected"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            f"the import has {len(problems)} error(s); nothing was written",
            [problem.to_dict() for problem in problems],
        )
        self.problems = problems


class ImportService(TenantService):
    """Check an import against the acting tenant and, when it is clean, write it at once."""

    def import_path(self, path: Path, dry_run: bool = False) -> ImportReport:
        """Import a JSON document, a CSV file, or a folder or ZIP archive of CSV files."""
        return self.import_document(read_path(path), dry_run)

    def import_document(
        self, doc: Document, dry_run: bool = False, keep_existing: bool = False
    ) -> ImportReport:
        """Import what a reader produced; ImportRejected (nothing written) on any problem.

        `keep_existing` only adds what is missing: stored entities keep their values (seeding).
        """
        stored = load_stored(self.session, self.tenant)
        if doc.prepare is not None and not doc.problems:
            doc.prepare(stored)
        problems = check(doc, stored)
        if problems:
            problems.sort(key=lambda p: (p.file, p.row or 0))
            raise ImportRejected(problems)
        savepoint = self.session.begin_nested()
        writer = Writer(self.session, self.tenant, doc, stored, self.clock, keep_existing)
        try:
            report = writer.run()
            self.session.flush()
        except IntegrityError as error:
            savepoint.rollback()
            writer.forget_loaded()
            raise Conflict("the import clashes with stored data; nothing was written") from error
        if dry_run:
            savepoint.rollback()
            writer.forget_loaded()  # rows written in bulk are gone: so are their objects
        else:
            savepoint.commit()
        report.dry_run = dry_run
        report.notes = list(doc.notes)
        return report
