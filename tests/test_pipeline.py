"""The map step's grounding of notes, and the whole pipeline over the seeds with a scripted model:
every citation verifies, one bad chunk or file never costs the others, and timing never changes the result."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from briefing import Settings, agenerate_briefing, generate_briefing, pipeline
from briefing.chunking import chunk_sources
from briefing.errors import BudgetExceeded, ModelError, NothingToBrief
from briefing.extract import Batch, ground_notes, make_batches
from briefing.grounding import verify
from briefing.model.fake import FakeModel
from briefing.summarize import SummaryOut
from briefing.models import Briefing, ChunkNotes, Source
from briefing.render.markdown import esc, to_markdown
from briefing.sources import load_sources

from .fakes import answer, article_name, fake_model

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FAILING = "seeds/002_086a85729c64052e.txt"


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # sources are named as given: "seeds/..."


def file_text(path: str) -> str:
    return (ROOT / path).read_bytes().decode("utf-8")


def assert_every_citation_verifies(briefing: Briefing) -> None:
    citations = briefing.citations()
    assert citations
    for c in citations:
        assert verify(c, file_text(c.source)), c


# --------------------------------------------------------------------------- extract: grounding the notes


@pytest.fixture(scope="module")
def batch003() -> Batch:
    source = next(s for s in load_sources([SEEDS]).sources if "003_" in s.path)
    batches = make_batches([source], chunk_sources([source]), 900)
    assert len(batches) == 1
    return batches[0]


def notes(**lists: list[dict[str, str]]) -> ChunkNotes:
    return ChunkNotes.model_validate(lists)


def test_notes_whose_quotes_are_in_the_chunk_are_kept_and_the_rest_counted_as_dropped(batch003: Batch) -> None:
    out = ground_notes(
        notes(
            facts=[
                {"text": "Russia has a naval base at Tartus.", "quote": "Russia maintains a naval base at Tartus"},
                {
                    "text": "Russian paratroopers landed.",
                    "quote": "Russian paratroopers landed in Aleppo on Friday night",
                },
            ]
        ),
        batch003,
    )
    assert [f.text for f in out.facts] == ["Russia has a naval base at Tartus."]
    assert out.facts[0].citations[0].quote == "Russia maintains a naval base at Tartus"
    assert (out.proposed, out.dropped) == (2, 1)


def test_placeholder_items_copied_from_the_layout_are_dropped(batch003: Batch) -> None:
    quote = "Russia maintains a naval base at Tartus"
    out = ground_notes(
        notes(
            facts=[{"text": "One-sentence key fact.", "quote": quote}],
            actors=[{"name": "Full name", "kind": "person", "role": "who they are here", "quote": quote}],
            positions=[
                {"actor": "Russia", "stance": "What they say or want.", "quote": quote},
                {"actor": "Russia", "stance": "Keeps its naval base.", "quote": quote},
            ],
            movements=[
                {"actor": "Russia", "what": "what is deployed or done", "quote": quote},
                {
                    "actor": "Russia",
                    "what": "keeps a naval base",
                    "where": "place or empty",
                    "when": "Time or empty",
                    "scale": "numbers or empty",
                    "quote": quote,
                },
            ],
            open_questions=[{"question": "A question the article leaves open?", "quote": quote}],
        ),
        batch003,
    )
    assert out.facts == [] and out.actors == [] and out.questions == []
    # Positions and movements are never the model's: they are sentences read in code, in the source's words.
    stances = {p.stance for p in out.positions} | {m.what for m in out.movements}
    assert not stances & {"What they say or want.", "Keeps its naval base.", "keeps a naval base"}
    text = batch003.source.text
    assert all(text[i.citations[0].start : i.citations[0].end] == i.citations[0].quote for i in out.positions)


def test_a_position_the_model_proposes_is_not_shown_in_its_words(batch003: Batch) -> None:
    out = ground_notes(
        notes(
            positions=[
                {
                    "actor": "Sergey Lavrov",
                    "stance": "Supports the Syrian government's military support.",
                    "quote": "Russia maintains a naval base at Tartus",
                },
            ]
        ),
        batch003,
    )
    assert "Supports the Syrian government's military support." not in {p.stance for p in out.positions}
    assert all(p.stance == p.citations[0].quote for p in out.positions)


def test_an_actor_whose_quote_does_not_name_them_gets_the_first_sentence_that_does(batch003: Batch) -> None:
    text = batch003.source.text
    out = ground_notes(
        notes(
            actors=[
                {
                    "name": "Sergey Lavrov",
                    "kind": "person",
                    "role": "Russian foreign minister",
                    "quote": "Russia maintains a naval base at Tartus",
                },
            ]
        ),
        batch003,
    )
    [lavrov] = out.actors
    c = lavrov.citations[0]
    assert verify(c, text)
    assert c.quote.startswith("Russian foreign minister Sergey Lavrov said that Russia is airlifting weapons")
    assert (out.proposed, out.dropped) == (1, 0)


def test_an_actor_the_chunk_never_names_is_dropped_and_counted(batch003: Batch) -> None:
    out = ground_notes(
        notes(
            actors=[
                {
                    "name": "Barack Obama",
                    "kind": "person",
                    "role": "US president",
                    "quote": "Russia maintains a naval base at Tartus",
                },
            ]
        ),
        batch003,
    )
    assert out.actors == []
    assert (out.proposed, out.dropped) == (1, 1)


def test_an_actor_named_only_in_a_boilerplate_caption_is_dropped(batch003: Batch) -> None:
    # "Picture: AP" is only in the caption lines, which are boilerplate.
    out = ground_notes(
        notes(
            actors=[
                {
                    "name": "AP",
                    "kind": "organisation",
                    "role": "photo agency",
                    "quote": "Russia maintains a naval base at Tartus",
                },
            ]
        ),
        batch003,
    )
    assert out.actors == []


def test_well_known_actors_get_their_kind_and_questions_their_question_mark(batch003: Batch) -> None:
    quote = "Russia maintains a naval base at Tartus"
    risky = "unless Russia sends large numbers of troops, halting the territorial gains"
    out = ground_notes(
        notes(
            actors=[{"name": "Russia", "kind": "organisation", "role": "Assad's backer", "quote": quote}],
            open_questions=[{"question": "Will Russia send large numbers of troops", "quote": risky}],
        ),
        batch003,
    )
    assert out.actors[0].kind == "state"
    assert out.questions[0].question == "Will Russia send large numbers of troops?"


def test_a_question_that_asks_nothing_or_cites_a_settled_sentence_is_dropped(batch003: Batch) -> None:
    out = ground_notes(
        notes(
            open_questions=[
                {"question": "What is the current situation?", "quote": "unless Russia sends large numbers of troops"},
                {"question": "Will the base at Tartus grow", "quote": "Russia maintains a naval base at Tartus"},
            ]
        ),
        batch003,
    )
    assert out.questions == []


def test_a_quote_in_the_boilerplate_between_chunks_is_not_grounded(batch003: Batch) -> None:
    out = ground_notes(
        notes(
            facts=[
                {"text": "The site has a newsletter.", "quote": "Sign up to our World Explained newsletter"},
            ]
        ),
        batch003,
    )
    assert out.facts == [] and out.dropped == 1


# --------------------------------------------------------------------------- the pipeline over the seeds


@pytest.fixture(scope="module")
def seeds_run() -> tuple[Briefing, FakeModel]:
    mp = pytest.MonkeyPatch()
    mp.chdir(ROOT)
    try:
        model = fake_model()
        briefing = generate_briefing(["seeds"], client=model)
    finally:
        mp.undo()
    return briefing, model


def test_every_citation_of_the_seeds_briefing_verifies_against_its_file(seeds_run) -> None:
    briefing, _ = seeds_run
    assert_every_citation_verifies(briefing)
    assert {c.source for c in briefing.citations()} == {f"seeds/{p.name}" for p in SEEDS.glob("*.txt")}


def test_the_seeds_briefing_fills_every_part(seeds_run) -> None:
    b, _ = seeds_run
    assert b.actors and b.positions and b.military_movements and b.facts
    assert 3 <= len(b.summary) <= 6
    assert "Sources give different figures for lives" in {d.topic for d in b.discrepancies}
    assert [s.status for s in b.sources] == ["briefed"] * 5
    assert all(s.chunks >= 1 and s.reason is None for s in b.sources)
    assert b.stats.chunks == sum(s.chunks for s in b.sources)
    assert b.stats.items_grounded == b.stats.items_proposed - b.stats.items_dropped > 0


def test_every_briefed_source_carries_its_lead_as_written_and_the_markdown_shows_it(seeds_run) -> None:
    b, _ = seeds_run
    texts = {Path(s.path).name: s.text for s in load_sources([SEEDS]).sources}
    for s in b.sources:
        assert s.lead is not None, s.path
        (c,) = s.lead.citations
        assert c.source == s.path and texts[Path(s.path).name][c.start : c.end] == c.quote
        assert s.lead.text == " ".join(c.quote.split())
        assert s.title is None or s.title not in c.quote  # the headline is not the lead
    assert c in b.citations()  # verified with the rest
    shown = to_markdown(b)
    assert all(f"Lead: {esc(s.lead.text)}" in shown for s in b.sources if s.lead)


def test_usage_counts_every_model_call(seeds_run) -> None:
    b, model = seeds_run
    sources = load_sources([SEEDS]).sources
    batches = make_batches(sources, chunk_sources(sources), 900)
    extraction_calls = sum(1 for messages, _ in model.history if article_name(messages))
    summary_calls = sum(1 for _, response_model in model.history if response_model is SummaryOut)
    assert extraction_calls == len(batches) >= 5
    assert summary_calls >= 1
    assert b.usage.model_calls == len(model.history) == extraction_calls + summary_calls
    assert b.usage.model == "fake"
    assert b.usage.prompt_tokens > 0 and b.usage.completion_tokens > 0


def failing_for(path: str, error: Exception):
    def default(messages: list[dict[str, str]], response_model: type) -> Any:
        return error if article_name(messages) == path else answer(messages)

    return default


def test_a_failing_chunk_costs_only_its_source(in_root: None) -> None:
    model = FakeModel(default=failing_for(FAILING, ModelError("HTTP 500: the server fell over")))
    b = generate_briefing(["seeds"], client=model)
    assert_every_citation_verifies(b)
    record = next(s for s in b.sources if s.path == FAILING)
    assert record.status == "skipped"  # nothing of it could be read: it is not presented as briefed
    assert record.reason and "HTTP 500: the server fell over" in record.reason
    assert FAILING not in {c.source for c in b.citations()}
    assert b.stats.chunks_failed == record.chunks >= 1
    others = {s.path for s in b.sources if s.path != FAILING}
    assert all(s.reason is None for s in b.sources if s.path in others)
    cited_by_items = {
        c.source for item in [*b.actors, *b.positions, *b.military_movements, *b.facts] for c in item.citations
    }
    assert cited_by_items == others


def test_when_every_chunk_fails_the_run_fails_with_the_first_error(in_root: None) -> None:
    model = FakeModel(default=lambda messages, rm: ModelError("cannot reach the model"))
    with pytest.raises(ModelError, match="no chunk could be summarized.*cannot reach the model"):
        generate_briefing(["seeds"], client=model)


def test_a_budget_stop_propagates_instead_of_costing_one_chunk(in_root: None) -> None:
    model = FakeModel(default=failing_for(FAILING, BudgetExceeded("token budget of 1,000 would be exceeded")))
    with pytest.raises(BudgetExceeded, match="token budget"):
        generate_briefing(["seeds"], client=model)


async def test_a_binary_and_an_empty_file_are_skipped_with_reasons_and_the_rest_briefed(tmp_path: Path) -> None:
    (tmp_path / "article.txt").write_text(
        "Russia deployed 500 troops to Latakia on Monday. Sergei Lavrov said Russia wants to prevent the collapse "
        "of the Syrian state.\n",
        encoding="utf-8",
    )
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "empty.txt").write_bytes(b"")
    b = await agenerate_briefing([tmp_path], client=fake_model())
    records = {Path(s.path).name: s for s in b.sources}
    assert records["article.txt"].status == "briefed"
    assert (records["image.txt"].status, records["image.txt"].reason) == ("skipped", "binary file (contains NUL bytes)")
    assert (records["empty.txt"].status, records["empty.txt"].reason) == ("skipped", "empty file")
    assert {Path(c.source).name for c in b.citations()} == {"article.txt"}


async def test_nothing_to_brief_lists_every_reason_and_calls_no_model(tmp_path: Path) -> None:
    (tmp_path / "image.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "empty.txt").write_bytes(b"  \n")
    model = fake_model()
    with pytest.raises(NothingToBrief) as caught:
        await agenerate_briefing([tmp_path, tmp_path / "missing.txt"], client=model)
    reasons = dict((Path(p).name, r) for p, r in caught.value.skipped)
    assert reasons == {
        "image.txt": "binary file (contains NUL bytes)",
        "empty.txt": "empty file",
        "missing.txt": "no such file or folder",
    }
    for name, reason in reasons.items():
        assert name in str(caught.value) and reason in str(caught.value)
    assert model.history == []


class Jittery:
    """A client whose answers arrive in reverse order of the articles' names (later files answer sooner)."""

    def __init__(self) -> None:
        self.inner = fake_model()
        self.model, self.endpoint, self.meter = self.inner.model, self.inner.endpoint, self.inner.meter
        self.finished: list[str] = []

    async def structured(self, messages: list[dict[str, str]], response_model: type, *, max_tokens: int = 1024):
        name = article_name(messages) or ""
        digit = int(Path(name).name[:3]) if name else 0
        await asyncio.sleep(0.002 * (5 - digit))
        result = await self.inner.structured(messages, response_model, max_tokens=max_tokens)
        self.finished.append(name)
        return result


async def test_the_briefing_does_not_depend_on_concurrency(in_root: None) -> None:
    serial, parallel = Jittery(), Jittery()
    one = await agenerate_briefing(["seeds"], client=serial, settings=Settings(concurrency=1))
    three = await agenerate_briefing(["seeds"], client=parallel, settings=Settings(concurrency=3))
    assert serial.finished != parallel.finished  # the calls really did finish in another order
    content = {"generated_at", "usage"}
    assert one.model_dump(exclude=content) == three.model_dump(exclude=content)


async def test_progress_reports_every_chunk_batch_and_the_merge(in_root: None) -> None:
    seen: list[tuple[str, int, int]] = []
    await agenerate_briefing(["seeds"], client=fake_model(), progress=lambda *a: seen.append(a))
    notes_done = [d for stage, d, _ in seen if stage == "notes"]
    total = next(t for stage, _, t in seen if stage == "notes")
    assert notes_done == list(range(total + 1))
    assert seen[-1] == ("merge", 1, 1)


async def test_grounding_waits_for_the_last_answer_so_the_calls_never_wait_on_it(
    in_root: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    jittery = Jittery()  # answers out of batch order
    grounded: list[tuple[str, int]] = []  # (batch's source, how many answers were in when it was grounded)

    def recording(notes: ChunkNotes, batch: Batch):
        grounded.append((batch.source.path, len(jittery.finished)))
        return ground_notes(notes, batch)

    monkeypatch.setattr(pipeline, "ground_notes", recording)
    b = await agenerate_briefing(["seeds"], client=jittery, settings=Settings(concurrency=3))
    notes_calls = len(b.sources)  # one batch a seed article, plus the key-point call after
    assert [answered for _, answered in grounded] == [notes_calls] * notes_calls
    assert [path for path, _ in grounded] == sorted(path for path, _ in grounded)  # in batch order
    assert jittery.finished[:notes_calls] != sorted(jittery.finished[:notes_calls])


def test_inline_articles_are_briefed_like_files() -> None:
    text = "France conducted air strikes against Islamic State near Raqqa on Sunday, the French presidency said."
    b = generate_briefing(articles=[("inline-1", text)], client=fake_model())
    assert [s.path for s in b.sources] == ["inline-1"]
    for c in b.citations():
        assert c.source == "inline-1" and text[c.start : c.end] == c.quote


def test_the_seeds_decode_to_exactly_the_text_their_files_hold() -> None:
    # The pipeline cites offsets into the decoded text; the seeds are plain UTF-8 without a BOM.
    for s in load_sources([SEEDS]).sources:
        assert isinstance(s, Source)
        assert s.text == file_text(str(Path(s.path).relative_to(ROOT)))


def test_a_stance_is_given_to_its_speaker_in_the_sources_own_words(batch003: Batch) -> None:
    out = ground_notes(notes(), batch003)
    lavrov = [p for p in out.positions if "Lavrov" in p.actor]
    assert lavrov, [p.actor for p in out.positions]
    assert "airlifting weapons" in lavrov[0].stance
    assert lavrov[0].stance == lavrov[0].citations[0].quote
    assert lavrov[0].attributed_to == lavrov[0].actor and lavrov[0].status == "reported"
