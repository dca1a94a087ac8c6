"""States by any of their names, from packaged data (countryinfo), not a table written for one story."""

from __future__ import annotations

import pytest

from briefing.aliases import AliasResolver, state_of
from briefing.countries import countries_in, country_of


@pytest.mark.parametrize(
    ("name", "state"),
    [
        ("Indonesia", "Indonesia"),
        ("Indonesian", "Indonesia"),
        ("Jakarta", "Indonesia"),
        ("the U.S.", "United States"),
        ("USA", "United States"),
        ("Britons", None),
        ("British", "United Kingdom"),
        ("Thai", "Thailand"),
        ("Kingston Crown Court", None),
        ("police", None),
    ],
)
def test_a_country_is_known_by_its_name_code_demonym_or_capital(name, state):
    assert country_of(name) == state


def test_a_text_names_the_states_of_its_demonyms_and_names():
    assert countries_in("Chilean troops met Peruvian officials in Argentina") == {"Chile", "Peru", "Argentina"}


def test_a_states_organs_are_the_state_and_its_capital_too():
    assert state_of("the Kenyan government") == "Kenya"
    assert state_of("Nairobi") == "Kenya"
    resolver = AliasResolver()
    assert resolver.key("Kenya") == resolver.key("the Kenyan authorities") == resolver.key("Nairobi")
    assert resolver.display(resolver.key("Nairobi")) == "Kenya"
