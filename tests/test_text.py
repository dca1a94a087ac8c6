"""The shared text helpers: where sentences end."""

from __future__ import annotations

from briefing.text import sentences


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
