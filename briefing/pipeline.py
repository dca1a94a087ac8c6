"""The pipeline: sources -> chunks -> notes (map) -> grounding -> merge (reduce) -> Briefing.

Pure wiring over an injected model client: no printing, no environment, no files written.
Progress is reported through an optional callback `progress(stage, done, total)`.
`run_pipeline` reads as its steps: `_map` (model notes per batch, grounded), `_reduce` (merge,
discrepancies, key points) and `_assemble` (the Briefing: items dated and the timeline, what happened to
every source, wire copies named). Near-identical copies of one story (`copies.wire_copies`) are all briefed
but count as one source wherever sources are counted.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import dates
from .candidates import lead_of
from .chunking import chunk_sources
from .copies import wire_copies
from .discrepancies import (
    answered_accusations,
    conflict,
    distinct,
    numeric_discrepancies,
    placeholder_topic,
    polarity_conflicts,
    stance_conflicts,
    topic_from,
)
from .errors import ModelError, NothingToBrief, redacted
from .extract import NOTES_MAX_TOKENS, Batch, Grounded, extract_messages, extract_notes, ground_notes, make_batches
from .merge import merge
from .model import ModelClient
from .model.batch import Question
from .models import (
    Actor,
    Briefing,
    Chunk,
    ChunkNotes,
    Citation,
    Discrepancy,
    Fact,
    Items,
    KeyPoint,
    Source,
    SourceRecord,
    Stats,
)
from .sources import Loaded
from .summarize import Summary, statements_of, summarize
from .timeline import date_items, timeline

Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    pass


@dataclass
class Mapped:
    """The map step's result: grounded items of every batch that answered, and why the others did not."""

    grounded: Grounded = field(default_factory=Grounded)
    failed: dict[str, ModelError] = field(default_factory=dict)  # source path -> its first failure
    failed_chunks: int = 0
    ok_paths: set[str] = field(default_factory=set)
    origin: dict[str, str] = field(default_factory=dict)  # a wire copy's path -> the first of its story


async def run_pipeline(
    loaded: Loaded,
    client: ModelClient,
    *,
    chunk_tokens: int = 900,
    chunk_overlap: int = 0,
    concurrency: int = 1,
    title: str | None = None,
    date: str | None = None,
    progress: Progress | None = None,
) -> Briefing:
    """Brief `loaded` with `client`. Raises `NothingToBrief` when no source was loaded, `ModelError`
    when no chunk could be read by the model, `BudgetExceeded` when the token budget stops the run;
    a source the model could not read is reported as skipped, and the others are briefed."""
    progress = progress or _quiet
    if not loaded.sources:
        reasons = "; ".join(f"{r.path}: {r.reason}" for r in loaded.skipped) or "no files given"
        raise NothingToBrief(f"nothing to brief: {reasons}", [(r.path, r.reason or "") for r in loaded.skipped])
    chunks = chunk_sources(loaded.sources, chunk_tokens, chunk_overlap)
    mapped = await _map(client, make_batches(loaded.sources, chunks, chunk_tokens), concurrency, progress)
    mapped.origin = wire_copies(loaded.sources)
    if not chunks:
        raise NothingToBrief("nothing to brief: the sources hold no text outside boilerplate")
    if mapped.failed_chunks == len(chunks):
        raise ModelError(f"no chunk could be summarized; first error: {next(iter(mapped.failed.values()))}")
    progress("merge", 0, 1)
    merged, discrepancies, summary = await _reduce(client, loaded, chunks, mapped)
    progress("merge", 1, 1)
    return _assemble(loaded, chunks, mapped, merged, discrepancies, summary, title=title, date=date)


def map_questions(loaded: Loaded, *, chunk_tokens: int = 900, chunk_overlap: int = 0) -> list[Question]:
    """The map phase's model questions, exactly as `run_pipeline` asks them (same chunks, same prompts), so
    they can be sent ahead of the run: `--batch` sends them through the Batch API into the response cache."""
    chunks = chunk_sources(loaded.sources, chunk_tokens, chunk_overlap)
    return [
        Question(_batch_label(b), extract_messages(b), ChunkNotes, NOTES_MAX_TOKENS)
        for b in make_batches(loaded.sources, chunks, chunk_tokens)
    ]


def _batch_label(batch: Batch) -> str:
    first, last = batch.chunks[0].index + 1, batch.chunks[-1].index + 1
    return f"{batch.source.path} (chunk {first})" if first == last else f"{batch.source.path} (chunks {first}-{last})"


async def _map(client: ModelClient, batches: list[Batch], concurrency: int, progress: Progress) -> Mapped:
    """Notes for every batch, grounded, at most `concurrency` calls at a time; results in batch order (the
    briefing never depends on timing). A failed batch costs only itself; a budget stop cancels the rest.

    The event loop does nothing but the calls while they run: a call's slot is refilled as soon as its answer
    is in, and grounding the notes (pure CPU work, a few ms a batch) waits until the last answer, then runs
    on a worker thread, batch by batch. Grounding beside the calls (inline, or on a thread, which contends
    for the GIL) kept the model waiting: measured on 200 articles against the stub (docs/benchmarks.md)."""
    semaphore = asyncio.Semaphore(max(1, concurrency))
    done = 0
    progress("notes", 0, len(batches))

    async def one(batch: Batch) -> ChunkNotes | ModelError:
        nonlocal done
        try:
            async with semaphore:
                result: ChunkNotes | ModelError = await extract_notes(client, batch)
        except ModelError as exc:
            result = exc
        done += 1
        progress("notes", done, len(batches))
        return result

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(b)) for b in batches]
    except BaseExceptionGroup as eg:
        raise eg.exceptions[0] from None
    return await asyncio.to_thread(_grounded, batches, [task.result() for task in tasks])


def _grounded(batches: list[Batch], answers: list[ChunkNotes | ModelError]) -> Mapped:
    """Every answered batch's notes grounded (`extract.ground_notes`), in batch order, and why the others
    were not answered."""
    mapped = Mapped()
    for batch, answer in zip(batches, answers, strict=True):
        if isinstance(answer, ModelError):
            mapped.failed.setdefault(batch.source.path, answer)
            mapped.failed_chunks += len(batch.chunks)
        else:
            mapped.ok_paths.add(batch.source.path)
            mapped.grounded.extend(ground_notes(answer, batch))
    return mapped


async def _reduce(
    client: ModelClient, loaded: Loaded, chunks: list[Chunk], mapped: Mapped
) -> tuple[Items, list[Discrepancy], Summary]:
    """Merged items, the figures sources disagree on, and the key points."""
    merged = merge(mapped.grounded, origin=mapped.origin)
    spans: dict[str, list[tuple[int, int]]] = {}
    for c in chunks:
        if c.source in mapped.ok_paths:  # a source the model could not read at all is not cited anywhere
            spans.setdefault(c.source, []).append((c.start, c.end))
    discrepancies = numeric_discrepancies(loaded.sources, spans)
    stated = [(p.actor, p) for p in merged.positions] + [(m.actor, m) for m in merged.movements]
    discrepancies += polarity_conflicts(stated)
    read = [s for s in loaded.sources if s.path in mapped.ok_paths]
    discrepancies += stance_conflicts(read, stated)
    discrepancies = distinct(discrepancies + answered_accusations(read))
    summary = await summarize(client, statements_of(merged, origin=mapped.origin))
    # The model's "disagreements" are kept only when their sides really conflict (figures or polarity).
    summary.disagreements = [
        d
        for d in summary.disagreements
        if any(conflict(x.statement, y.statement) for i, x in enumerate(d.claims) for y in d.claims[i + 1 :])
    ]
    for d in summary.disagreements:  # a topic that names nothing is made from the sides' own words
        if placeholder_topic(d.topic):
            d.topic = topic_from([c.statement for c in d.claims])
    return merged, discrepancies, summary


def _assemble(
    loaded: Loaded,
    chunks: list[Chunk],
    mapped: Mapped,
    merged: Items,
    discrepancies: list[Discrepancy],
    summary: Summary,
    *,
    title: str | None,
    date: str | None,
) -> Briefing:
    """The Briefing: items, every source's record (briefed, partly or wholly failed, skipped), counts."""
    grounded = mapped.grounded
    points: list[KeyPoint] = summary.points
    merged = date_items(merged, loaded.sources)
    return Briefing(
        title=title or _title(merged.actors, len(loaded.sources)),
        generated_at=datetime.now(UTC).replace(microsecond=0),
        date=date,
        summary=points,
        actors=merged.actors,
        positions=merged.positions,
        military_movements=merged.movements,
        open_questions=merged.questions,
        discrepancies=discrepancies + summary.disagreements,
        facts=merged.facts,
        withheld=grounded.planted,
        sources=_records(loaded, chunks, mapped),
        stats=Stats(
            chunks=len(chunks),
            items_proposed=grounded.proposed,
            items_grounded=grounded.proposed - grounded.dropped,
            items_dropped=grounded.dropped,
            chunks_failed=mapped.failed_chunks,
            summary_calls_failed=summary.failed_calls,
        ),
        warnings=[] if dates.available() else [dates.MISSING],
        timeline=timeline(merged),
    )


def _lead(source: Source) -> Fact | None:
    span = lead_of(source)
    if span is None:
        return None
    quote = source.text[span[0] : span[1]]
    return Fact(
        text=" ".join(quote.split()), citations=[Citation(source=source.path, start=span[0], end=span[1], quote=quote)]
    )


def _records(loaded: Loaded, chunks: list[Chunk], mapped: Mapped) -> list[SourceRecord]:
    """Every input's record, with its chunk count, its lead (`candidates.lead_of`) and what the model
    could not read."""
    counts = Counter(c.source for c in chunks)
    leads = {s.path: _lead(s) for s in loaded.sources}
    copies: dict[str, list[str]] = {}
    for copy, first in mapped.origin.items():
        copies.setdefault(first, []).append(copy)
    records: list[SourceRecord] = []
    for r in loaded.records:
        if r.status == "briefed":
            r = r.model_copy(
                update={
                    "chunks": counts.get(r.path, 0),
                    "lead": leads.get(r.path),
                    "copies": copies.get(r.path, []),
                    "copy_of": mapped.origin.get(r.path),
                }
            )
            failure = mapped.failed.get(r.path)
            if failure is not None and r.path not in mapped.ok_paths:
                why = f"the model could not summarize it: {redacted(str(failure))}"
                r = r.model_copy(update={"status": "skipped", "reason": why, "lead": None})
            elif failure is not None:
                r = r.model_copy(update={"reason": f"some chunks could not be summarized: {redacted(str(failure))}"})
        records.append(r)
    return records


def _title(actors: list[Actor], n_sources: int) -> str:
    names = [a.name for a in actors[:3]]
    subject = ", ".join(names) if names else "the news"
    return f"Briefing: {subject} ({n_sources} source{'s' if n_sources != 1 else ''})"
