"""Revocation a wallet can check: a W3C Bitstring Status List per issuing organisation.

Each credential names its place in its organisation's list (`credentialStatus`, a
`BitstringStatusListEntry` whose index is the credential's row id); the list itself is a
credential the tool signs afresh on every request (VC-JWT, like the badges), whose bit at that
index is 1 once the credential is revoked. Encoding (Bitstring Status List v1.0): the bitstring,
at least 16 KB, index 0 its left-most bit, GZIP-compressed, base64url without padding, with the
multibase prefix "u".
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable
from typing import Any

MIN_BITS = 131_072  # 16 KB: a list this long hides which few credentials are revoked
PURPOSE = "revocation"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"


def encode(revoked: Iterable[int]) -> str:
    """The `encodedList` whose bits at these indexes are set."""
    indexes = list(revoked)
    size = max(MIN_BITS, (max(indexes, default=0) // 8 + 1) * 8)
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)  # mtime 0: the same list, the same bytes
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def is_set(encoded: str, index: int) -> bool:
    """Whether an `encodedList` has the bit at `index` set (what a verifier computes)."""
    if not encoded.startswith("u"):
        raise ValueError("not a base64url multibase value")
    raw = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def entry(list_url: str, index: int) -> dict[str, Any]:
    """A credential's `credentialStatus`: its index in its organisation's revocation list."""
    return {
        "id": f"{list_url}#{index}", "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE, "statusListIndex": str(index), "statusListCredential": list_url,
    }  # fmt: skip


def list_credential(
    list_url: str, issuer: dict[str, Any], valid_from: str, revoked: Iterable[int]
) -> dict[str, Any]:
    """The organisation's status list credential (signed by the caller)."""
    return {
        "@context": [VC_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_url}#list", "type": "BitstringStatusList",
            "statusPurpose": PURPOSE, "encodedList": encode(revoked),
        },
    }  # fmt: skip
