"""The request guard's parts: bounded integers, and JSON parsed without recursion or NUL text."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import BadRequest

from lti_pathing.errors import Invalid
from lti_pathing.input_guard import MAX_JSON_DEPTH, db_int, parse_json


def test_integers_beyond_the_column_read_as_unusable() -> None:
    assert db_int("2147483647") == 2**31 - 1 and db_int("-2147483648") == -(2**31)
    for text in ("2147483648", "-2147483649", "5919783946546109558554624"):
        with pytest.raises(ValueError):
            db_int(text)


def test_json_as_deep_as_allowed_is_read_and_one_level_more_is_not() -> None:
    assert parse_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
    with pytest.raises(BadRequest, match="nested too deeply"):
        parse_json("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))
    with pytest.raises(BadRequest, match="nested too deeply"):
        parse_json("[" * 100_000 + "]" * 100_000)


def test_a_nul_character_is_refused_naming_where_it_is() -> None:
    with pytest.raises(Invalid) as refused:
        parse_json('{"levels": [{"name": "a\\u0000b"}]}')
    assert refused.value.errors == {"levels.0.name": ["must not contain NUL characters"]}
    with pytest.raises(Invalid):
        parse_json('{"a\\u0000": 1}')


def test_malformed_json_is_left_to_the_route() -> None:
    assert parse_json("{not json") is None
