"""API tokens: only a prefix (to find it) and a SHA-256 hash (to check it) are stored."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lti_pathing.columns import Base, Name, Timestamp, intpk, utcnow
from lti_pathing.models.base import TenantOwned

# What a token may do: `read` (GET), `write` (every other call but the import), `import`.
SCOPES = ("read", "write", "import")
ALL_SCOPES = " ".join(sorted(SCOPES))  # what tokens made before scopes existed hold


class ApiToken(TenantOwned, Base):
    """A bearer token for the REST API; the secret itself is shown once and never stored."""

    __tablename__ = "api_token"

    id: Mapped[intpk]
    name: Mapped[Name]
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    last_used_at: Mapped[Timestamp | None]
    revoked_at: Mapped[Timestamp | None]
    # Space-separated and sorted (OAuth's spelling), e.g. "import read".
    scopes_text: Mapped[str] = mapped_column(
        "scopes", String(64), default=ALL_SCOPES, server_default=ALL_SCOPES
    )
    expires_at: Mapped[Timestamp | None]  # refused from this instant on; None: never expires

    @property
    def scopes(self) -> tuple[str, ...]:
        """The token's scopes, in the order of SCOPES."""
        held = set(self.scopes_text.split())
        return tuple(scope for scope in SCOPES if scope in held)

    @scopes.setter
    def scopes(self, scopes: tuple[str, ...] | list[str]) -> None:
        self.scopes_text = " ".join(sorted(set(scopes)))
