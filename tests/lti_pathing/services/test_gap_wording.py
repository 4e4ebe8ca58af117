"""The planner's suggestion forms in words, with the catalog's currency and names for ids."""

from __future__ import annotations

from decimal import Decimal

from lti_pathing.services.gap_wording import _levelled, _named, _suggestion, money
from lti_pathing.services.scales import LevelMeaning, Scale


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


def test_a_level_in_an_explanation_says_what_it_means() -> None:
    names = ("Aware", "Working", "Practitioner")
    scale = Scale(
        1, "python", "Python", tuple(LevelMeaning(n, m, None) for n, m in enumerate(names, 1))
    )
    text = "not enough weeks or hours per week to bring python to level 3; sql to level 2"
    assert _levelled(text, {"python": scale}) == (
        "not enough weeks or hours per week to bring python to level 3 (Practitioner); "
        "sql to level 2"
    )
    assert _levelled("the budget runs out before python reaches level 2", {"python": scale}) == (
        "the budget runs out before python reaches level 2 (Working)"
    )
