"""The planner's suggestion forms in words, with the catalog's currency and names for ids."""

from __future__ import annotations

from decimal import Decimal

from lti_pathing.services.gap_wording import _named, _suggestion, money


def test_a_budget_what_if_names_its_currency() -> None:
    assert _suggestion(["budget +199"], {}, "EUR") == "It would close with a budget 199 EUR higher."
    assert money(Decimal("1250.5"), "USD") == "1,250.50 USD"


def test_hours_and_deadline_what_ifs_read_as_sentences() -> None:
    assert _suggestion(["+2 h/week", "deadline +6 weeks"], {}, None) == (
        "It would close with 2 hours more a week or a deadline 6 weeks later."
    )


def test_ids_become_names_as_whole_words_only() -> None:
    names = {"python": "Python", "data-models": "Data modelling"}
    text = "bring python to level 3; no activity teaching data-models; python-advanced stays"
    assert _named(text, names) == (
        "bring Python to level 3; no activity teaching Data modelling; python-advanced stays"
    )
