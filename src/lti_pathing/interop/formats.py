"""The one entry point of every import: which format a file is in (by its content), and its reader.

`read_any` recognises a Moodle framework or a Canvas outcomes CSV by its header, a CASE package
by its CFDocument, and hands anything else to the native reader (JSON document, CSV files, ZIP),
as before. A format named by the caller (`--format`, the admin page's choice, the API's
`format`) is read as that format.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from lti_pathing.interop import canvas, case, moodle
from lti_pathing.interop.framework import to_document
from lti_pathing.interop.text import Unreadable, decode, first_record
from lti_pathing.services.transfer.reader import Document

CSV_READERS: dict[str, ModuleType] = {"moodle-csv": moodle, "canvas-csv": canvas}
READERS: dict[str, ModuleType] = {**CSV_READERS, "case-json": case}
NAMES = {"moodle-csv": "Moodle competency framework CSV", "canvas-csv": "Canvas outcomes CSV",
         "case-json": "CASE v1.1 package (CFPackage JSON)"}  # fmt: skip
AUTO, NATIVE = "auto", "native"
CHOICES = (AUTO, NATIVE, *READERS)
SNIFF_BYTES = 64 * 1024  # the header row of any framework file fits in this


def detect(data: bytes) -> str | None:
    """The framework format of a file, told by its header row; None for anything else."""
    head = data[:SNIFF_BYTES].decode("utf-8-sig", errors="replace")
    if case.looks_like(head):
        return "case-json"
    if head.lstrip().startswith(("{", "[")):
        return None
    header = first_record(head.split("\n", 1)[0] + "\n")
    for name, reader in CSV_READERS.items():
        if reader.looks_like(header):
            return name
    return None


def read_framework(name: str, data: bytes, fmt: str) -> Document:
    """A framework file of a known format as the import's document."""
    try:
        return to_document(READERS[fmt].read(name, decode(name, data)))
    except Unreadable as error:
        return Document("csv", name, problems=error.problems)


def read_any(name: str, data: bytes, fmt: str, native: Callable[[], Document]) -> Document:
    """The document of an uploaded or named file: a framework format, or the native reader's."""
    chosen = detect(data) if fmt == AUTO else None if fmt == NATIVE else fmt
    if chosen is None:
        return native()
    return read_framework(name, data, chosen)
