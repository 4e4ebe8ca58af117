"""Settings: defaults, environment, validation at start."""

from __future__ import annotations

from pathlib import Path

import pytest

from lti_pathing import create_app
from lti_pathing.config import SettingsError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)


def test_defaults_put_sqlite_and_a_secret_in_the_instance_folder(tmp_path: Path) -> None:
    from flask import Flask

    app = Flask("x", instance_path=str(tmp_path))
    from lti_pathing import config

    config.load(app)
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'lti_pathing.sqlite3'}"
    key = (tmp_path / "secret_key").read_text()
    assert app.config["SECRET_KEY"] == key and len(key) == 64
    again = Flask("x", instance_path=str(tmp_path))
    config.load(again)
    assert again.config["SECRET_KEY"] == key


def test_prefixed_environment_is_read_and_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LTI_PATHING_PAGE_SIZE", "50")
    monkeypatch.setenv("LTI_PATHING_SQLALCHEMY_ECHO", "false")
    app = create_app({"SECRET_KEY": "k" * 32, "DATABASE_URL": "sqlite://"})
    assert app.config["PAGE_SIZE"] == 50
    assert app.config["SQLALCHEMY_ECHO"] is False


def test_allowed_target_hosts_take_a_list_or_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LTI_PATHING_LTI_ALLOWED_TARGET_HOSTS", "Tool.Example.edu, cdn.example:8443")
    app = create_app({"SECRET_KEY": "k" * 32, "DATABASE_URL": "sqlite://"})
    assert app.config["LTI_ALLOWED_TARGET_HOSTS"] == ("tool.example.edu", "cdn.example:8443")


def test_plain_database_url_is_used_and_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u@127.0.0.1/db")
    app = create_app({"SECRET_KEY": "k" * 32})
    assert app.config["DATABASE_URL"] == "postgresql+psycopg://u@127.0.0.1/db"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PAGE_SIZE", "abc", "LTI_PATHING_PAGE_SIZE: must be a whole number"),
        ("PAGE_SIZE", "0", "LTI_PATHING_PAGE_SIZE"),
        ("SQLALCHEMY_ECHO", "yes", "LTI_PATHING_SQLALCHEMY_ECHO: must be true or false"),
        ("DATABASE_URL", "mysql://x", "LTI_PATHING_DATABASE_URL: must be a sqlite"),
        ("SECRET_KEY", "short", "at least 16 characters"),
        ("TYPO_SETTING", "1", "LTI_PATHING_TYPO_SETTING: unknown setting"),
        ("LTI_ALLOWED_TARGET_HOSTS", "https://x.example/", "bare host names"),
    ],
)
def test_bad_settings_fail_at_start(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(f"LTI_PATHING_{name}", value)
    with pytest.raises(SettingsError, match=message):
        create_app()


def test_page_size_may_not_exceed_the_maximum() -> None:
    with pytest.raises(SettingsError, match="MAX_PAGE_SIZE"):
        create_app({"PAGE_SIZE": 300, "MAX_PAGE_SIZE": 100, "DATABASE_URL": "sqlite://"})


def test_the_readme_documents_every_setting() -> None:
    from pathlib import Path

    from lti_pathing.config import SETTINGS

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    missing = [s.name for s in SETTINGS if f"| `{s.name}` | `LTI_PATHING_{s.name}`" not in readme]
    assert missing == [], "add these settings to the README's configuration table"
