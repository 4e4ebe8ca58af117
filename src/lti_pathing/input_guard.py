"""Input no column can hold is refused at the edge, the same way for every page and API route.

PostgreSQL refuses integers beyond its INTEGER column, NUL characters in text and JSON nested
deeper than Python can parse; each of those used to surface as a 500. Here a path id out of range
is a 404 (no such record can exist), and NUL characters or over-deep JSON are a 4xx naming where.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, Map

from lti_pathing.columns import INT_MAX, INT_MIN
from lti_pathing.errors import Invalid

# Deeper than any document the tool reads (imports nest about five levels).
MAX_JSON_DEPTH = 64
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def db_int(text: Any) -> int:
    """Parse an integer that fits the database's INTEGER columns (ValueError otherwise).

    Usable as `request.args.get(name, type=db_int)`: an unusable value reads as absent.
    """
    value = int(text)
    if not INT_MIN <= value <= INT_MAX:
        raise ValueError(f"{value} is outside {INT_MIN}..{INT_MAX}")
    return value


class IdConverter(IntegerConverter):
    """`<int:...>` in routes, bounded by the INTEGER column: a bigger id matches no route (404)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def _nul_error(where: str) -> Invalid:
    message = "must not contain NUL characters"
    return Invalid(f"{where} {message}", {where: [message]})


def _texts(values: Any) -> Iterator[tuple[str, str]]:
    items: Iterable[tuple[Any, Any]] = (
        values.items(multi=True) if hasattr(values, "getlist") else values.items()
    )
    for name, value in items:
        yield str(name), str(value)


def refuse_nul(pairs: Iterable[tuple[str, str]]) -> None:
    """Raise a 422 naming the first field whose name or text holds a NUL character."""
    for name, value in pairs:
        if "\x00" in name or "\x00" in value:
            raise _nul_error(name.replace("\x00", "\\0"))


def _refuse_constant(name: str) -> Any:
    raise BadRequest(f"{name} is not a JSON number; send a finite number")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # 1e400: no column, and no int() of it, takes infinity
        raise BadRequest(f"{text:.40} is too large a number")
    return value


def parse_json(data: bytes | str) -> Any:
    """Parse JSON the guarded way: finite numbers, at most MAX_JSON_DEPTH levels, no NUL text.

    Malformed JSON gives None: what it means depends on the route (a 400, an import report).
    """
    try:
        document = json.loads(data, parse_constant=_refuse_constant, parse_float=_finite)
    except RecursionError:
        raise BadRequest(f"JSON nested too deeply (at most {MAX_JSON_DEPTH} levels)") from None
    except ValueError:  # bad syntax: the route's own parser reports it in its own words
        return None
    check_json(document)
    return document


def check_json(document: Any) -> None:
    """Refuse a parsed document nested too deeply or holding NUL characters (iteratively)."""
    pending: list[tuple[Any, str, int]] = [(document, "", 1)]
    while pending:
        value, where, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise BadRequest(f"JSON nested too deeply (at most {MAX_JSON_DEPTH} levels)")
        if isinstance(value, str) and "\x00" in value:
            raise _nul_error(where or "body")
        if isinstance(value, dict):
            for key, item in value.items():
                refuse_nul([(key, "")])
                pending.append((item, f"{where}.{key}" if where else key, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, f"{where}.{i}", depth + 1) for i, item in enumerate(value))


def refuse_hostile_input() -> None:
    """Before every request: no NUL in the path, query, form or JSON body; JSON not too deep."""
    refuse_nul(_texts(request.view_args or {}))
    refuse_nul(_texts(request.args))
    if request.mimetype in FORM_TYPES:
        refuse_nul(_texts(request.form))
    if request.is_json and request.content_length != 0:
        data = request.get_data(cache=True)
        if data:
            parse_json(data)


def init_app(app: Flask) -> None:
    """Bound `<int:...>` route ids and check every request (before blueprints are registered)."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_hostile_input)
