"""Settings: defaults, then environment (`LTI_PATHING_*`, plain `DATABASE_URL`), then overrides.

Every setting is declared once in `SETTINGS` with its default and its check; a bad or unknown value
stops the application at start with a message naming the environment variable.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

PREFIX = "LTI_PATHING"
SECRET_KEY_FILE = "secret_key"


class SettingsError(RuntimeError):
    """A setting is missing, unknown or has a bad value; raised while the app starts."""


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default, a check returning the cleaned value, and what it does."""

    name: str
    default: Any
    check: Callable[[Any], Any]
    doc: str


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError("must be true or false")


def _int_between(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}")
        return value

    return check


def _optional_str(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("must be text")
    return str(value)


def _secret_key(value: Any) -> str | None:
    key = _optional_str(value)
    if key is not None and len(key) < 16:
        raise ValueError("must be at least 16 characters (or unset to generate one)")
    return key


def _host_list(value: Any) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise ValueError("must be a list of host names (JSON list or comma-separated)")
    hosts = tuple(i.strip().lower() for i in items if i.strip())
    if any("/" in h or " " in h for h in hosts):
        raise ValueError("must be bare host names like lms-tool.example.edu (no scheme or path)")
    return hosts


def _public_url(value: Any) -> str | None:
    url = _optional_str(value)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
        raise ValueError("must be the tool's base URL, like https://tool.example.edu (no path)")
    if parts.query or parts.fragment or parts.username:
        raise ValueError("must be a plain base URL (no query, fragment or user)")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _slug(value: Any) -> str:
    if not isinstance(value, str) or not value or not value.replace("-", "").isalnum():
        raise ValueError("must be a slug of letters, digits and '-'")
    return value


def _database_url(value: Any) -> str | None:
    url = _optional_str(value)
    if url is None:
        return None
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme in ("postgres", "postgresql"):  # the common Heroku-style spelling: use psycopg 3
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if scheme in ("sqlite", "postgresql+psycopg"):
        return url
    raise ValueError("must be a sqlite:/// or postgresql:// URL")


def _cache_url(value: Any) -> str | None:
    url = _optional_str(value)
    if url is not None and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("must be a redis://, rediss:// or unix:// URL (or unset for a file cache)")
    return url


def _secure_cookies(value: Any) -> str | bool:
    if value in ("auto", True, False):
        return value  # type: ignore[no-any-return]
    raise ValueError('must be "auto" (Secure when the request came over TLS), true or false')


def _number_between(low: float, high: float) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not low < value <= high:
            raise ValueError(f"must be a number more than {low} and at most {high}")
        return float(value)

    return check


def _redis_url(value: Any) -> str | None:
    url = _optional_str(value)
    if url is not None and not url.startswith(("redis://", "rediss://")):
        raise ValueError("must be a redis:// or rediss:// URL")
    return url


def _encryption_keys(value: Any) -> str | None:
    keys = _optional_str(value)
    if keys is not None:
        from lti_pathing.crypto import parse_keys

        parse_keys(keys)
    return keys


# Canvas Data Services signs live events with keys published here (previous, current and next,
# rotated monthly): developerdocs.instructure.com, Data Services > Live Events > Setup.
CANVAS_EVENTS_JWKS = "https://8axpcl50e4.execute-api.us-east-1.amazonaws.com/main/jwks"


def _jwks_url(value: Any) -> str:
    url = _optional_str(value)
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be the https URL of a JSON Web Key Set")
    return str(url)


def _smtp_tls(value: Any) -> str:
    text = str(value).strip().lower()
    if text not in ("starttls", "ssl", "none"):
        raise ValueError("must be starttls, ssl (implicit TLS, port 465) or none")
    return text


def _mail_from(value: Any) -> str:
    text = str(value).strip()
    address = parseaddr(text)[1]
    if "@" not in address or any(c in text for c in "\r\n"):
        raise ValueError("must be an address such as 'lti-pathing <no-reply@example.com>'")
    return text


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SECRET_KEY",
        None,
        _secret_key,
        "signs sessions; generated into the instance folder if unset",
    ),
    Setting(
        "DATABASE_URL", None, _database_url, "SQLite (default: instance folder) or PostgreSQL URL"
    ),
    Setting("SQLALCHEMY_ECHO", False, _bool, "log every SQL statement"),
    Setting("DEFAULT_TENANT", "default", _slug, "tenant slug the CLI acts on without --tenant"),
    Setting("PAGE_SIZE", 25, _int_between(1, 500), "rows per page on list pages and API lists"),
    Setting("MAX_PAGE_SIZE", 200, _int_between(1, 1000), "largest page a client may ask for"),
    Setting(
        "MAX_CONTENT_LENGTH", 16 * 1024 * 1024, _int_between(1024, 1 << 30), "largest upload, bytes"
    ),
    Setting(
        "ENCRYPTION_KEYS",
        None,
        _encryption_keys,
        "Fernet keys (comma-separated, newest first) for secrets at rest; "
        "generated into the instance folder if unset",
    ),
    Setting(
        "CACHE_URL",
        None,
        _cache_url,
        "shared cache of LTI launches, nonces and service tokens: Redis URL, "
        "or unset for a file cache in the instance folder (one machine only)",
    ),
    Setting(
        "PROXY_COUNT",
        0,
        _int_between(0, 5),
        "reverse proxies in front of the tool whose X-Forwarded-* headers are trusted",
    ),
    Setting(
        "SECURE_COOKIES",
        "auto",
        _secure_cookies,
        "cookies Secure; SameSite=None; Partitioned (for the LMS iframe): auto = over TLS",
    ),
    Setting(
        "SESSION_HOURS",
        10,
        _int_between(1, 72),
        "hours a signed-in browser session lasts without activity (each request renews it); "
        "after that the person opens the tool again from the LMS",
    ),
    Setting(
        "LTI_COOKIE_CHECK",
        True,
        _bool,
        "LTI login first checks that the browser keeps cookies in the iframe",
    ),
    Setting(
        "LTI_ALLOWED_TARGET_HOSTS",
        (),
        _host_list,
        "hosts besides the tool's own that an LTI login's target_link_uri may point at",
    ),
    Setting(
        "PUBLIC_URL",
        None,
        _public_url,
        "the tool's public URL (https://tool.example.edu): links and LTI URLs are built from it "
        "and requests for any other host are refused; unset: only localhost/127.0.0.1 answer",
    ),
    Setting(
        "DEV_LOOPBACK_PLATFORMS",
        False,
        _bool,
        "development only: LMS platforms on this machine over plain http (the demo, the tests)",
    ),
    Setting(
        "PLATFORM_PRIVATE_HOSTS",
        (),
        _host_list,
        "LMS hosts on private (intranet) addresses the tool may call; others must be public",
    ),
    Setting(
        "KEY_OVERLAP_DAYS",
        7,
        _int_between(0, 365),
        "days a retired tool key stays in the JWKS after `keys rotate`",
    ),
    Setting(
        "CREDENTIAL_VALID_DAYS",
        0,
        _int_between(0, 3660),
        "days an Open Badges credential stays valid from its award (0: it does not expire)",
    ),
    Setting(
        "SOLVER_TIME_LIMIT_S",
        10.0,
        _number_between(0, 3600),
        "seconds one plan solve may take (explanations included); job time limits follow it",
    ),
    Setting(
        "QUICK_TIME_LIMIT_S",
        2.0,
        _number_between(0, 60),
        "seconds for a quick estimate (time-to-ready on the career-path page)",
    ),
    Setting(
        "PLAN_HORIZON_WEEKS",
        104,
        _int_between(4, 520),
        "weeks a plan may span (a later deadline extends it)",
    ),
    Setting(
        "CELERY_BROKER_URL",
        None,
        _redis_url,
        "Redis URL of the Celery broker; unset: background jobs run in-process (threads)",
    ),
    Setting(
        "CELERY_RESULT_BACKEND",
        None,
        _redis_url,
        "Redis URL for Celery results (default: the broker URL)",
    ),
    Setting(
        "CELERY_VISIBILITY_TIMEOUT",
        3600,
        _int_between(1, 7 * 24 * 3600),
        "seconds before a task of a dead worker is redelivered; longer than the longest task",
    ),
    Setting(
        "LMS_SYNC_INTERVAL_MINUTES",
        360,
        _int_between(0, 7 * 24 * 60),
        "minutes between scheduled LMS syncs of every tenant (Celery beat; 0: none). "
        "Without a broker, run `lti-pathing lms sync` from cron instead",
    ),
    Setting(
        "SERVICE_TIMEOUT_S",
        2.0,
        _number_between(0, 60),
        "seconds to wait for the job broker or the Redis cache to connect before a request "
        "answers 503 'try again shortly' (a command may take five times as long)",
    ),
    Setting(
        "JOB_SWEEP_SECONDS",
        30,
        _int_between(1, 3600),
        "seconds between sweeps that send jobs waiting in the outbox again (Celery beat, or a "
        "thread in-process)",
    ),
    Setting(
        "JOB_START_TIMEOUT_S",
        600,
        _int_between(1, 7 * 24 * 3600),
        "seconds a sent job may wait for a worker to start it before it is sent again",
    ),
    Setting(
        "JOB_SEND_TRIES",
        10,
        _int_between(1, 1000),
        "sends of a job that never starts before it is marked failed (the user sees why)",
    ),
    Setting(
        "LMS_SYNC_DEADLINE_MINUTES",
        60,
        _int_between(1, 24 * 60),
        "minutes one sync run over one LMS connection may take; at the deadline it stops, "
        "keeping what it stored (the rest is fetched by the next sync)",
    ),
    Setting(
        "LMS_TIMEOUT_S",
        30.0,
        _number_between(0, 300),
        "seconds an LMS call may wait for an answer (connecting: at most 5 s)",
    ),
    Setting(
        "LMS_BREAKER_FAILURES",
        5,
        _int_between(1, 1000),
        "LMS calls in a row that get no answer (refused, unreachable, timed out) before syncs "
        "over that connection pause for LMS_BREAKER_COOLDOWN_MINUTES",
    ),
    Setting(
        "LMS_BREAKER_COOLDOWN_MINUTES",
        15,
        _int_between(1, 24 * 60),
        "minutes syncs over an LMS connection that stopped answering are skipped before one "
        "call tries it again",
    ),
    Setting(
        "CANVAS_EVENTS_JWKS_URL",
        CANVAS_EVENTS_JWKS,
        _jwks_url,
        "key set that signs Canvas live events (Data Services, 'Sign Payload'); the public "
        "Instructure one by default",
    ),
    Setting("JOB_THREADS", 2, _int_between(1, 64), "in-process job threads when no broker is set"),
    Setting("SMTP_HOST", None, _optional_str, "mail server for notifications (empty: no e-mail)"),
    Setting("SMTP_PORT", 587, _int_between(1, 65535), "mail server port (465 with SMTP_TLS=ssl)"),
    Setting("SMTP_USERNAME", None, _optional_str, "mail server login (empty: no login)"),
    Setting("SMTP_PASSWORD", None, _optional_str, "mail server password"),
    Setting("SMTP_TLS", "starttls", _smtp_tls, "starttls (port 587), ssl (port 465) or none"),
    Setting("SMTP_TIMEOUT_S", 10.0, _number_between(0.1, 300), "seconds a mail server may take"),
    Setting(
        "MAIL_FROM",
        "lti-pathing <no-reply@localhost>",
        _mail_from,
        "sender of notification e-mails (its domain also names their Message-ID)",
    ),
    Setting(
        "NOTIFY_AFTER_COMMIT",
        True,
        _bool,
        "send notifications right after the change that caused them commits (else: next sweep)",
    ),
    Setting("NOTIFY_MAX_TRIES", 6, _int_between(1, 100), "tries of a delivery before it is failed"),
    Setting(
        "NOTIFY_RETRY_BASE_S",
        60,
        _int_between(1, 86400),
        "seconds before a delivery is tried again; doubled after each try (at most 6 h)",
    ),
    Setting(
        "NOTIFY_SEND_TIMEOUT_S",
        600,
        _int_between(10, 86400),
        "seconds after which a delivery whose sender vanished mid-send is failed (never resent)",
    ),
    Setting(
        "NOTIFY_SCAN_MINUTES",
        60,
        _int_between(1, 24 * 60),
        "minutes between looks for plans behind schedule and check-ins coming up",
    ),
    Setting(
        "NOTIFY_BEHIND_GRACE_DAYS",
        7,
        _int_between(0, 365),
        "days a plan stays behind schedule after the learner was told before their manager is",
    ),
    Setting("NOTIFY_CHECKIN_DAYS", 3, _int_between(0, 60), "days ahead a check-in is announced"),
    Setting(
        "REPLAN_CHUNK", 20, _int_between(1, 1000), "learners per task in an organisation re-plan"
    ),
    Setting("LOG_JSON", True, _bool, "structured JSON logs (one object a line) with a request id"),
)
# Names read from the environment by other parts (the test suite's own database switch).
RESERVED = ("TEST_",)


def load(app: Flask, test_config: Mapping[str, Any] | None = None) -> None:
    """Fill `app.config` from defaults, environment and overrides; validate; derive the rest."""
    app.config.from_mapping({s.name: s.default for s in SETTINGS})
    for plain in ("DATABASE_URL", "CELERY_BROKER_URL"):  # the spellings hosting platforms use
        if os.environ.get(plain):
            app.config[plain] = os.environ[plain]
    _reject_unknown_env()
    app.config.from_prefixed_env(PREFIX)
    if test_config is not None:
        app.config.from_mapping(test_config)
    _validate(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["DATABASE_URL"] is None:
        path = Path(app.instance_path) / "lti_pathing.sqlite3"
        app.config["DATABASE_URL"] = f"sqlite:///{path}"
    if app.config["SECRET_KEY"] is None:
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    # Flask's signed session cookie expires this long after the last request that renewed it.
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=app.config["SESSION_HOURS"])


def _reject_unknown_env() -> None:
    known = {s.name for s in SETTINGS}
    for key in os.environ:
        if not key.startswith(PREFIX + "_"):
            continue
        name = key[len(PREFIX) + 1 :]
        if name not in known and not name.startswith(RESERVED):
            raise SettingsError(f"{key}: unknown setting; known: {', '.join(sorted(known))}")


def _validate(config: dict[str, Any]) -> None:
    for setting in SETTINGS:
        try:
            config[setting.name] = setting.check(config[setting.name])
        except ValueError as error:
            raise SettingsError(
                f"{PREFIX}_{setting.name}: {error} (got {config[setting.name]!r})"
            ) from None
    if config["PAGE_SIZE"] > config["MAX_PAGE_SIZE"]:
        raise SettingsError(f"{PREFIX}_PAGE_SIZE must not exceed {PREFIX}_MAX_PAGE_SIZE")


def _instance_secret(instance: Path) -> str:
    """Read the generated key, or create it (readable by the owner only) on first start."""
    made = instance_secret_file(instance / SECRET_KEY_FILE, lambda: secrets.token_hex(32).encode())
    return made.decode()


def instance_secret_file(path: Path, make: Callable[[], bytes]) -> bytes:
    """A secret kept in the instance folder: read it, or write `make()` there once.

    The file is written whole under a private name and then linked into place, so processes or
    threads starting at the same moment all end up with the first one's secret, never a torn one.
    """
    if not path.exists():
        draft = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(make())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another starter won: everyone uses its secret
        finally:
            draft.unlink()
    return path.read_bytes().strip()
