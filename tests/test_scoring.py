"""Scoring a briefing against gold annotations (briefing/scoring.py), on a tiny inline gold set."""

from __future__ import annotations

import copy

import pytest

from briefing import scoring
from briefing.scoring import actor_matches, format_table, gold_sentences, score_briefing

TEXTS = {
    "01.txt": (
        "Russia sent troops to the border on Monday. The Kremlin said the drills were routine.\n"
        "Putin warned the West against interference! Analysts were unconvinced."
    ),
    "02.txt": "Officials in Kiev said 40,000 soldiers had massed. Moscow put the figure at 10,000.",
}

PUTIN = {"name": "Vladimir Putin", "aliases": ["Putin", "Mr Putin"], "kind": "person"}
RUSSIA = {"name": "Russia", "aliases": ["Moscow", "the Kremlin"], "kind": "state"}
UKRAINE = {"name": "Ukraine", "aliases": ["Kiev", "Ukrainian officials"], "kind": "state"}

GOLD = {
    "folder": "tiny",
    "actors": [PUTIN, RUSSIA, UKRAINE],
    "key_facts": [
        {"text": "Russia moved troops.", "quotes": [{"file": "01.txt", "quote": "Russia sent troops to the border"}]},
        {"text": "Kiev counted 40,000.", "quotes": [{"file": "02.txt", "quote": "40,000 soldiers had massed"}]},
    ],
    "positions": [
        {
            "actor": "Russia",
            "stance": "Routine drills.",
            "quotes": [{"file": "01.txt", "quote": "drills were routine"}],
        },
        {
            "actor": "Vladimir Putin",
            "stance": "Warns the West.",
            "quotes": [{"file": "01.txt", "quote": "warned the West against interference"}],
        },
    ],
    "movements": [
        {"actor": "Russia", "what": "troops", "quotes": [{"file": "01.txt", "quote": "sent troops to the border"}]},
    ],
    "disagreements": [
        {
            "topic": "How many soldiers",
            "sides": [
                {"claim": "40,000", "file": "02.txt", "quote": "40,000 soldiers had massed"},
                {"claim": "10,000", "file": "02.txt", "quote": "put the figure at 10,000"},
            ],
        }
    ],
}


def cite(file: str, quote: str, folder: str = "articles") -> dict:
    """A citation as the pipeline writes it: the path as given, and the quote's offsets in the text."""
    start = TEXTS[file].index(quote)
    return {"source": f"{folder}/{file}", "start": start, "end": start + len(quote), "quote": quote}


def briefing(**sections) -> dict:
    empty = {k: [] for k in ("summary", "actors", "positions", "military_movements", "open_questions", "facts")}
    return {"title": "t", **empty, "discrepancies": [], **sections}


def position(actor: str, *citations: dict) -> dict:
    return {"actor": actor, "stance": "s", "citations": list(citations)}


def sentences_of(text: str) -> list[str]:
    return [text[a:b] for a, b in gold_sentences(text)]


# --------------------------------------------------------------------------- sentences


def test_a_sentence_ends_at_a_full_stop_followed_by_a_capital():
    assert sentences_of("Troops moved. Tanks followed.") == ["Troops moved.", "Tanks followed."]


def test_a_full_stop_before_a_lowercase_word_does_not_end_the_sentence():
    assert sentences_of("It fell to 3.5 per cent. e.g. the rest. Then more.") == [
        "It fell to 3.5 per cent. e.g. the rest.",
        "Then more.",
    ]


def test_exclamation_and_question_marks_end_sentences_before_digits_and_quote_marks():
    text = "Why now? 40 tanks came! \"We deny it,\" he said. 'No.'"
    assert sentences_of(text) == ["Why now?", "40 tanks came!", '"We deny it," he said.', "'No.'"]


def test_a_line_break_ends_a_sentence_even_without_punctuation():
    assert sentences_of("Headline without a stop\nBody text. More body\n\n  Last line  ") == [
        "Headline without a stop",
        "Body text.",
        "More body",
        "Last line",
    ]


def test_a_closing_quote_stays_with_its_sentence():
    assert sentences_of('He said "No." Then he left.') == ['He said "No."', "Then he left."]


def test_sentence_spans_index_the_original_text():
    text = TEXTS["01.txt"]
    spans = gold_sentences(text)
    assert len(spans) == 4
    assert text[slice(*spans[2])] == "Putin warned the West against interference!"


# --------------------------------------------------------------------------- actors


def test_an_actor_containing_an_alias_as_whole_words_matches():
    assert actor_matches("Russian President Vladimir Putin", PUTIN)
    assert actor_matches("the Kremlin", RUSSIA)


def test_an_alias_inside_a_longer_word_does_not_match():
    assert not actor_matches("Moscowitz", RUSSIA)


def test_possessives_and_case_are_folded():
    syria = {"name": "Syrian government", "aliases": ["Assad's regime", "President Assad’s army"], "kind": "state"}
    assert actor_matches("the ASSAD REGIME", syria)
    assert actor_matches("President Assad's army", syria)
    assert actor_matches("Moscow’s", RUSSIA)


def test_sharing_the_surname_matches():
    assert actor_matches("President Bashar Assad", {"name": "Bashar al-Assad", "aliases": [], "kind": "person"})
    assert actor_matches("Mr. Lavrov", {"name": "Sergei Lavrov", "aliases": [], "kind": "person"})


def test_titles_do_not_count_as_shared_names():
    putin = {"name": "President Vladimir Putin", "aliases": [], "kind": "person"}
    assert not actor_matches("President Obama", putin)
    assert not actor_matches("Prime Minister Cameron", {"name": "Prime Minister Tony Blair", "aliases": []})


def test_a_shared_first_name_is_not_a_shared_surname():
    assert not actor_matches("John Kerry", {"name": "John Sifton", "aliases": [], "kind": "person"})


def test_a_shared_nationality_is_not_a_shared_name():
    lavrov = {"name": "Russian Foreign Minister Sergei Lavrov", "aliases": [], "kind": "person"}
    assert not actor_matches("Russian Defence Ministry", lavrov)


def test_nationality_forces_count_as_the_state():
    assert actor_matches("Russian troops", RUSSIA)
    assert actor_matches("the Russian navy", RUSSIA)
    assert actor_matches("American forces", {"name": "United States", "aliases": ["US"], "kind": "state"})
    assert actor_matches("British police", {"name": "United Kingdom", "aliases": [], "kind": "state"})


def test_nationality_forces_are_not_a_person_or_another_state():
    assert not actor_matches("Russian troops", PUTIN)
    assert not actor_matches("Russian troops", UKRAINE)
    assert not actor_matches("Russian officials said", RUSSIA)


def test_a_generic_alias_must_be_equal_not_merely_contained():
    uk = {"name": "United Kingdom", "aliases": ["the Government"], "kind": "state"}
    assert actor_matches("the government", uk)
    assert not actor_matches("the Russian government", uk)


@pytest.mark.parametrize("word", ["the", "police", "forces", "united", "government", "states", "army", "general"])
def test_common_words_are_not_countries(word):
    assert scoring._countries(word) == ()


@pytest.mark.parametrize(("word", "iso3"), [("russian", "RUS"), ("british", "GBR"), ("americans", "USA")])
def test_demonyms_are_countries(word, iso3):
    assert scoring._countries(word)[0] == iso3


# --------------------------------------------------------------------------- positions and movements


def test_a_position_citing_the_gold_sentence_under_the_right_actor_matches():
    shown = briefing(positions=[position("The Kremlin", cite("01.txt", "The Kremlin said"))])
    scores = score_briefing(shown, GOLD, TEXTS)
    assert scores["positions"] == {
        "shown": 1,
        "matched": 1,
        "precision": 1.0,
        "gold": 2,
        "found": 1,
        "recall": 0.5,
        "wrong_actor": 0,
    }
    assert scores["details"]["positions"][0]["gold"] == [0]
    assert scores["details"]["missed"]["positions"] == [{"index": 1, "actor": "Vladimir Putin"}]


def test_a_position_citing_another_sentence_does_not_match():
    shown = briefing(positions=[position("Russia", cite("01.txt", "Analysts were unconvinced"))])
    scores = score_briefing(shown, GOLD, TEXTS)
    assert scores["positions"]["matched"] == 0
    assert scores["positions"]["precision"] == 0.0
    assert scores["positions"]["wrong_actor"] == 0


def test_a_gold_sentence_under_the_wrong_actor_is_counted_as_wrong_actor():
    shown = briefing(positions=[position("Ukrainian officials", cite("01.txt", "drills were routine"))])
    scores = score_briefing(shown, GOLD, TEXTS)
    assert scores["positions"]["matched"] == 0
    assert scores["positions"]["wrong_actor"] == 1
    detail = scores["details"]["positions"][0]
    assert (detail["matched"], detail["gold"], detail["touched"], detail["wrong_actor"]) == (False, [], [0], True)


def test_citations_are_matched_to_texts_by_base_name():
    shown = briefing(positions=[position("Putin", cite("01.txt", "Putin warned", folder="/home/me/news/today"))])
    assert score_briefing(shown, GOLD, TEXTS)["positions"]["found"] == 1
    windows = briefing(positions=[position("Putin", cite("01.txt", "Putin warned", folder="C:\\news"))])
    assert score_briefing(windows, GOLD, TEXTS)["positions"]["found"] == 1


def test_a_citation_with_stale_offsets_is_located_by_its_quote():
    citation = cite("01.txt", "Putin warned") | {"start": 0, "end": 12}
    scores = score_briefing(briefing(positions=[position("Putin", citation)]), GOLD, TEXTS)
    assert scores["positions"]["matched"] == 1


def test_precision_is_none_when_nothing_is_shown():
    scores = score_briefing(briefing(), GOLD, TEXTS)
    assert scores["positions"]["precision"] is None
    assert scores["movements"]["precision"] is None
    assert scores["combined"]["precision"] is None
    assert scores["disagreements"]["precision"] is None
    assert scores["positions"]["recall"] == 0.0


def test_recall_is_none_when_the_gold_has_no_items_of_a_section():
    gold = copy.deepcopy(GOLD) | {"movements": []}
    shown = briefing(military_movements=[position("Russian troops", cite("01.txt", "sent troops"))])
    scores = score_briefing(shown, gold, TEXTS)
    assert scores["movements"]["recall"] is None
    assert scores["movements"]["precision"] == 0.0


def test_movements_are_scored_with_the_nationality_rule_and_combined_with_positions():
    shown = briefing(
        positions=[position("Mr Putin", cite("01.txt", "warned the West")), position("Kiev", cite("02.txt", "Moscow"))],
        military_movements=[position("Russian forces", cite("01.txt", "sent troops to the border"))],
    )
    scores = score_briefing(shown, GOLD, TEXTS)
    assert scores["movements"]["matched"] == 1
    assert scores["combined"] == {
        "shown": 3,
        "matched": 2,
        "precision": 0.667,
        "gold": 3,
        "found": 2,
        "recall": 0.667,
        "wrong_actor": 0,
    }


# --------------------------------------------------------------------------- disagreements and key facts


def discrepancy(*claims: dict) -> dict:
    return {"topic": "numbers", "claims": [{"statement": "x", "citations": [c]} for c in claims]}


def test_a_disagreement_touching_two_sides_matches():
    shown = briefing(discrepancies=[discrepancy(cite("02.txt", "40,000 soldiers"), cite("02.txt", "10,000"))])
    assert score_briefing(shown, GOLD, TEXTS)["disagreements"] == {
        "shown": 1,
        "matched": 1,
        "precision": 1.0,
        "gold": 1,
        "found": 1,
        "recall": 1.0,
    }


def test_a_disagreement_touching_only_one_side_does_not_match():
    shown = briefing(discrepancies=[discrepancy(cite("02.txt", "40,000 soldiers"), cite("01.txt", "Russia sent"))])
    scores = score_briefing(shown, GOLD, TEXTS)
    assert scores["disagreements"]["matched"] == 0
    assert scores["details"]["disagreements"][0]["sides_touched"] == {0: 1}


def test_a_key_fact_is_covered_by_a_citation_of_any_item():
    shown = briefing(actors=[{"name": "Russia", "citations": [cite("01.txt", "on Monday")]}])
    scores = score_briefing(shown, GOLD, TEXTS)
    assert scores["key_facts"] == {"gold": 2, "covered": 1, "coverage": 0.5}
    assert [f["covered"] for f in scores["details"]["key_facts"]] == [True, False]


def test_a_key_fact_is_covered_by_a_discrepancy_claim():
    shown = briefing(discrepancies=[discrepancy(cite("02.txt", "Officials in Kiev"))])
    assert score_briefing(shown, GOLD, TEXTS)["key_facts"]["covered"] == 1


# --------------------------------------------------------------------------- robustness and the table


def test_a_missing_gold_quote_is_counted_not_fatal():
    gold = copy.deepcopy(GOLD)
    gold["positions"][0]["quotes"].append({"file": "01.txt", "quote": "words the article never used"})
    gold["key_facts"][1]["quotes"] = [{"file": "99.txt", "quote": "a file we do not have"}]
    shown = briefing(positions=[position("Russia", cite("01.txt", "drills were routine"))])
    scores = score_briefing(shown, gold, TEXTS)
    assert scores["gold_quotes_missing"] == 2
    assert scores["positions"]["matched"] == 1
    assert scores["key_facts"]["covered"] == 0


def test_citations_of_unknown_files_are_counted():
    shown = briefing(positions=[position("Putin", {"source": "x/77.txt", "start": 0, "end": 5, "quote": "Putin"})])
    scores = score_briefing(shown, GOLD, TEXTS)
    assert scores["unresolved_citations"] == 1
    assert scores["positions"]["matched"] == 0


def test_the_table_has_one_row_per_set_and_dashes_for_undefined_ratios():
    full = score_briefing(briefing(positions=[position("Putin", cite("01.txt", "Putin warned"))]), GOLD, TEXTS)
    table = format_table({"tiny": full, "empty": score_briefing(briefing(), GOLD, TEXTS)})
    header, rule, tiny, empty = table.splitlines()
    assert header.split()[:3] == ["set", "pos", "P"]
    assert tiny.split() == ["tiny", "1.000", "0.500", "-", "0.000", "1.000", "0.333", "-", "0.000", "0.000", "0/0"]
    assert empty.split()[1] == "-"
