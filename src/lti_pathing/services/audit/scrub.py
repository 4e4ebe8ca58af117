"""Replace a person's identifying values inside stored JSON and text (used by an erasure).

A value equal to an identifier (employee id, LMS user id, LTI subject, e-mail) becomes the
person's anonymous id wherever it stands, dictionary keys included; a name or e-mail address
inside longer text is replaced as a whole word, ignoring case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

MIN_FREE_TEXT = 3  # shorter names are replaced only where they are a whole value


@dataclass
class Scrubber:
    """What identifies one person, and what stands in for it."""

    exact: frozenset[str]
    words: tuple[str, ...]
    replacement: str
    _pattern: re.Pattern[str] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        words = sorted({w for w in self.words if len(w) >= MIN_FREE_TEXT}, key=len, reverse=True)
        if words:
            alternatives = "|".join(re.escape(w) for w in words)
            self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    @classmethod
    def of(cls, identifiers: Iterable[str | None], words: Iterable[str | None], replacement: str
           ) -> Scrubber:  # fmt: skip
        """A scrubber for these identifiers and free-text words (empty ones ignored)."""
        kept = tuple(w for w in words if w)
        return cls(frozenset(i for i in identifiers if i) | frozenset(kept), kept, replacement)

    def text(self, value: str) -> str:
        """`value` with the person's identifiers replaced."""
        if value in self.exact:
            return self.replacement
        return self._pattern.sub(self.replacement, value) if self._pattern else value

    def json(self, value: Any) -> Any:
        """A JSON value (dicts, lists, strings, numbers) with the identifiers replaced."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(k) if isinstance(k, str) else k: self.json(v)
                    for k, v in value.items()}  # fmt: skip
        if isinstance(value, list):
            return [self.json(v) for v in value]
        return value
