"""The CSV files of an uploaded ZIP archive, inflated within limits counted while inflating."""

from __future__ import annotations

import zipfile
from pathlib import PurePosixPath

# What a ZIP import may inflate to. Counted while inflating: the sizes an archive declares are
# the sender's word, and a 600 KiB archive can inflate to gigabytes.
MAX_ZIP_MEMBERS = 100
MAX_MEMBER_BYTES = 64 * 2**20
MAX_ZIP_BYTES = 128 * 2**20
CHUNK = 2**16


class ZipTooLarge(Exception):
    """The archive holds more, or inflates to more, than an import may."""


def inflate_csv_files(archive: zipfile.ZipFile, suffix: str = ".csv") -> dict[str, bytes]:
    """The CSV files (or others ending in `suffix`) of an archive by base name, raising
    ZipTooLarge past the limits."""
    members = [i for i in archive.infolist() if not i.is_dir() and i.filename.endswith(suffix)]
    if len(members) > MAX_ZIP_MEMBERS:
        kind = "CSV" if suffix == ".csv" else suffix
        raise ZipTooLarge(f"{len(members)} {kind} files; an import takes at most {MAX_ZIP_MEMBERS}")
    files: dict[str, bytes] = {}
    total = 0
    for info in members:
        data = _inflate_member(archive, info, MAX_ZIP_BYTES - total)
        total += len(data)
        files[PurePosixPath(info.filename).name] = data
    return files


def _inflate_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, room: int) -> bytes:
    """One member's bytes, stopping as soon as it passes its own or the archive's limit."""
    name = PurePosixPath(info.filename).name
    buffer = bytearray()
    with archive.open(info) as member:
        while chunk := member.read(CHUNK):
            buffer += chunk
            if len(buffer) > MAX_MEMBER_BYTES:
                raise ZipTooLarge(f"{name} inflates to more than {_mib(MAX_MEMBER_BYTES)}")
            if len(buffer) > room:
                raise ZipTooLarge(f"the archive inflates to more than {_mib(MAX_ZIP_BYTES)}")
    return bytes(buffer)


def _mib(size: int) -> str:
    return f"{size // 2**20} MiB"
