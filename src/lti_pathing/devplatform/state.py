"""The platform's memory: course links, pending logins, line items and scores, issued tokens.

One `PlatformState` per app, guarded by a lock (the server is threaded). Nothing is persisted:
a restarted development platform starts with its configured links and no grades.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from lti_pathing.devplatform.config import Client, PlatformConfig

HINT_LIFETIME_S = 300


@dataclass
class CourseLink:
    """A placement of the tool in the course (configured, or created by deep linking)."""

    id: str
    title: str
    client_id: str
    url: str | None = None  # target_link_uri; None: the client's launch URL
    custom: dict[str, str] = field(default_factory=dict)
    line_item_id: str | None = None  # a graded link: its own line item (AGS claim `lineitem`)


@dataclass
class PendingMessage:
    """What an `lti_message_hint` stands for until the authorization request comes back."""

    kind: str  # "launch" or "deep_link"
    sub: str
    client_id: str
    link_id: str | None
    created: float = field(default_factory=time.time)


@dataclass
class LineItem:
    """An AGS line item of the course, owned by the client that created it."""

    id: str
    client_id: str
    data: dict[str, Any]
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)  # by userId

    @property
    def assignment(self) -> bool:
        """Created without a resource link: Canvas makes it a course assignment of its own."""
        return not self.data.get("resourceLinkId")


@dataclass
class Registration:
    """A dynamic registration received at the registration endpoint."""

    flavour: str
    client_id: str
    deployment_id: str
    request: dict[str, Any]


@dataclass(frozen=True)
class ReceivedMessage:
    """A private message a tool sent a user through the Moodle-style web service."""

    id: int
    to_sub: str
    to_name: str
    html: str
    client_msg_id: str | None
    at: float


class PlatformState:
    """Mutable platform data; every method takes the lock."""

    def __init__(self, config: PlatformConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.links: dict[str, CourseLink] = {}
        self.hints: dict[str, PendingMessage] = {}
        self.line_items: dict[str, LineItem] = {}
        self.tokens_issued: Counter[str] = Counter()
        self.used_assertions: set[str] = set()
        self.registration_tokens: dict[str, str] = {}  # token -> flavour
        self.registrations: list[Registration] = []
        self.deep_link_data: dict[str, str] = {}  # opaque `data` -> sub
        self.messages: list[ReceivedMessage] = []  # what tools sent through its messaging
        for client in config.clients:
            self.add_link("Career plan", client.client_id)

    def client(self, client_id: str) -> Client | None:
        """The registered client with this id, if any."""
        with self.lock:
            return next((c for c in self.config.clients if c.client_id == client_id), None)

    def add_client(self, client: Client) -> None:
        """Register another client (dynamic registration) and place it in the course."""
        with self.lock:
            self.config.clients.append(client)
            self.add_link(client.title, client.client_id)

    def add_link(
        self,
        title: str,
        client_id: str,
        url: str | None = None,
        custom: dict[str, str] | None = None,
    ) -> CourseLink:
        """Place a link to the tool in the course."""
        with self.lock:
            link = CourseLink(f"link-{len(self.links) + 1}", title, client_id, url, custom or {})
            self.links[link.id] = link
            return link

    def add_line_item(self, client_id: str, data: dict[str, Any]) -> LineItem:
        """Add a line item; one with `resourceLinkId` becomes that link's own column."""
        with self.lock:
            item = LineItem(secrets.token_hex(6), client_id, data)
            self.line_items[item.id] = item
            link = self.links.get(str(data.get("resourceLinkId") or ""))
            if link is not None and link.line_item_id is None:
                link.line_item_id = item.id
            return item

    def assignments(self) -> list[LineItem]:
        """Line items created without a resource link: course assignments, as Canvas does."""
        with self.lock:
            return [item for item in self.line_items.values() if item.assignment]

    def new_hint(self, message: PendingMessage) -> str:
        """Remember a pending message; the returned hint is good for one authorization."""
        with self.lock:
            hint = secrets.token_urlsafe(16)
            self.hints[hint] = message
            return hint

    def take_hint(self, hint: str) -> PendingMessage | None:
        """The pending message of `hint`, consumed (None if unknown, used or expired)."""
        with self.lock:
            message = self.hints.pop(hint, None)
        if message is None or time.time() - message.created > HINT_LIFETIME_S:
            return None
        return message

    def first_use_of_assertion(self, jti: str) -> bool:
        """True the first time a client assertion id is seen (replays are refused)."""
        with self.lock:
            if jti in self.used_assertions:
                return False
            self.used_assertions.add(jti)
            return True

    def new_registration_token(self, flavour: str) -> str:
        """A one-time token the tool must present to the registration endpoint."""
        with self.lock:
            token = secrets.token_urlsafe(24)
            self.registration_tokens[token] = flavour
            return token

    def take_registration_token(self, token: str) -> str | None:
        """The flavour the token was made for, consumed; None if unknown or used."""
        with self.lock:
            return self.registration_tokens.pop(token, None)


EXTENSION = "lti_pathing.devplatform"


def current_state() -> PlatformState:
    """The state of the platform app serving this request."""
    state: PlatformState = current_app.extensions[EXTENSION]
    return state
