"""The demo in a folder of its own: `python -m tests.browser.demo_process FOLDER PORT`.

What `lti-pathing demo --port PORT` runs, with the database, keys and lock in FOLDER instead of
the checkout's instance folder (the demo test must not touch a developer's demo).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from lti_pathing import create_app
from lti_pathing.devplatform.demo import run_demo


def main() -> None:
    """Run the demo until Ctrl-C; a refused start prints its message and exits with 1."""
    folder, port = Path(sys.argv[1]), int(sys.argv[2])
    app = create_app({
        "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}", "SECRET_KEY": "demo-test-" * 4,
        "SOLVER_TIME_LIMIT_S": 5.0,
    })  # fmt: skip
    app.instance_path = str(folder)
    with app.app_context():
        try:
            run_demo(app, port, "default")
        except click.ClickException as error:
            error.show()
            raise SystemExit(error.exit_code) from None


if __name__ == "__main__":
    main()
