"""Grounding: a model's quote becomes the source's own words at exact offsets, or nothing at all."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from briefing.chunking import content_regions
from briefing.grounding import find_mention, ground, verify
from briefing.text import fold, mentions
from briefing.models import Source
from briefing.sources import load_sources, source_from_text

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
_LOADED = {Path(s.path).name[:3]: s for s in load_sources([SEEDS]).sources}
TRIM = " \t\r\n\"'“”‘’.,;:…"


def seed(prefix: str) -> Source:
    return _LOADED[prefix]


def everywhere(source: Source) -> list[tuple[int, int]]:
    return [(0, len(source.text))]


def article(text: str) -> Source:
    result = source_from_text("inline.txt", text)
    assert isinstance(result, Source)
    return result


def assert_exact(citation, source: Source) -> None:
    assert citation is not None
    assert citation.source == source.path
    assert citation.quote == source.text[citation.start : citation.end]
    assert verify(citation, source.text)


# --------------------------------------------------------------------------- exact and normalised


def test_an_exact_quote_is_cited_at_its_offsets() -> None:
    s = seed("003")
    quote = "Russia maintains a naval base at Tartus"
    c = ground(quote, s, content_regions(s))
    assert_exact(c, s)
    assert c.quote == quote
    assert c.start == s.text.index(quote)


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        # straight quotes and apostrophe for the source's curly ones
        (
            'Lavrov said they were carrying "military items in accordance',
            "Lavrov said they were carrying “military items in accordance",
        ),
        (
            'Russia isn\'t planning "any additional steps," but held the door open',
            "Russia isn’t planning “any additional steps,” but held the door open",
        ),
        # a hyphen (or em dash) for the source's en dash
        (
            "But the strategy could be risky - and unless Russia sends",
            "But the strategy could be risky – and unless Russia sends",
        ),
        ("the strategy could be risky — and unless Russia", "the strategy could be risky – and unless Russia"),
        # case and whitespace
        ("MOSCOW ALSO HAS OTHER KEY INTERESTS AT STAKE", "Moscow also has other key interests at stake"),
        ("Russia   maintains a\nnaval  base at\tTartus", "Russia maintains a naval base at Tartus"),
    ],
)
def test_a_normalised_quote_is_cited_with_the_sources_own_characters(quote: str, expected: str) -> None:
    s = seed("003")
    c = ground(quote, s, content_regions(s))
    assert_exact(c, s)
    assert c.quote == expected


def test_single_quote_marks_for_the_sources_double_ones_still_ground_the_whole_quote() -> None:
    # The embedded model swaps “ ” for ‘ ’ (NOTES): the citation must still cover every word.
    s = seed("003")
    c = ground("He called the move ‘significant.’", s, content_regions(s))
    assert_exact(c, s)
    assert c.quote == "He called the move “significant"


def test_a_fuzzy_paraphrase_is_cited_with_the_sources_words() -> None:
    s = seed("003")
    paraphrase = "Russia is sending weapons to Syria and that Russian servicemen are training"
    assert paraphrase not in s.text
    c = ground(paraphrase, s, content_regions(s))
    assert_exact(c, s)
    assert c.quote == "Russia is airlifting weapons to Syria and that Russian servicemen are training"
    assert (
        c.quote
        in "said that Russia is airlifting weapons to Syria and that Russian servicemen are training its military"
    )


def test_a_fuzzy_paraphrase_with_curly_apostrophes_in_the_source_is_grounded() -> None:
    # The source writes Mogherini’s with a curly apostrophe; the model a straight one, and a changed tense.
    s = seed("000")
    c = ground("Mogherini's comments followed reports that 500 Russian troops", s, content_regions(s))
    assert_exact(c, s)
    assert c.quote == "Mogherini’s comments follow reports that 500 Russian troops"


def test_an_invented_quote_is_not_grounded() -> None:
    s = seed("003")
    assert ground("Putin announced that Russian paratroopers landed in Aleppo yesterday", s, content_regions(s)) is None
    assert ground("Putin announced that Russian paratroopers landed in Aleppo yesterday", s, everywhere(s)) is None


def test_a_quote_too_short_to_mean_anything_is_not_grounded() -> None:
    s = seed("003")
    assert ground("Lavrov", s, everywhere(s)) is None


def test_a_quote_found_only_in_a_boilerplate_caption_is_not_grounded() -> None:
    s = seed("003")
    caption = "Sergey Lavrov said Russia was sending weapons to Syria. Picture: AP"
    assert any(s.text[b.start : b.end] == caption for b in s.boilerplate)
    assert ground(caption, s, everywhere(s)) is not None  # the words are in the file ...
    assert ground(caption, s, content_regions(s)) is None  # ... but only in boilerplate


def test_a_quote_outside_the_allowed_spans_is_not_grounded_even_when_verbatim() -> None:
    s = seed("003")
    quote = "Russia maintains a naval base at Tartus"
    at = s.text.index(quote)
    assert ground(quote, s, [(0, at)]) is None
    assert ground(quote, s, [(at, at + len(quote))]) is not None


def test_a_citation_is_snapped_to_whole_words() -> None:
    s = seed("003")
    c = ground("ussian foreign minister Sergey Lavr", s, content_regions(s))
    assert_exact(c, s)
    assert c.quote == "Russian foreign minister Sergey Lavrov"


def test_a_citation_never_snaps_past_the_edge_of_its_span() -> None:
    s = article("Alpha bravo charlie delta echo foxtrot golf hotel.")
    lo = s.text.index("avo")
    hi = s.text.index("otel") + 2
    c = ground("avo charlie delta echo foxtrot golf ho", s, [(lo, hi)])
    assert_exact(c, s)
    assert lo <= c.start and c.end <= hi


def test_surrounding_quote_marks_and_punctuation_are_not_part_of_the_citation() -> None:
    s = seed("001")
    c = ground('"His fear is of a complete collapse of the state structures in Syria,"', s, everywhere(s))
    assert_exact(c, s)
    assert c.quote == "His fear is of a complete collapse of the state structures in Syria"


# --------------------------------------------------------------------------- property


@st.composite
def perturbed_slices(draw: st.DrawFn) -> tuple[Source, str, str]:
    """(source, perturbed quote, the exact source words it came from) for whole-word slices of the seeds."""
    source = draw(st.sampled_from(sorted(_LOADED.values(), key=lambda s: s.path)))
    lo, hi = draw(st.sampled_from(content_regions(source)))
    words = [m.span() for m in re.finditer(r"\S+", source.text[lo:hi])]
    assume(len(words) >= 3)
    i = draw(st.integers(0, len(words) - 3))
    j = draw(st.integers(i + 2, min(len(words) - 1, i + 30)))
    exact = source.text[lo + words[i][0] : lo + words[j][1]]
    quote = []
    for ch in exact:
        if ch in "\"'“”‘’":
            ch = draw(st.sampled_from("\"'“”‘’"))
        elif ch.isalpha() and draw(st.booleans()) and len(ch.swapcase()) == 1:
            ch = ch.swapcase()
        quote.append(ch)
    return source, "".join(quote), exact.strip(TRIM)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(perturbed_slices())
def test_any_whole_word_slice_with_changed_case_and_quote_marks_grounds_to_the_source_slice(
    case: tuple[Source, str, str],
) -> None:
    source, quote, expected = case
    assume(len(expected) >= 12)
    c = ground(quote, source, content_regions(source))
    assert_exact(c, source)
    assert fold(c.quote).text == fold(expected).text
    if source.text.count(expected) == 1 and fold(source.text).text.count(fold(expected).text) == 1:
        assert c.quote == expected


# --------------------------------------------------------------------------- mentions


def test_find_mention_returns_the_first_sentence_that_names_a_term() -> None:
    s = seed("003")
    c = find_mention(["Yaalon", "Moshe Yaalon"], s, content_regions(s))
    assert_exact(c, s)
    assert c.quote == (
        "Israeli defense minister Moshe Yaalon told reporters that the Russian buildup appears to be "
        "limited for the time being."
    )


def test_find_mention_matches_whole_words_in_any_case() -> None:
    s = seed("003")
    assert find_mention(["Lavro"], s, content_regions(s)) is None
    c = find_mention(["tartus"], s, content_regions(s))
    assert_exact(c, s)
    assert "Tartus" in c.quote


def test_find_mention_never_returns_boilerplate() -> None:
    s = seed("003")
    assert find_mention(["Picture"], s, everywhere(s)) is not None
    assert find_mention(["Picture"], s, content_regions(s)) is None


def test_find_mention_ignores_terms_too_short_to_search() -> None:
    s = seed("003")
    assert find_mention(["", " ", "a"], s, everywhere(s)) is None


def test_mentions_folds_case_and_quote_marks_but_needs_whole_words() -> None:
    assert mentions("Russian foreign minister Sergey Lavrov said", ["Lavrov"])
    assert mentions("the KREMLIN’s view", ["Kremlin"])
    assert mentions("Israel’s defense chief", ["Israel's"])
    assert not mentions("Russians said so", ["Russia"])
    assert not mentions("anything at all", ["", "  "])


def test_an_exact_quote_grounds_to_whole_words_not_inside_a_longer_word():
    source = source_from_text(
        "s.txt", "They want a resolution to the war. Any solution to the crisis must include him."
    )
    assert isinstance(source, Source)
    c = ground("solution to the crisis", source, [(0, len(source.text))])
    assert c is not None and c.quote == "solution to the crisis"
    assert source.text[c.start - 4 : c.start] == "Any "


def test_a_quote_backs_a_claim_only_when_it_holds_enough_of_the_claims_words():
    from briefing.text import supports

    shipments = "Russian military shipments to Syria have alarmed the US and its allies in recent weeks"
    assert not supports(shipments, "deployed 500 troops to a base in Latakia", "Russia")
    assert supports("Russia is airlifting weapons to Syria", "airlifting weapons to Syria", "Russia")
    backing = "Putin said backing Assad was the only way to defeat the terrorism"
    assert supports(backing, "backing Assad's government", "Vladimir Putin", share=1 / 3)
    assert not supports(backing, "backing Assad's government", "Vladimir Putin", share=0.9)
