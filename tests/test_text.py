"""The shared text helpers: where sentences end."""

from __future__ import annotations

import pytest

from briefing.text import FOLD_TABLE, content_stems, fold, fold_text, sentences, words


def split(text: str) -> list[str]:
    return [text[a:b] for a, b in sentences(text)]


def test_a_sentence_ends_at_a_full_stop_before_a_capital_a_digit_or_a_quotation_mark():
    assert split('It rained. The river rose. 12 roads closed. "We are ready," he said.') == [
        "It rained.",
        "The river rose.",
        "12 roads closed.",
        '"We are ready," he said.',
    ]


def test_an_abbreviation_before_a_lower_case_word_does_not_end_the_sentence():
    text = "Donors gave 322 million U.S. dollars by 1:40 p.m. on Friday. Aid arrived."
    assert split(text) == ["Donors gave 322 million U.S. dollars by 1:40 p.m. on Friday.", "Aid arrived."]


def test_a_line_break_ends_a_sentence_and_spans_index_the_text():
    text = "Headline without a stop\nBody text. More."
    assert split(text) == ["Headline without a stop", "Body text.", "More."]
    assert all(text[a:b] == text[a:b].strip() for a, b in sentences(text))


def _fold_one_by_one(text: str) -> tuple[str, list[int]]:
    """The folding rule written out character by character (how `fold` was first written)."""
    out: list[str] = []
    index: list[int] = []
    pending = False
    for i, ch in enumerate(text):
        ch = ch.translate(FOLD_TABLE)
        if ch.isspace():
            pending = bool(out)
            continue
        if pending:
            out.append(" ")
            index.append(i - 1)
            pending = False
        for c in ch.casefold():
            out.append(c)
            index.append(i)
    return "".join(out), index


FOLD_CASES = [
    "",
    "   ",
    "Plain words.",
    "  Leading and trailing \t\n ",
    "Runs\t\t of\n\nwhite\u00a0\u2003space",
    "“Curly” ‘quotes’ — and – dashes",
    "Straße and İstanbul: folding that changes length",
    "ﬁne ligature, then ÉCOLE",
    "\u00a0non-breaking at both ends\u00a0",
]


@pytest.mark.parametrize("text", FOLD_CASES)
def test_fold_is_the_character_by_character_rule_and_maps_back(text):
    folded = fold(text, offset=7)
    expected, index = _fold_one_by_one(text)
    assert folded.text == expected
    assert folded.index == [i + 7 for i in index]
    assert fold_text(text) == expected


def test_words_are_shared_and_frozen_so_no_caller_can_change_anothers():
    first = words("Troops moved to the border")
    assert first == {"troops", "moved", "border"}
    assert words("Troops moved to the border") is first
    with pytest.raises(AttributeError):
        first.add("x")  # type: ignore[attr-defined]
    assert content_stems("Troops moved to the border") == {"troop", "moved", "borde"}
