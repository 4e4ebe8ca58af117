"""Real HTTP servers on 127.0.0.1 for WSGI apps, and a `requests` browser that follows auto-posts.

`LiveServer` binds a free port first (so an app can be built knowing its own URL) and serves in a
thread with werkzeug's threaded server: the tool and the platform call each other while one of
them is still answering the browser.
"""

from __future__ import annotations

import threading
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import requests
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

# How a page says it submits its first form on load: the tool's form attribute (its script is a
# static file), the development platform's inline handler.
AUTOSUBMIT_MARKS = ("data-autosubmit", "document.forms[0].submit()")


def _not_ready(environ: Any, start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"not ready"]


_BODY = "tests.support.servers.body"


def _keeping_body(app: Any) -> Any:
    """`app`, leaving its response body in the environ for `_ClosingHandler`."""

    def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
        body = app(environ, start_response)
        environ[_BODY] = body
        return body

    return wrapped


class _ClosingHandler(WSGIRequestHandler):
    """werkzeug's handler, closing the response body when the client hangs up.

    werkzeug drains the request before closing the body; on a reset connection (a browser
    cancelling a script when a download starts) the drain raises first, and the body (an open
    static file) stayed open until garbage collection, whose ResourceWarning then failed whichever
    test was running.
    """

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        body = (environ or {}).get(_BODY)
        if hasattr(body, "close"):
            body.close()
        super().connection_dropped(error, environ)


class LiveServer:
    """A threaded WSGI server on 127.0.0.1; `url` uses `hostname` (e.g. localhost vs 127.0.0.1)."""

    def __init__(self, hostname: str = "127.0.0.1") -> None:
        self.server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, _not_ready, threaded=True, request_handler=_ClosingHandler
        )
        self.url = f"http://{hostname}:{self.server.server_port}"
        self._thread: threading.Thread | None = None

    def start(self, app: Any) -> LiveServer:
        """Serve `app` from now on."""
        self.server.app = _keeping_body(app)
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


class _Forms(HTMLParser):
    """Collect the forms of a page: action, method and their named inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            method = values.get("method", "get").lower()
            self.forms.append({"action": values.get("action", ""), "method": method, "fields": {}})
        elif tag in ("input", "textarea", "button") and self.forms and values.get("name"):
            if tag == "button" and values.get("type", "submit") == "submit":
                return  # a button's value is only sent when it is the one clicked
            if values.get("type") in ("checkbox", "radio") and "checked" not in values:
                return  # an unchecked box is not sent
            self.forms[-1]["fields"][values["name"]] = values.get("value", "")


def forms(html: str) -> list[dict[str, Any]]:
    """The forms of an HTML page."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class Browser:
    """A `requests.Session` that also submits auto-posting forms, as a browser's script would."""

    def __init__(self) -> None:
        self.session = requests.Session()

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        """GET, following redirects and then any auto-posting form."""
        return self._follow_autopost(self.session.get(url, timeout=30, **kwargs))

    def post(self, url: str, data: dict[str, Any], **kwargs: Any) -> requests.Response:
        """POST a form, following redirects and then any auto-posting form."""
        return self._follow_autopost(self.session.post(url, data=data, timeout=30, **kwargs))

    def submit(
        self, response: requests.Response, index: int = 0, **changes: str
    ) -> requests.Response:
        """Submit form `index` of a page (with some fields changed)."""
        form = forms(response.text)[index]
        action = urljoin(response.url, form["action"] or response.url)
        data = {**form["fields"], **changes}
        if form["method"] == "post":
            return self.post(action, data)
        return self.get(action, params=data)

    def _follow_autopost(self, response: requests.Response) -> requests.Response:
        # Pages whose body submits its first form on load (LTI launches, deep-link returns).
        for _ in range(5):
            if not any(mark in response.text for mark in AUTOSUBMIT_MARKS):
                return response
            response = self.submit(response)
        return response


class SilentServer:
    """A TCP socket on 127.0.0.1 that accepts every connection and never answers (a hung LMS).

    `url` is its http address; `accepted` counts the connections it holds open; `refusing()`
    gives the address of a port nothing listens on (an LMS that is down).
    """

    def __init__(self) -> None:
        import socket

        self._socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self.held: list[Any] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def accepted(self) -> int:
        """Connections accepted so far."""
        return len(self.held)

    def _accept(self) -> None:
        self._socket.settimeout(0.1)
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except OSError:
                continue
            self.held.append(connection)  # kept open, never read from or written to

    def stop(self) -> None:
        """Close every held connection and the listening socket."""
        self._stop.set()
        self._thread.join(timeout=5)
        for connection in self.held:
            connection.close()
        self._socket.close()

    @staticmethod
    def refusing() -> str:
        """The URL of a port on 127.0.0.1 that refuses connections (bound, then closed)."""
        import socket

        with socket.create_server(("127.0.0.1", 0)) as probe:
            port = probe.getsockname()[1]
        return f"http://127.0.0.1:{port}"
