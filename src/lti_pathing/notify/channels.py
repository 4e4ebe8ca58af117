"""The two ways out: e-mail over SMTP, and the LMS's own messages (Moodle, Canvas).

A send ends in one of three ways, and the delivery acts on which (see docs/notifications.md):
sent (an id to keep); `Retry` — certainly not delivered (refused before the message was handed
over, a 4xx SMTP reply, an LMS that could not be reached or answered 5xx): tried again later;
`Refused` — a definite "no" (no such address or user, a 5xx reply): failed, not retried; and
`Unknown` — the message may have arrived (the connection broke while it was being handed over,
an LMS call timed out): failed, never sent again, so a retry never sends twice.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any

from lti_pathing.lms.canvas import CanvasClient, canvas_http
from lti_pathing.lms.errors import (
    LmsConnectionBroken,
    LmsError,
    LmsRemoteError,
    LmsServerError,
    LmsThrottled,
    LmsTimeout,
)
from lti_pathing.lms.http import RetryPolicy, unsent
from lti_pathing.lms.moodle import MoodleClient, moodle_http
from lti_pathing.models import Lms

ONCE = RetryPolicy(attempts=1)  # a message POST is never repeated by the HTTP layer


class SendError(Exception):
    """A send that did not end in "sent"."""


class Retry(SendError):
    """Certainly not delivered: try again later."""


class Refused(SendError):
    """Refused for good: do not try again."""


class Unknown(SendError):
    """Maybe delivered: never send again."""


@dataclass(frozen=True)
class Message:
    """What to send: subject, plain text, HTML, the recipient, and the delivery key."""

    key: str
    subject: str
    text: str
    html: str
    to_name: str
    to_address: str | None = None  # e-mail
    lms_user_id: str | None = None  # LMS messages


@dataclass(frozen=True)
class SmtpSettings:
    """SMTP_* settings: where and how mail goes out."""

    host: str | None
    port: int
    username: str | None
    password: str | None
    tls: str  # "starttls", "ssl" (implicit TLS) or "none"
    sender: str
    timeout: float

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings:
        """The settings of the app's configuration."""
        return cls(config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_USERNAME"],
                   config["SMTP_PASSWORD"], config["SMTP_TLS"], config["MAIL_FROM"],
                   float(config["SMTP_TIMEOUT_S"]))  # fmt: skip


def email_message(settings: SmtpSettings, message: Message) -> EmailMessage:
    """The MIME message: text and HTML alternatives, a Message-ID made of the delivery key."""
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = settings.sender
    mail["To"] = f"{message.to_name} <{message.to_address}>"
    mail["Date"] = formatdate(localtime=False)
    domain = parseaddr(settings.sender)[1].rpartition("@")[2] or "lti-pathing.invalid"
    mail["Message-ID"] = f"<{message.key}@{domain}>"  # the same for every try of a delivery
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    return mail


def send_email(settings: SmtpSettings, message: Message) -> str:
    """Hand the message to the SMTP server; its Message-ID."""
    if not settings.host:
        raise Refused("e-mail is not set up (SMTP_HOST is empty)")
    if not message.to_address:
        raise Refused("no e-mail address is known for this person")
    mail = email_message(settings, message)
    try:
        smtp = _connect(settings)
    except (OSError, smtplib.SMTPException) as error:
        raise Retry(f"could not reach the mail server: {_why(error)}") from None
    with smtp:
        _envelope(smtp, settings, message.to_address)
        try:
            smtp.data(mail.as_bytes(policy=policy.SMTP))  # CRLF line ends, as SMTP wants
        except smtplib.SMTPResponseException as error:
            raise _by_code(error.smtp_code, error.smtp_error) from None
        except (OSError, smtplib.SMTPException) as error:
            broke = f"the connection broke while the message was sent: {_why(error)}"
            raise Unknown(broke) from None
    return str(mail["Message-ID"])


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    assert settings.host is not None
    context = ssl.create_default_context()
    if settings.tls == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    smtp.ehlo()
    if settings.tls == "starttls":
        smtp.starttls(context=context)
        smtp.ehlo()
    if settings.username:
        smtp.login(settings.username, settings.password or "")
    return smtp


def _envelope(smtp: smtplib.SMTP, settings: SmtpSettings, to_address: str) -> None:
    """MAIL FROM and RCPT TO: a refusal here is before the message was handed over."""
    try:
        code, reply = smtp.mail(parseaddr(settings.sender)[1])
        if code != 250:
            raise _by_code(code, reply)
        code, reply = smtp.rcpt(to_address)
        if code not in (250, 251):
            raise _by_code(code, reply)
    except (OSError, smtplib.SMTPServerDisconnected) as error:
        raise Retry(f"the mail server hung up: {_why(error)}") from None


def _by_code(code: int, reply: bytes | str) -> SendError:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    words = f"the mail server answered {code} {text}".strip()
    return Retry(words) if 400 <= code < 500 else Refused(words)


def _why(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:300]


def send_lms(kind: Lms, base_url: str, token: str, message: Message, timeout: float) -> str:
    """Send the message through the LMS's own messaging; the LMS's id of it."""
    if not message.lms_user_id:
        raise Refused(f"this person has no {kind.value} account id")
    options: dict[str, Any] = {"retry": ONCE, "timeout": (5.0, timeout)}
    try:
        if kind is Lms.moodle:
            client = MoodleClient(moodle_http(base_url, token, **options), token)
            try:
                return str(
                    client.send_instant_message(message.lms_user_id, message.html, message.key)
                )
            finally:
                client.http.close()
        canvas = CanvasClient(canvas_http(base_url, token, **options))
        try:
            return canvas.send_conversation(message.lms_user_id, message.subject, message.text)
        finally:
            canvas.http.close()
    except LmsError as error:
        raise lms_outcome(error) from None


def lms_outcome(error: LmsError) -> SendError:
    """What an LMS failure means for the message (see the module docstring)."""
    if isinstance(error, LmsTimeout):
        return Retry(error.message) if unsent(error) else Unknown(error.message)
    if isinstance(error, LmsThrottled | LmsServerError | LmsConnectionBroken):
        return Retry(error.message)
    if isinstance(error, LmsRemoteError):  # the LMS's own "no" (Moodle errorcode, Canvas 4xx)
        return Refused(error.message)
    return Unknown(error.message)  # an answer we cannot read (LmsMalformedResponse), or else
