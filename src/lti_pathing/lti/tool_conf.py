"""pylti1p3's tool configuration, read from the database (`PlatformRegistration` rows).

A registration is found by issuer and client_id; by issuer alone only while that issuer has exactly
one registration (platforms may omit client_id at login). Deployments are checked against the
registration that matched, never against another client of the same issuer. Lookup failures raise
with a message that says what was wrong; it becomes the launch's 4xx page.

A deployment id the active registration has not seen is a new install of the tool (Canvas makes
one per course or account install, `"<id>:<context opaque id>"`): it is accepted and recorded once
the whole launch has validated (launch.py), since the id_token that names it is signed by the
platform for this client. An admin sees it in `platform list` and may revoke it; launches from a
revoked deployment are refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pylti1p3.deployment import Deployment
from pylti1p3.exception import LtiException
from pylti1p3.registration import Registration
from pylti1p3.request import Request
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.lti.keys import SigningKey
from lti_pathing.models import PlatformDeployment, PlatformRegistration

# What an administrator does about a registration typo (the LMS's values must match exactly).
CHECK = (
    "An administrator should compare the issuer, client ID and deployment ID in the LMS's tool "
    "settings with `lti-pathing platform list` and correct the typo"
)


class RegistrationError(LtiException):
    """No usable registration or deployment for what the platform sent."""


class ToolRegistration(Registration):
    """A pylti1p3 Registration made from a database row; the tool key is read when needed."""

    def __init__(self, row: PlatformRegistration, signing_key: Callable[[], SigningKey]) -> None:
        super().__init__()
        self.row_id = row.id
        self.tenant_id = row.tenant_id
        self._signing_key = signing_key
        self.set_issuer(row.issuer)
        self.set_client_id(row.client_id)
        self.set_auth_login_url(row.auth_login_url)
        self.set_auth_token_url(row.auth_token_url)
        if row.auth_audience:
            self.set_auth_audience(row.auth_audience)
        self.set_key_set_url(row.key_set_url)
        self.set_key_set(row.key_set_json())  # type: ignore[arg-type]
        self.stored_key_set = row.key_set is not None

    def get_tool_private_key(self) -> str:
        """The tool's current private key (PEM), decrypted on demand."""
        return self._signing_key().private_pem

    def get_tool_public_key(self) -> str:
        """The tool's current public key (PEM)."""
        return self._signing_key().public_pem

    def get_kid(self) -> str:
        """The kid of the tool's current key, sent in the header of what the tool signs."""
        return self._signing_key().kid


class DatabaseToolConf(ToolConfAbstract[Request]):
    """Registrations and deployments from the database; many client_ids per issuer."""

    def __init__(self, session: Session, signing_key: Callable[[], SigningKey]) -> None:
        super().__init__()
        self.session = session
        self.signing_key = signing_key
        # A deployment the registration has not seen yet (recorded after the launch validates).
        self.pending_deployment: tuple[PlatformRegistration, str] | None = None
        # An issuer's registrations, read once per request (a launch asks three times).
        self._rows: dict[str, list[PlatformRegistration]] = {}

    def check_iss_has_one_client(self, iss: str) -> bool:
        """Always False: every look-up goes through (issuer, client_id)."""
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        """Always True (see check_iss_has_one_client)."""
        return True

    def registration_row(self, iss: str, client_id: str | None) -> PlatformRegistration:
        """The active registration for (iss, client_id); RegistrationError says why not."""
        rows = self._registrations(iss)
        if not rows:
            raise RegistrationError(
                f"unknown issuer {iss!r}: no platform is registered with it. {CHECK} "
                "or register the platform (`lti-pathing platform add`, or dynamic registration)."
            )
        if client_id:
            rows = [row for row in rows if row.client_id == client_id]
            if not rows:
                raise RegistrationError(
                    f"client_id {client_id!r} is not registered for issuer {iss!r} "
                    f"(wrong audience?). {CHECK}."
                )
        elif len(rows) > 1:
            raise RegistrationError(
                f"issuer {iss!r} has {len(rows)} registrations: the platform must send client_id"
            )
        row = rows[0]
        if not row.active:
            raise RegistrationError(
                f"the registration of client_id {row.client_id!r} for {iss!r} is disabled"
            )
        return row

    def _registrations(self, iss: str) -> list[PlatformRegistration]:
        if iss not in self._rows:
            stmt = (
                select(PlatformRegistration)
                .where(PlatformRegistration.issuer == iss)
                .order_by(PlatformRegistration.id)
            )
            self._rows[iss] = list(self.session.scalars(stmt))
        return self._rows[iss]

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        """The issuer's only registration (refused when it has several)."""
        return ToolRegistration(self.registration_row(iss, None), self.signing_key)

    def find_registration_by_params(
        self, iss: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Registration:
        """The registration for (iss, client_id)."""
        return ToolRegistration(self.registration_row(iss, client_id), self.signing_key)

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        """A deployment of the issuer's only registration."""
        return self._deployment(self.registration_row(iss, None), deployment_id)

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        """A deployment of the (iss, client_id) registration, never of another client's."""
        return self._deployment(self.registration_row(iss, client_id), deployment_id)

    def _deployment(self, row: PlatformRegistration, deployment_id: str) -> Deployment:
        found = self.session.scalar(
            select(PlatformDeployment).where(
                PlatformDeployment.registration_id == row.id,
                PlatformDeployment.deployment_id == deployment_id,
            )
        )
        if found is None:
            self.pending_deployment = (row, deployment_id)
        elif not found.active:
            raise RegistrationError(
                f"deployment {deployment_id!r} of client_id {row.client_id!r} was revoked by an "
                "administrator of lti-pathing: ask them to restore it (`lti-pathing platform "
                "restore-deployment`) if this install of the tool should be used"
            )
        return Deployment().set_deployment_id(deployment_id)
