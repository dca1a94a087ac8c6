"""The pipeline: sources -> chunks -> notes (map) -> grounding -> merge (reduce) -> Briefing.

Pure wiring over an injected model client: no printing, no environment, no files written.
Progress is reported through an optional callback `progress(stage, done, total)`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from .chunking import chunk_sources
from .errors import BudgetExceeded, ModelError, NothingToBrief
from .extract import Batch, Grounded, extract_notes, ground_notes, make_batches
from .llm import ModelClient
from .merge import merge, numeric_discrepancies, statements_of, summarize
from .models import Briefing, SourceRecord, Stats
from .sources import Loaded

Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    pass


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
    progress = progress or _quiet
    if not loaded.sources:
        reasons = "; ".join(f"{r.path}: {r.reason}" for r in loaded.skipped) or "no files given"
        raise NothingToBrief(f"nothing to brief: {reasons}", [(r.path, r.reason or "") for r in loaded.skipped])

    chunks = chunk_sources(loaded.sources, chunk_tokens, chunk_overlap)
    batches = make_batches(loaded.sources, chunks, chunk_tokens)
    semaphore = asyncio.Semaphore(max(1, concurrency))
    done = 0
    progress("notes", 0, len(batches))

    async def one(batch: Batch) -> Grounded | str:
        """Grounded notes of one batch, or the error text: one bad chunk never costs the others."""
        nonlocal done
        async with semaphore:
            try:
                result: Grounded | str = ground_notes(await extract_notes(client, batch), batch)
            except BudgetExceeded:
                raise
            except ModelError as exc:
                result = str(exc)
            done += 1
            progress("notes", done, len(batches))
            return result

    try:
        async with asyncio.TaskGroup() as group:  # a budget stop cancels the calls still waiting
            tasks = [group.create_task(one(b)) for b in batches]
    except BaseExceptionGroup as eg:
        raise eg.exceptions[0] from None
    grounded = Grounded()
    failed: dict[str, str] = {}
    failed_chunks = 0
    ok_paths: set[str] = set()
    for batch, task in zip(batches, tasks, strict=True):  # batch order: the briefing never depends on timing
        result = task.result()
        if isinstance(result, str):
            failed.setdefault(batch.source.path, result)
            failed_chunks += len(batch.chunks)
        else:
            ok_paths.add(batch.source.path)
            grounded.extend(result)
    if failed_chunks == len(chunks):
        raise ModelError(f"no chunk could be summarized; first error: {next(iter(failed.values()))}")

    progress("merge", 0, 1)
    merged = merge(grounded)
    spans: dict[str, list[tuple[int, int]]] = {}
    for c in chunks:
        if c.source in ok_paths:  # a source the model could not read at all is not cited anywhere
            spans.setdefault(c.source, []).append((c.start, c.end))
    numeric = numeric_discrepancies(loaded.sources, spans)
    points, spotted = await summarize(client, statements_of(merged))
    progress("merge", 1, 1)

    counts = {}
    for c in chunks:
        counts[c.source] = counts.get(c.source, 0) + 1
    records: list[SourceRecord] = []
    for r in loaded.records:
        if r.status == "briefed":
            r = r.model_copy(update={"chunks": counts.get(r.path, 0)})
            if r.path in failed and r.path not in ok_paths:
                r = r.model_copy(update={"status": "skipped", "reason": f"the model could not summarize it: {failed[r.path]}"})
            elif r.path in failed:
                r = r.model_copy(update={"reason": f"some chunks could not be summarized: {failed[r.path]}"})
        records.append(r)

    return Briefing(
        title=title or _title(merged.actors, len(loaded.sources)),
        generated_at=datetime.now(UTC).replace(microsecond=0),
        date=date,
        summary=points,
        actors=merged.actors,
        positions=merged.positions,
        military_movements=merged.movements,
        open_questions=merged.questions,
        discrepancies=numeric + spotted,
        facts=merged.facts,
        sources=records,
        stats=Stats(
            chunks=len(chunks),
            items_proposed=grounded.proposed,
            items_grounded=grounded.proposed - grounded.dropped,
            items_dropped=grounded.dropped,
            chunks_failed=failed_chunks,
        ),
    )


def _title(actors: list, n_sources: int) -> str:
    names = [a.name for a in actors[:3]]
    subject = ", ".join(names) if names else "the news"
    return f"Briefing: {subject} ({n_sources} source{'s' if n_sources != 1 else ''})"
