"""The one entry point of every import: which format a file is in (by its content), and its reader.

`read_any` recognises a Moodle framework or a Canvas outcomes CSV by its header, a CASE package
by its CFDocument, and hands anything else to the native reader (JSON document, CSV files, ZIP),
as before. A format named by the caller (`--format`, the admin page's choice, the API's
`format`) is read as that format.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from lti_pathing.interop import canvas, case, moodle, onet
from lti_pathing.interop.framework import parse_mapping, to_document
from lti_pathing.interop.text import Unreadable, decode, first_record
from lti_pathing.services.transfer.archive import ZipTooLarge, inflate_csv_files
from lti_pathing.services.transfer.reader import Document, Problem

CSV_READERS: dict[str, ModuleType] = {"moodle-csv": moodle, "canvas-csv": canvas}
READERS: dict[str, ModuleType] = {**CSV_READERS, "case-json": case}
NAMES = {"moodle-csv": "Moodle competency framework CSV", "canvas-csv": "Canvas outcomes CSV",
         "case-json": "CASE v1.1 package (CFPackage JSON)",
         "onet-text": "O*NET database text files (ZIP or folder)"}  # fmt: skip
ZIP_MAGIC = b"PK\x03\x04"
__all__ = ["parse_mapping", "read_any", "read_onet_folder"]
AUTO, NATIVE = "auto", "native"
CHOICES = (AUTO, NATIVE, *NAMES)
SNIFF_BYTES = 64 * 1024  # the header row of any framework file fits in this


def detect(data: bytes) -> str | None:
    """The framework format of a file, told by its header row; None for anything else."""
    if data.startswith(ZIP_MAGIC):
        return "onet-text" if onet.looks_like(_zip_names(data)) else None
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


def _zip_names(data: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, EOFError):
        return []


def read_framework(
    name: str, data: bytes, fmt: str, mapping: dict[str, str] | None = None
) -> Document:
    """A framework file of a known format as the import's document (`mapping`: source ids of
    its skills onto skills the tenant has)."""
    if fmt == "onet-text":
        return read_onet_zip(name, data)
    try:
        return to_document(READERS[fmt].read(name, decode(name, data)), mapping)
    except Unreadable as error:
        return Document("csv", name, problems=error.problems)


def read_onet_zip(name: str, data: bytes) -> Document:
    """A ZIP archive of O*NET database text files as the import's document."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            files = inflate_csv_files(archive, suffix=".txt")
    except ZipTooLarge as error:
        return Document("csv", name, problems=[Problem(name, str(error), code="too_large")])
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        # RuntimeError: encrypted members; NotImplementedError: an unknown compression.
        return Document(
            "csv", name, problems=[Problem(name, "not a ZIP archive, or a damaged one")]
        )
    return to_document(onet.read_files(name, files))


def read_onet_folder(folder: Path) -> Document:
    """A folder of O*NET database text files as the import's document."""
    files = {path.name: path.read_bytes() for path in folder.iterdir() if path.suffix == ".txt"}
    return to_document(onet.read_files(folder.name, files))


def read_any(
    name: str, data: bytes, fmt: str, native: Callable[[], Document],
    mapping: dict[str, str] | None = None,
) -> Document:  # fmt: skip
    """The document of an uploaded or named file: a framework format, or the native reader's."""
    chosen = detect(data) if fmt == AUTO else None if fmt == NATIVE else fmt
    if chosen is None:
        return native()
    return read_framework(name, data, chosen, mapping)
