"""The JSON Schemas (draft 2020-12) of the public planning format, shipped inside the package."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any, Literal

SchemaName = Literal["request", "response"]

_FILES: dict[str, str] = {
    "request": "plan-request.v1.json",
    "response": "plan-response.v1.json",
}


def schema_text(name: SchemaName) -> str:
    """The schema of a planning request or response, as the JSON text shipped."""
    return files(__name__).joinpath(_FILES[name]).read_text(encoding="utf-8")


def load_schema(name: SchemaName) -> dict[str, Any]:
    """The schema of a planning request or response, freshly loaded (safe to modify)."""
    schema: dict[str, Any] = json.loads(schema_text(name))
    return schema
