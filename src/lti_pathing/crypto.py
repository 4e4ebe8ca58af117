"""Secrets at rest: tool private keys and LMS API tokens are stored encrypted with Fernet.

The key ring comes from `LTI_PATHING_ENCRYPTION_KEYS` (comma-separated Fernet keys, newest first)
or, when unset, from a key generated into the instance folder on first start. Several keys make a
`MultiFernet`: the first encrypts, all decrypt, so an operator rotates by prepending a new key and
running `rotate()` over stored values. Never log what `decrypt` returns.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app

KEY_FILE = "encryption_key"
EXTENSION = "lti_pathing.crypto"


class DecryptionError(RuntimeError):
    """A stored secret cannot be decrypted with the configured keys (wrong or missing key)."""


def parse_keys(value: str) -> list[bytes]:
    """Split and check a comma-separated list of Fernet keys; ValueError names the bad one."""
    keys = [part.strip().encode() for part in value.split(",") if part.strip()]
    if not keys:
        raise ValueError("no keys given")
    for index, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ValueError(
                f"key {index} is not a Fernet key (32 url-safe base64 bytes; "
                "make one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            ) from None
    return keys


def init_app(app: Flask) -> None:
    """Check configured keys now; the ring itself is built on first use (see `_ring`)."""
    configured = app.config.get("ENCRYPTION_KEYS")
    if configured:
        parse_keys(configured)
    app.extensions[EXTENSION] = None


def _build(app: Flask) -> MultiFernet:
    """The key ring from settings, or from the instance key file (created if missing)."""
    configured = app.config.get("ENCRYPTION_KEYS")
    keys = parse_keys(configured) if configured else [_instance_key(Path(app.instance_path))]
    return MultiFernet([Fernet(key) for key in keys])


def _instance_key(instance: Path) -> bytes:
    from lti_pathing.config import instance_secret_file

    return instance_secret_file(instance / KEY_FILE, Fernet.generate_key)


def _ring() -> MultiFernet:
    ring: MultiFernet | None = current_app.extensions.get(EXTENSION)
    if ring is None:
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        ring = app.extensions[EXTENSION] = _build(app)
    return ring


def encrypt(plaintext: str) -> str:
    """Encrypt text with the newest key; the result is ASCII, safe for a text column."""
    return _ring().encrypt(plaintext.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """Decrypt a value `encrypt` produced; DecryptionError if no configured key opens it."""
    try:
        return _ring().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as error:
        raise DecryptionError(
            "a stored secret cannot be decrypted: LTI_PATHING_ENCRYPTION_KEYS (or the instance "
            "key file) no longer holds the key it was encrypted with"
        ) from error


def rotate(token: str) -> str:
    """Re-encrypt a stored value with the newest key (after a new key was prepended)."""
    return _ring().rotate(token.encode("ascii")).decode("ascii")


def mask(secret: str) -> str:
    """How a secret is shown back to people: its last 4 characters only."""
    return "…" + secret[-4:] if len(secret) > 8 else "…"
