"""The reduce step: aliases, merged duplicates, corroboration, discrepancies and model key points that can
only cite what the statements cite."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefing import summarize as summarize_module
from briefing.aliases import AliasResolver, known_kind, mention_terms
from briefing.chunking import chunk_sources
from briefing.errors import ModelError
from briefing.extract import Grounded
from briefing.grounding import verify
from briefing.model.fake import FakeModel
from briefing.discrepancies import numeric_discrepancies
from briefing.merge import merge, union_citations
from briefing.summarize import Statement, Summary, SummaryOut, statements_of, summarize
from briefing.models import Actor, Citation, Fact, MilitaryMovement, Position, Source
from briefing.sources import load_sources, source_from_text

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def article(path: str, text: str) -> Source:
    result = source_from_text(path, text)
    assert isinstance(result, Source)
    return result


def cite(source: Source, phrase: str) -> Citation:
    start = source.text.index(phrase)
    return Citation(source=source.path, start=start, end=start + len(phrase), quote=phrase)


A = article(
    "a.txt",
    "Vladimir Putin said Russia will back the Syrian government. Russia deployed 500 troops to Latakia. "
    "The war has claimed 240,000 lives.",
)
B = article(
    "b.txt",
    "Mr Putin said Moscow will back the Syrian government against any intervention. "
    "Russia has sent thousands of troops to Latakia.",
)
C = article(
    "c.txt", "Russia deployed about 500 soldiers near Latakia, officials said. The conflict has claimed 250,000 lives."
)


# --------------------------------------------------------------------------- aliases


@pytest.fixture
def resolver() -> AliasResolver:
    r = AliasResolver()
    r.learn("Vladimir Putin", "person", "Russian president")
    r.learn("Sergei Lavrov", "person", "Russian foreign minister")
    r.learn("Bashar al-Assad", "person", "Syrian president")
    r.learn("Iranian foreign minister Javad Zarif", "person", "Iranian foreign minister")
    return r


@pytest.mark.parametrize(
    "names",
    [
        [
            "Putin",
            "Vladimir Putin",
            "Mr Putin",
            "VLADIMIR Putin",
            "the Russian president",
            "Russian President Vladimir Putin",
        ],
        ["Lavrov", "Sergei Lavrov", "Sergey Lavrov", "Russian foreign minister Sergey Lavrov"],
        ["Islamic State", "the Islamic State group", "ISLAMIC STATE"],
        ["Assad", "Bashar al-Assad", "President Assad", "Bashar Assad"],
        ["Russia", "Moscow", "the Russian government", "RUSSIA", "Russian Federation"],
        ["United States", "US", "the U.S.", "America", "Washington", "the US government"],
    ],
)
def test_every_spelling_of_one_actor_resolves_to_one_key(resolver: AliasResolver, names: list[str]) -> None:
    assert len({resolver.key(n) for n in names}) == 1


def test_a_role_names_a_person_only_once_a_note_has_said_so() -> None:
    r = AliasResolver()
    r.learn("Vladimir Putin", "person")
    assert r.key("the Russian president") != r.key("Putin")
    r.learn("Vladimir Putin", "person", "Russian president")
    assert r.key("the Russian president") == r.key("Putin") == r.key("Russian President")


def test_different_actors_keep_different_keys(resolver: AliasResolver) -> None:
    keys = [
        resolver.key(n)
        for n in [
            "Vladimir Putin",
            "Sergei Lavrov",
            "Bashar al-Assad",
            "Javad Zarif",
            "Russia",
            "Islamic State",
            "Iran",
        ]
    ]
    assert len(set(keys)) == len(keys)


def test_two_people_with_one_surname_but_different_initials_stay_apart() -> None:
    r = AliasResolver()
    r.learn("Ed Miliband", "person", "Labour leader")
    r.learn("David Miliband", "person", "former foreign secretary")
    assert r.key("Ed Miliband") != r.key("David Miliband")
    assert r.key("Edward Miliband") != r.key("David Miliband")


def test_a_role_learned_before_a_namesake_still_names_the_right_person() -> None:
    r = AliasResolver()
    r.learn("Ed Miliband", "person", "Labour leader")  # alone so far: keyed by surname
    r.learn("David Miliband", "person", "former foreign secretary")  # now the surname alone is ambiguous
    assert r.key("the Labour leader") == r.key("Ed Miliband")
    assert r.key("former foreign secretary") == r.key("David Miliband")


def test_a_role_is_only_learned_for_people(resolver: AliasResolver) -> None:
    resolver.learn("Russia", "state", "Assad's ally")
    assert resolver.key("Assad's ally") != resolver.key("Russia")


def test_the_display_name_is_the_full_name_without_titles(resolver: AliasResolver) -> None:
    for name in [
        "Putin",
        "Mr Putin",
        "VLADIMIR Putin",
        "Vladimir Putin",
        "the Russian president",
        "Iranian foreign minister Javad Zarif",
        "President Assad",
        "Bashar al-Assad",
        "the U.S.",
        "Washington",
    ]:
        resolver.note_display(name)
    assert resolver.display(resolver.key("Putin")) == "Vladimir Putin"
    assert resolver.display(resolver.key("Zarif")) == "Javad Zarif"
    assert resolver.display(resolver.key("Assad")) == "Bashar al-Assad"
    assert resolver.display(resolver.key("Washington")) == "United States"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Moscow", "state"),
        ("the Russian government", "state"),
        ("Japanese authorities", "state"),
        ("Indonesia", "state"),
        ("the U.S.", "state"),
        ("NATO", None),
        ("Vladimir Putin", None),
        ("Hezbollah", None),
    ],
)
def test_known_kind_names_the_kind_of_well_known_actors_only(name: str, kind: str | None) -> None:
    assert known_kind(name) == kind


def test_mention_terms_include_the_surname_and_a_states_other_names() -> None:
    assert "Lavrov" in mention_terms("Russian foreign minister Sergei Lavrov")
    assert "Assad" in mention_terms("Bashar al-Assad")
    assert {"Moscow", "Russian"} <= set(mention_terms("Russia"))
    assert {"Washington", "American", "US"} <= set(mention_terms("the United States"))


def test_an_organisation_and_its_initials_are_one_actor_once_the_long_name_is_seen() -> None:
    resolver = AliasResolver()
    assert resolver.key("EU") != resolver.key("European Union")
    resolver.learn_initials("European Union")
    assert resolver.key("EU") == resolver.key("the European Union") == resolver.key("E.U.")


# --------------------------------------------------------------------------- merge


def test_union_of_citations_has_no_duplicate_and_no_nested_span() -> None:
    whole = cite(A, "Russia deployed 500 troops to Latakia")
    part = cite(A, "500 troops")
    other = cite(B, "thousands of troops")
    assert union_citations([part, other], [whole, whole, other]) == [other, whole]


def test_duplicate_facts_merge_with_the_union_of_their_citations() -> None:
    a = cite(A, "Russia deployed 500 troops to Latakia")
    c = cite(C, "Russia deployed about 500 soldiers near Latakia")
    notes = Grounded(
        facts=[
            Fact(text="Russia deployed 500 troops to Latakia.", citations=[a]),
            Fact(text="Russia deployed 500 troops to Latakia.", citations=[a]),
            Fact(text="Russia deployed about 500 troops near Latakia.", citations=[c]),
        ]
    )
    merged = merge(notes)
    assert len(merged.facts) == 1
    assert merged.facts[0].citations == [a, c]
    assert merged.facts[0].corroboration == 2


def test_corroboration_counts_distinct_sources_and_orders_the_items() -> None:
    lone = [cite(A, "The war has claimed 240,000 lives"), cite(A, "Russia deployed 500 troops")]
    shared = [
        cite(B, "Russia has sent thousands of troops to Latakia"),
        cite(C, "Russia deployed about 500 soldiers"),
    ]
    notes = Grounded(
        facts=[
            Fact(text="The war has claimed many lives.", citations=lone),  # two citations, one source
            Fact(text="Russian soldiers went to Latakia.", citations=shared),  # two sources
        ]
    )
    merged = merge(notes)
    assert [f.corroboration for f in merged.facts] == [2, 1]
    assert merged.facts[0].text == "Russian soldiers went to Latakia."


def test_positions_of_aliased_actors_merge_under_the_display_name() -> None:
    a = cite(A, "Vladimir Putin said Russia will back the Syrian government")
    b = cite(B, "Mr Putin said Moscow will back the Syrian government against any intervention")
    notes = Grounded(
        actors=[
            Actor(name="Vladimir Putin", kind="person", role="Russian president", citations=[a]),
            Actor(name="Mr Putin", kind="person", role="Russian president", citations=[b]),
        ],
        positions=[
            Position(actor="Mr Putin", stance="Russia will back the Syrian government.", citations=[b]),
            Position(actor="the Russian president", stance="Will back the Syrian government.", citations=[a]),
        ],
    )
    merged = merge(notes)
    assert [a.name for a in merged.actors] == ["Vladimir Putin"]
    assert merged.actors[0].aliases == ["Mr Putin"]
    assert len(merged.positions) == 1
    assert merged.positions[0].actor == "Vladimir Putin"
    assert {c.source for c in merged.positions[0].citations} == {"a.txt", "b.txt"}


def test_positions_of_different_actors_never_merge() -> None:
    a = cite(A, "Vladimir Putin said Russia will back the Syrian government")
    notes = Grounded(
        positions=[
            Position(actor="Vladimir Putin", stance="Backs the Syrian government.", citations=[a]),
            Position(actor="Iran", stance="Backs the Syrian government.", citations=[a]),
        ]
    )
    assert len(merge(notes).positions) == 2


def test_movements_with_overlapping_citations_merge() -> None:
    a = cite(A, "Russia deployed 500 troops to Latakia")
    notes = Grounded(
        movements=[
            MilitaryMovement(actor="Russia", what="deployed troops", where="Latakia", citations=[a]),
            MilitaryMovement(actor="Moscow", what="sent soldiers", scale="500 troops", citations=[a]),
        ]
    )
    merged = merge(notes)
    assert len(merged.movements) == 1 and merged.movements[0].actor == "Russia"


def test_an_actor_named_only_by_punctuation_does_not_break_the_merge() -> None:
    q = cite(A, "Vladimir Putin said")
    merged = merge(
        Grounded(
            actors=[
                Actor(name="?", kind="person", role="unknown speaker", citations=[q]),
                Actor(name="Vladimir Putin", kind="person", role="president", citations=[q]),
            ]
        )
    )
    assert "Vladimir Putin" in [a.name for a in merged.actors]


# --------------------------------------------------------------------------- numeric discrepancies


def chunk_spans(sources: list[Source]) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = {}
    for c in chunk_sources(sources):
        spans.setdefault(c.source, []).append((c.start, c.end))
    return spans


def test_the_seeds_disagree_on_the_death_toll_each_side_cited_in_its_own_source() -> None:
    sources = load_sources([SEEDS]).sources
    found = {d.topic: d for d in numeric_discrepancies(sources, chunk_spans(sources))}
    toll = found["Sources give different figures for lives"]
    texts = {s.path: s.text for s in sources}
    cited = [c for claim in toll.claims for c in claim.citations]
    assert len({c.source for c in cited}) == 2
    for c in cited:
        assert verify(c, Path(c.source).read_bytes().decode("utf-8"))
        assert verify(c, texts[c.source])
    figures = " ".join(c.statement for c in toll.claims)
    assert "240,000" in figures and "250,000" in figures
    # "500 Russian troops" and "thousands of soldiers" count different nouns: no synonym table joins them.
    assert "Sources give different figures for soldiers" not in found


def test_no_discrepancy_when_the_sources_give_the_same_figure() -> None:
    a = article("a.txt", "Russia deployed 500 troops to Latakia.")
    c = article("c.txt", "Officials said about 500 soldiers arrived near Latakia.")
    assert numeric_discrepancies([a, c], chunk_spans([a, c])) == []


def test_no_discrepancy_from_one_source_alone() -> None:
    one = article("a.txt", "Russia deployed 500 troops. Later reports spoke of 2,000 troops.")
    assert numeric_discrepancies([one], chunk_spans([one])) == []


def test_figures_in_text_outside_the_spans_are_ignored() -> None:
    a, b = A, B
    assert numeric_discrepancies([a, b], chunk_spans([a, b]))
    assert numeric_discrepancies([a, b], {a.path: chunk_spans([a])[a.path], b.path: []}) == []


# --------------------------------------------------------------------------- summarize


def statements() -> list[Statement]:
    return [
        Statement(
            1, "a.txt", "Russia deployed 500 troops to Latakia.", [cite(A, "Russia deployed 500 troops to Latakia")]
        ),
        Statement(
            2,
            "b.txt",
            "Russia has sent thousands of troops to Latakia.",
            [cite(B, "Russia has sent thousands of troops to Latakia")],
        ),
        Statement(3, "a.txt", "The war has claimed 240,000 lives.", [cite(A, "The war has claimed 240,000 lives")]),
        Statement(
            4,
            "a.txt, c.txt",
            "Vladimir Putin: backs the Syrian government.",
            [
                cite(A, "Vladimir Putin said Russia will back the Syrian government"),
                cite(C, "Russia deployed about 500 soldiers near Latakia"),
            ],
        ),
    ]


def all_citations(items: list[Statement]) -> list[Citation]:
    return [c for s in items for c in s.citations]


async def test_key_point_citations_are_exactly_the_union_of_the_cited_statements() -> None:
    st = statements()
    model = FakeModel(
        {
            "key_points": [
                {"text": "Russia sent troops to Latakia.", "ids": [1, 2, 1]},
                {"text": "Putin backs Damascus.", "ids": [4]},
            ],
            "disagreements": [],
        }
    )
    _summary = await summarize(model, st, min_points=2)
    points, _ = _summary.points, _summary.disagreements
    assert [p.text for p in points] == ["Russia sent troops to Latakia.", "Putin backs Damascus."]
    assert points[0].citations == st[0].citations + st[1].citations
    assert points[1].citations == st[3].citations
    assert model.history[0][1] is SummaryOut


async def test_unknown_statement_ids_are_ignored_and_a_point_with_none_valid_is_dropped() -> None:
    st = statements()
    model = FakeModel(
        {
            "key_points": [
                {"text": "Troops went to Latakia.", "ids": [1, 99]},
                {"text": "An invented point.", "ids": [0, 42]},
                {"text": "A point citing nothing.", "ids": []},
            ],
            "disagreements": [],
        }
    )
    _summary = await summarize(model, st, min_points=1)
    points, _ = _summary.points, _summary.disagreements
    assert [p.text for p in points] == ["Troops went to Latakia."]
    assert points[0].citations == st[0].citations


async def test_too_few_points_are_filled_from_the_best_supported_statements() -> None:
    st = statements()
    _summary = await summarize(FakeModel({"key_points": [], "disagreements": []}), st, min_points=3)
    points, _ = _summary.points, _summary.disagreements
    assert len(points) == 3
    assert points[0].text == st[3].text  # the only statement with two sources comes first
    for p in points:
        assert any(p.text == s.text and p.citations == s.citations for s in st)


async def test_a_model_disagreement_needs_two_statements_from_two_sources() -> None:
    st = statements()
    model = FakeModel(
        {
            "key_points": [{"text": "Troops went to Latakia.", "ids": [1]}],
            "disagreements": [
                {"topic": "How many troops", "ids": [1, 2]},  # a.txt vs b.txt: kept
                {"topic": "Same source twice", "ids": [1, 3]},  # both a.txt: dropped
                {"topic": "One statement", "ids": [2]},  # dropped
                {"topic": "Unknown ids", "ids": [2, 77]},  # one real statement: dropped
                {"topic": "  ", "ids": [1, 2]},  # no topic: dropped
            ],
        }
    )
    _summary = await summarize(model, st, min_points=1)
    _, found = _summary.points, _summary.disagreements
    assert [d.topic for d in found] == ["How many troops"]
    assert [c.citations for c in found[0].claims] == [st[0].citations, st[1].citations]


async def test_a_model_error_falls_back_to_points_from_the_statements() -> None:
    st = statements()
    model = FakeModel(ModelError("the model at fake:// did not return valid JSON"))
    _summary = await summarize(model, st, min_points=3)
    points, found = _summary.points, _summary.disagreements
    assert found == []
    assert len(points) == 3
    assert all(p.citations in [s.citations for s in st] for p in points)


async def test_no_statements_means_no_model_call() -> None:
    model = FakeModel()
    assert await summarize(model, []) == Summary()
    assert model.history == []


def echo_first_three(messages: list[dict[str, str]], response_model: type) -> dict:
    """Key points that repeat the first three statements of the prompt (and one unknown id)."""
    found = re.findall(r"^\[(\d+)\] \([^)]*\) (.*)$", messages[-1]["content"], re.MULTILINE)
    return {"key_points": [{"text": text, "ids": [int(i), 999]} for i, text in found[:3]], "disagreements": []}


async def test_hierarchical_reduce_makes_several_calls_and_cites_only_real_statements(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(summarize_module, "STATEMENTS_BUDGET", 60)
    topics = [
        "Russia deployed jets to Latakia airbase",
        "France struck Islamic State near Raqqa",
        "Iran backs the Assad government firmly",
        "Lavrov denies sending ground troops",
        "Obama meets Putin in New York",
        "Refugees flee toward the Turkish border",
        "Israel reports a limited Russian force",
        "Britain debates bombing campaign options",
        "Iraq shares intelligence with Damascus",
        "Militants destroyed the Palmyra ruins",
    ]
    sources = [article(f"s{i}.txt", f"Reports say: {t}.") for i, t in enumerate(topics)]
    st = [Statement(i + 1, s.path, t, [cite(s, t)]) for i, (s, t) in enumerate(zip(sources, topics))]
    model = FakeModel(default=echo_first_three)
    _summary = await summarize(model, st)
    points, _ = _summary.points, _summary.disagreements
    assert len(model.history) > 2
    assert 3 <= len(points) <= 6
    real = all_citations(st)
    for p in points:
        assert p.citations and all(c in real for c in p.citations)


async def test_hierarchical_reduce_ends_even_when_no_level_shrinks_the_statements(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every group is one statement and the model answers one point per statement: grouping again would
    # never end. The reduce must stop after a bounded number of calls.
    monkeypatch.setattr(summarize_module, "STATEMENTS_BUDGET", 1)
    topics = [f"{w} reported from the front" for w in ["Aleppo", "Homs", "Latakia", "Raqqa", "Palmyra", "Idlib"]]
    sources = [article(f"s{i}.txt", f"News: {t}.") for i, t in enumerate(topics)]
    st = [Statement(i + 1, s.path, t, [cite(s, t)]) for i, (s, t) in enumerate(zip(sources, topics))]
    model = FakeModel(default=echo_first_three)
    _summary = await summarize(model, st)
    points, _ = _summary.points, _summary.disagreements
    assert len(model.history) <= len(st) + 1
    assert points and all(c in all_citations(st) for p in points for c in p.citations)


def test_statements_number_facts_positions_and_movements_in_order() -> None:
    a = cite(A, "Russia deployed 500 troops to Latakia")
    merged = merge(
        Grounded(
            facts=[Fact(text="Russia deployed 500 troops.", citations=[a])],
            positions=[Position(actor="Russia", stance="Backs Assad.", citations=[cite(B, "Moscow will back")])],
            movements=[
                MilitaryMovement(
                    actor="Russia", what="deployed troops", where="Latakia", scale="500 troops", citations=[a]
                )
            ],
        )
    )
    st = statements_of(merged)
    assert [s.id for s in st] == [1, 2, 3]
    assert [s.text for s in st] == [
        "Russia deployed 500 troops.",
        "Russia: Backs Assad.",
        "Russia: deployed troops (500 troops) in Latakia",
    ]
    assert [s.source for s in st] == ["a.txt", "b.txt", "a.txt"]


async def test_a_key_point_naming_the_wrong_statement_is_cited_by_the_statements_that_back_it() -> None:
    st = statements()
    # The point speaks of the death toll but names statement 1 (troops): the citation must follow the words.
    model = FakeModel(
        {
            "key_points": [
                {"text": "The war has claimed 240,000 lives.", "ids": [1]},
                {"text": "Elephants migrated across Kenya.", "ids": [2]},
            ],
            "disagreements": [],
        }
    )
    _summary = await summarize(model, st, min_points=1)
    points, _ = _summary.points, _summary.disagreements
    assert [p.text for p in points] == ["The war has claimed 240,000 lives."]
    assert points[0].citations == st[2].citations


def test_the_summary_schema_asks_llama_cpp_for_three_to_six_key_points():
    schema = SummaryOut.model_json_schema()
    assert schema["properties"]["key_points"]["minItems"] == 3
    assert schema["properties"]["key_points"]["maxItems"] == 6


def test_figures_of_people_in_general_are_not_read_as_a_death_toll_and_never_crash():
    a = source_from_text("a.txt", "The bombs killed 52 people in London. Some 700 people were injured.")
    b = source_from_text("b.txt", "Officials said 56 people died, including the four bombers.")
    assert numeric_discrepancies([a, b], chunk_spans([a, b])) == []


def test_who_says_an_item_gets_the_canonical_name_of_its_actor() -> None:
    quote = "The US has accused Freedonia of atrocities."
    cited = [Citation(source="a.txt", start=0, end=len(quote), quote=quote)]
    merged = merge(
        Grounded(positions=[Position(actor="The US", stance=quote, attributed_to="The US", citations=cited)])
    )
    assert (merged.positions[0].actor, merged.positions[0].attributed_to) == ("United States", "United States")


def test_dedupe_with_blocking_keys_merges_exactly_as_comparing_every_pair() -> None:
    import random

    from briefing.merge import dedupe, overlaps, with_citations_of
    from briefing.text import SAME, similarity, words

    rng = random.Random(7)
    vocabulary = "troops ships aircraft Latakia Tartus deployed sent arrived minister talks port base".split()
    facts = []
    for _ in range(300):  # many near-duplicates: shared words, shared sources, overlapping spans
        text = " ".join(rng.sample(vocabulary, rng.randint(2, 5)))
        source, start = f"s{rng.randint(0, 4)}.txt", rng.randint(0, 50)
        facts.append(Fact(text=text, citations=[Citation(source=source, start=start, end=start + 10, quote="x" * 10)]))
    same = lambda x, y: overlaps(x, y) or similarity(x.text, y.text) >= SAME  # noqa: E731

    def keys(f: Fact) -> list:
        return [c.source for c in f.citations] + sorted(words(f.text))

    every_pair = dedupe(facts, same, with_citations_of)
    blocked = dedupe(facts, same, with_citations_of, keys=keys)

    assert blocked == every_pair
    assert 1 < len(blocked) < len(facts)  # the case merges some, not all


async def test_the_hierarchical_reduce_keeps_every_call_inside_a_tiny_budget() -> None:
    from briefing.chunking import count_tokens

    long = " ".join(f"Russia moved battalion {n} of its forces near Latakia port on Monday." for n in range(12))
    st = [
        Statement(i + 1, f"s{i}.txt", f"{i}: {long}", [Citation(source=f"s{i}.txt", start=0, end=5, quote="Russ.")])
        for i in range(20)
    ]
    model = FakeModel(default={"key_points": [], "disagreements": []})
    budget = 200  # each statement alone is ~170 tokens; twenty of them ~3,400

    summary = await summarize(model, st, min_points=2, budget=budget)

    assert len(model.history) > 2  # grouped, then reduced again
    for messages, _ in model.history:
        shown = re.findall(r"^\[\d+\] \([^)]*\) (.*)$", messages[-1]["content"], re.MULTILINE)
        assert shown and sum(count_tokens(s) + 12 for s in shown) <= budget
    assert summary.points  # filled from the statements: the model gave none
