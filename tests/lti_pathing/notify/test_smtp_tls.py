"""SMTP_TLS: STARTTLS and implicit TLS against a real server on loopback, certificate checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from lti_pathing.notify.channels import Message, Refused, Retry, SmtpSettings, send_email
from tests.support.smtp import self_signed, smtp_server


def message() -> Message:
    return Message("lti-pathing-1-1-email", "Check-in on Friday", "Friday.", "<p>Friday.</p>",
                   "Leo Learner", "leo@larkspur.example")  # fmt: skip


def settings(port: int, tls: str) -> SmtpSettings:
    return SmtpSettings("127.0.0.1", port, "lti", "secret", tls,
                        "lti-pathing <no-reply@larkspur.example>", 5.0)  # fmt: skip


@pytest.fixture
def cert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The server's certificate, trusted by this test's TLS clients (as a company CA would be)."""
    made = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(made[0]))
    return made


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
def test_mail_goes_over_tls_with_a_login(cert: tuple[Path, Path], tls: str) -> None:
    with smtp_server(tls, cert) as (inbox, port):
        assert send_email(settings(port, tls), message()) == (
            "<lti-pathing-1-1-email@larkspur.example>"
        )
        [mail] = inbox.messages
        assert mail["Subject"] == "Check-in on Friday"


def test_a_server_that_requires_starttls_refuses_plain_mail(cert: tuple[Path, Path]) -> None:
    with smtp_server("starttls", cert) as (inbox, port):
        plain = SmtpSettings("127.0.0.1", port, None, None, "none", "x <no-reply@x.example>", 5.0)
        with pytest.raises(Refused, match="530"):
            send_email(plain, message())
        assert inbox.messages == []


def test_an_untrusted_certificate_is_not_accepted(tmp_path: Path) -> None:
    with smtp_server("starttls", self_signed(tmp_path)) as (inbox, port):
        with pytest.raises(
            Retry, match="could not reach the mail server: SSLCertVerificationError"
        ):
            send_email(settings(port, "starttls"), message())
        assert inbox.messages == []
