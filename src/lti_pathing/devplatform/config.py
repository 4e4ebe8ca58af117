"""What the development platform knows: its issuer and key, the tool it launches, people, a course.

Everything is plain data so tests and the `lti-pathing devplatform` command build it the same way;
`demo_config()` is the bundled demo (people of the sample organisation, and a guest).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

# LTI role URIs the demo people carry.
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
LEARNER = LIS + "membership#Learner"
INSTRUCTOR = LIS + "membership#Instructor"
MENTOR = LIS + "membership#Mentor"
COURSE_ADMIN = LIS + "membership#Administrator"
INSTITUTION_ADMIN = LIS + "institution/person#Administrator"
STUDENT = LIS + "institution/person#Student"
SYSTEM_ADMIN = LIS + "system/person#Administrator"
SYSTEM_USER = LIS + "system/person#User"
CANVAS_SITE_ADMIN = LIS + "system/person#SysAdmin"

# What each LMS really sends in an LTI 1.3 launch from a course, per kind of user. Moodle
# (mod/lti `lti_get_ims_role`): Instructor or Learner, and a site admin gets Instructor + the
# system and institution Administrator roles (never membership#Administrator). Canvas
# (lib/lti/substitutions_helper.rb): course roles + institution roles in the root account
# (`system/person#User` always; institution Administrator for ANY account role) + SysAdmin for
# site admins, sorted.
ROLE_SETS: dict[str, dict[str, tuple[str, ...]]] = {
    "moodle": {
        "student": (LEARNER,),
        "site_admin": (INSTRUCTOR, SYSTEM_ADMIN, INSTITUTION_ADMIN),
    },
    "canvas": {
        "student": tuple(sorted((LEARNER, STUDENT, SYSTEM_USER))),
        "site_admin": tuple(sorted((INSTITUTION_ADMIN, CANVAS_SITE_ADMIN, SYSTEM_USER))),
    },
}


@dataclass(frozen=True)
class ToolUrls:
    """Where the tool lives, as the platform sees it."""

    login: str
    launch: str
    jwks: str
    deep_link: str
    registration: str

    @classmethod
    def for_base(cls, base: str) -> ToolUrls:
        """The lti-pathing endpoints under one base URL (e.g. http://127.0.0.1:5000)."""
        base = base.rstrip("/")
        return cls(
            login=f"{base}/lti/login",
            launch=f"{base}/lti/launch",
            jwks=f"{base}/.well-known/jwks.json",
            deep_link=f"{base}/lti/launch",
            registration=f"{base}/lti/register",
        )


@dataclass(frozen=True)
class Client:
    """One registration of the tool on this platform: a client_id and its deployment."""

    client_id: str
    deployment_id: str
    tool: ToolUrls
    title: str = "lti-pathing"
    # More redirect URIs the tool registered (dynamic registration); launch and deep-link URLs
    # are always allowed.
    redirect_uris: tuple[str, ...] = ()

    def allows_redirect(self, uri: str) -> bool:
        """True if the authorization response may be posted to `uri`."""
        return uri in {self.tool.launch, self.tool.deep_link, *self.redirect_uris}


@dataclass(frozen=True)
class PlatformPerson:
    """A user of the platform: LTI `sub`, name, email, course roles, Canvas-style user id."""

    sub: str
    name: str
    email: str | None
    roles: tuple[str, ...]
    canvas_user_id: str | None = None
    label: str = ""  # what the home page says about them ("learner", "their manager", ...)
    sourcedid: str | None = None  # the SIS user id (`lis.person_sourcedid`, NRPS)
    moodle_user_id: str | None = None  # the id its Moodle-style web services know them by


@dataclass(frozen=True)
class Course:
    """The one course (LTI context) of the platform."""

    id: str = "course-101"
    label: str = "CAREER-101"
    title: str = "Growing at Larkspur"


@dataclass
class PlatformConfig:
    """Everything `create_platform_app` needs."""

    issuer: str
    clients: list[Client]
    people: list[PlatformPerson]
    course: Course = field(default_factory=Course)
    private_key_pem: str = ""
    # Members per NRPS page when the tool gives no `limit`.
    nrps_page_size: int = 10
    # Sent in the tool_platform claim: "canvas" makes the tool read `canvas_user_id` as the
    # LMS user id (how the demo people match the sample organisation's people).
    product_family_code: str = "canvas"
    secret_key: str = "devplatform-not-secret"
    # In a real browser the authorization request reaches the platform through a redirect from
    # the tool's site, which makes it cross-site: the platform's session cookie must then be
    # `Secure; SameSite=None` (Chromium accepts Secure on http://localhost). Off for clients
    # that keep Secure cookies for https only (the `requests`-driven integration tests).
    secure_cookies: bool = False
    # Platform storage for the tool's login state, as Canvas offers it: the login (and the
    # launch) carry `lti_storage_target` naming a hidden frame of the course page that answers
    # `lti.put_data` / `lti.get_data`; the page answers `lti.capabilities`. None: a platform that
    # does not offer it (Moodle; Canvas's mobile apps). `storage_answers=False` sends the target
    # but leaves the frame out, as a platform whose frame never answers.
    storage_target: str | None = None
    storage_answers: bool = True
    # The token of its Moodle-style web services (`/webservice/rest/server.php`): messages.
    ws_token: str = field(default_factory=lambda: secrets.token_hex(16))

    def __post_init__(self) -> None:
        self.issuer = self.issuer.rstrip("/")
        if not self.private_key_pem:
            self.private_key_pem = generate_private_key()
        if not self.clients:
            raise ValueError("the platform needs at least one client (tool registration)")
        if len({c.client_id for c in self.clients}) != len(self.clients):
            raise ValueError("client ids must be unique")

    def person(self, sub: str) -> PlatformPerson | None:
        """The person with this `sub`, if any."""
        return next((p for p in self.people if p.sub == sub), None)


def generate_private_key() -> str:
    """A fresh 2048-bit RSA private key, PEM (PKCS#8)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@lru_cache(maxsize=16)
def public_key_pem(private_pem: str) -> str:
    """The public half of a PEM private key, PEM (SubjectPublicKeyInfo)."""
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def stored_private_key(path: Path) -> str:
    """The key kept at `path` (so the tool's cached JWKS stays valid across restarts)."""
    if path.exists():
        return path.read_text()
    pem = generate_private_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(pem)
    path.chmod(0o600)
    return pem


DEMO_CLIENT_ID = "devplatform-client"
# Canvas's name for its platform-storage frame (lib/lti/platform_storage.rb FORWARDING_TARGET).
STORAGE_FRAME = "post_message_forwarding"
DEMO_DEPLOYMENT_ID = "devplatform-deployment-1"


def demo_people(product: str = "canvas") -> list[PlatformPerson]:
    """A learner, their manager and an L&D admin (the LMS's site admin) of the sample organisation,
    and two more members of the course for roster matching: an employee whose LMS account the
    organisation never imported (found by SIS id, or suggested by e-mail) and a guest nobody knows.

    Their roles are what `product` ("canvas" or "moodle") sends for a student and a site admin;
    SIS ids are the sample organisation's employee ids.
    """
    roles = ROLE_SETS[product]
    return [
        PlatformPerson(
            "dev-user-73566", "Kenji Mwangi", "kenji.mwangi@example.com",
            roles["student"], "73566", "learner (software engineer II)", "E1029", "2782",
        ),
        PlatformPerson(
            "dev-user-20478", "Aisha Okafor", "aisha.okafor@example.com",
            roles["student"], "20478", "their manager (engineering manager)", "E1011", "2244",
        ),
        PlatformPerson(
            "dev-user-75924", "Kwame Asante", "kwame.asante@example.com",
            roles["site_admin"], "75924", "L&D admin (site admin of the LMS)", "E1182", "3401",
        ),
        PlatformPerson(
            "dev-user-30201", "Nadia Lopez", "nadia.lopez@example.com", roles["student"],
            "30201", "an employee whose LMS account was never imported", "E1003",
        ),
        PlatformPerson(
            "dev-user-55501", "Sam Guest", "sam.guest@partner.example", roles["student"],
            "55501", "a guest the organisation does not know",
        ),
    ]  # fmt: skip


def demo_config(issuer: str, tool_base: str, private_key_pem: str = "") -> PlatformConfig:
    """The bundled demo: one client of the tool at `tool_base`, the demo people.

    It offers platform storage, as Canvas does.
    """
    client = Client(DEMO_CLIENT_ID, DEMO_DEPLOYMENT_ID, ToolUrls.for_base(tool_base))
    return PlatformConfig(issuer, [client], demo_people(), private_key_pem=private_key_pem,
                          storage_target=STORAGE_FRAME)  # fmt: skip
