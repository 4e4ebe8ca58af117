"""The words of a message: one notification, or a day's digest, as text and as HTML.

Templates live beside this module (`templates/message.txt`, `message.html`); the HTML one escapes
everything it is given. Every message links back into the LMS the person launched from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, select_autoescape

from lti_pathing.models import Notification

ENV = Environment(
    loader=PackageLoader("lti_pathing.notify", "templates"),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Words:
    """Subject, text and HTML of one message."""

    subject: str
    text: str
    html: str


def compose(
    notes: Sequence[Notification], to_name: str, tenant_name: str, link: str | None, digest: bool
) -> Words:
    """One message for one notification, or a digest of several."""
    if digest and len(notes) > 1:
        subject = f"lti-pathing: {len(notes)} updates"
    else:
        subject = notes[0].subject
    how = "once a day, as a digest" if digest else "as things happen"
    context = {"items": notes, "to_name": to_name, "tenant_name": tenant_name, "link": link,
               "how": how, "subject": subject}  # fmt: skip
    text = ENV.get_template("message.txt").render(context)
    html = ENV.get_template("message.html").render(context)
    return Words(subject, text, html)
