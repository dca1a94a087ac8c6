"""The map phase through the OpenAI Batch API (`briefing run --batch`): half the price, answers within 24 h.

`send_batch(client, questions, ...)`:

1. asks the client for each question's request body and response-cache key (`OpenAIModel.request`: exactly
   what a live call would send, and the key it would store the answer under); questions already answered
   in the cache are not sent;
2. writes the rest as a JSONL input file, one request a line (`custom_id`, `method`, `url`, `body`),
   uploads it (`files.create(purpose="batch")`) and starts a batch (`batches.create`, endpoint
   /v1/chat/completions, completion window 24h);
3. saves the input file id, then the batch id, and which custom_id stands for which cache key, in a small
   state file under the cache folder (`batches/<run>.json`, named after the run's questions) the moment
   each exists: a run killed while it waits, started again over the same articles, resumes waiting for
   that batch instead of paying for another;
4. polls (`batches.retrieve`), each wait `BATCH_POLL_GROWTH` times the last up to `BATCH_POLL_MAX_FACTOR`
   times the first, reporting progress, until the batch ends or the run's deadline passes (the batch goes
   on at the endpoint then, and the next run resumes it);
5. reads the output and error files (`files.content`): each valid answer goes into the response cache
   under its live key (counted as a model call with its tokens), each failed line becomes that chunk's
   failure; then the state file is removed.

`BatchAnswered` wraps the client for the rest of the run: a question the batch answered gets that answer, one
whose line failed raises `ModelError` (the pipeline lists that chunk as not summarized and goes on), any
other (the reduce phase) is asked live as usual. A later run without `--batch` finds every answer cached.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from ..config import BATCH_POLL_GROWTH, BATCH_POLL_MAX_FACTOR
from ..errors import ConfigError, ModelError
from . import ClientWrapper, Messages, T, UsageMeter, parse_json, validation_text
from .cache import ResponseCache

STATE_DIR = "batches"
"""The folder, under the cache folder, that holds the state file of each batch being waited for."""
BATCH_URL = "/v1/chat/completions"
MAX_BATCH_REQUESTS = 50_000
"""Requests one OpenAI batch may hold."""
MAX_BATCH_FILE_BYTES = 200_000_000
"""Bytes one OpenAI batch input file may have (200 MB)."""
ENDED = frozenset({"completed", "failed", "expired", "cancelled"})
"""A batch's statuses after which nothing more happens to it."""

Progress = Callable[[str, int, int], None]
Status = Callable[[str], None]


@dataclass(frozen=True)
class Question:
    """One model question of a run, as the pipeline will ask it; `label` names its chunk for warnings."""

    label: str
    messages: Messages
    response_model: type[BaseModel]
    max_tokens: int


class BatchClient(Protocol):
    """What the batch path needs from a model client (`OpenAIModel` has it; the embedded model does not)."""

    model: str
    endpoint: str
    meter: UsageMeter
    cache: ResponseCache | None
    cache_identity: str

    def request(
        self, messages: Messages, response_model: type[BaseModel], max_tokens: int = 1024
    ) -> tuple[dict[str, Any], str]: ...

    async def upload_batch_file(self, name: str, data: bytes) -> str: ...

    async def create_batch(self, input_file_id: str, metadata: dict[str, str]) -> dict[str, Any]: ...

    async def retrieve_batch(self, batch_id: str) -> dict[str, Any]: ...

    async def file_text(self, file_id: str) -> str: ...

    async def structured(self, messages: Messages, response_model: type[T], *, max_tokens: int = 1024) -> T: ...


@dataclass
class BatchOutcome:
    """What the batch did: the answers by cache key, the failed questions by cache key (why, one line),
    warnings for the briefing, and how many questions were sent and how many were already cached."""

    batch_id: str | None = None
    answers: dict[str, str] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    sent: int = 0
    cached: int = 0


async def send_batch(
    client: BatchClient,
    questions: list[Question],
    *,
    state_dir: Path,
    poll_interval: float,
    deadline: float,
    progress: Progress | None = None,
    on_status: Status | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> BatchOutcome:
    """Have the Batch API answer `questions` (see the module docstring). Raises `ModelError` when the batch
    fails, expires or is cancelled (answers it did give are kept in the cache), or is still running at the
    deadline (its id stays saved: the same run resumes it); `ConfigError` when the state cannot be kept."""
    status = on_status or (lambda message: None)
    keyed: dict[str, tuple[Question, dict[str, Any]]] = {}
    for q in questions:
        body, key = client.request(q.messages, q.response_model, q.max_tokens)
        keyed.setdefault(key, (q, body))
    run_id = hashlib.sha256("\n".join(sorted(keyed)).encode()).hexdigest()[:32]
    path = state_dir / f"{run_id}.json"
    outcome = BatchOutcome()
    state = _load_state(path)
    if state is None:
        pending = {k: body for k, (_, body) in keyed.items() if not _cached(client, k)}
        outcome.cached = len(keyed) - len(pending)
        if not pending:
            return outcome
        state = await _upload(client, pending, path, run_id, status)
    else:
        status(f"resuming batch {state.get('batch_id') or '(not yet created)'} saved in {path}")
    if not state.get("batch_id"):
        batch = await client.create_batch(state["input_file_id"], {"briefing_run": run_id})
        state["batch_id"] = batch["id"]
        _save_state(path, state)
        status(f"batch {batch['id']} created ({len(state['requests'])} requests); a re-run resumes it")
    outcome.batch_id = state["batch_id"]
    outcome.sent = len(state["requests"])
    batch = await _wait(client, state, path, poll_interval, deadline, progress, status, clock, sleep)
    await _collect(client, batch, state, keyed, outcome)
    _forget(path)
    if batch["status"] != "completed":
        raise ModelError(_ended_badly(batch, outcome), endpoint=client.endpoint, retryable=batch["status"] == "expired")
    if outcome.failures:
        status(f"batch {outcome.batch_id}: {len(outcome.failures)} of {outcome.sent} requests failed")
    return outcome


def _cached(client: BatchClient, key: str) -> bool:
    return client.cache is not None and client.cache.get(key) is not None


async def _upload(
    client: BatchClient, pending: dict[str, dict[str, Any]], path: Path, run_id: str, status: Status
) -> dict[str, Any]:
    """Write the JSONL input file, check it against the limits and the token budget, upload it and save
    the state (before any batch exists, so a kill after this point never uploads twice)."""
    requests: dict[str, str] = {}
    lines: list[str] = []
    estimate = 0
    for i, (key, body) in enumerate(pending.items()):
        custom_id = f"q{i + 1}"
        requests[custom_id] = key
        lines.append(json.dumps({"custom_id": custom_id, "method": "POST", "url": BATCH_URL, "body": body}))
        estimate += sum(len(m["content"]) for m in body["messages"]) // 3 + body["max_tokens"]
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    if len(lines) > MAX_BATCH_REQUESTS or len(data) > MAX_BATCH_FILE_BYTES:
        raise ConfigError(
            f"{len(lines):,} map requests ({len(data) / 1e6:,.0f} MB) do not fit one batch ({MAX_BATCH_REQUESTS:,} "
            f"requests, {MAX_BATCH_FILE_BYTES / 1e6:,.0f} MB): brief fewer articles per run"
        )
    client.meter.check(estimate)
    status(f"uploading {len(lines)} map requests for a batch ({len(data) / 1024:,.0f} KiB)")
    file_id = await client.upload_batch_file(f"briefing-{run_id}.jsonl", data)
    state = {"version": 1, "input_file_id": file_id, "batch_id": None, "requests": requests, "saved": time.time()}
    _save_state(path, state)
    return state


async def _wait(
    client: BatchClient,
    state: dict[str, Any],
    path: Path,
    poll_interval: float,
    deadline: float,
    progress: Progress | None,
    status: Status,
    clock: Callable[[], float],
    sleep: Callable[[float], Awaitable[Any]],
) -> dict[str, Any]:
    """Poll the batch until it ends; a status line whenever its status or counts change."""
    batch_id = state["batch_id"]
    started = clock()
    wait = poll_interval
    last: tuple[str, int] | None = None
    while True:
        batch = await client.retrieve_batch(batch_id)
        counts = batch.get("request_counts") or {}
        total = counts.get("total") or len(state["requests"])
        done = (counts.get("completed") or 0) + (counts.get("failed") or 0)
        if progress is not None:
            progress("batch", done, total)
        if (batch["status"], done) != last:
            last = (batch["status"], done)
            status(f"batch {batch_id}: {batch['status']}, {done}/{total} requests done")
        if batch["status"] in ENDED:
            return batch
        waited = clock() - started
        if waited >= deadline:
            raise ModelError(
                f"batch {batch_id} is still {batch['status']} after {waited:,.0f} s (the batch deadline, "
                f"--batch-deadline or BRIEFING_BATCH_DEADLINE); it goes on at the endpoint and its id is saved "
                f"in {path}: run the same command again to resume waiting",
                endpoint=client.endpoint,
                retryable=True,
            )
        await sleep(min(wait, deadline - waited))
        wait = min(wait * BATCH_POLL_GROWTH, poll_interval * BATCH_POLL_MAX_FACTOR)


async def _collect(
    client: BatchClient,
    batch: dict[str, Any],
    state: dict[str, Any],
    keyed: dict[str, tuple[Question, dict[str, Any]]],
    outcome: BatchOutcome,
) -> None:
    """Read the output and error files: answers into the cache (and `outcome.answers`), failures into
    `outcome.failures` and `outcome.warnings`, one per chunk."""
    requests: dict[str, str] = state["requests"]
    seen: set[str] = set()
    for file_id in (batch.get("output_file_id"), batch.get("error_file_id")):
        if not file_id:
            continue
        for raw in (await client.file_text(file_id)).splitlines():
            try:
                line = json.loads(raw)
                key = requests.get(line["custom_id"])
            except (ValueError, KeyError, TypeError):
                continue  # not a result line: each request is accounted for below anyway
            if key is None or key in seen or key not in keyed:
                continue
            seen.add(key)
            problem = _take(client, key, line, keyed[key][0], outcome)
            if problem is not None:
                _fail(outcome, keyed[key][0], key, problem)
    if batch["status"] == "completed":
        for key in requests.values():
            if key not in seen and key in keyed:
                _fail(outcome, keyed[key][0], key, "the batch returned no result for it")


def _take(client: BatchClient, key: str, line: dict[str, Any], question: Question, outcome: BatchOutcome) -> str | None:
    """Store one result line's answer under `key`; or say, in one line, why it has none."""
    error = line.get("error")
    response = line.get("response") or {}
    if error:
        return f"the batch did not answer it ({error.get('code') or 'error'}: {_short(error.get('message') or '')})"
    body = response.get("body") or {}
    if response.get("status_code") != 200:
        message = (body.get("error") or {}).get("message") if isinstance(body, dict) else None
        return f"the batch's request failed: HTTP {response.get('status_code')}: {_short(message or 'no message')}"
    usage = body.get("usage") or {}
    prompt, completion = usage.get("prompt_tokens") or 0, usage.get("completion_tokens") or 0
    meter = client.meter
    meter.model_calls += 1
    meter.prompt_tokens += prompt
    meter.completion_tokens += completion
    choice = (body.get("choices") or [{}])[0]
    content = (choice.get("message") or {}).get("content") or ""
    if choice.get("finish_reason") == "length":
        return "the batch's answer was cut off at the token limit"
    try:
        parse_json(content, question.response_model)
    except (ValidationError, ValueError) as exc:
        why = validation_text(exc).splitlines()[0] if isinstance(exc, ValidationError) else "not JSON"
        return f"the batch's answer is not valid {question.response_model.__name__} JSON: {why}"
    outcome.answers[key] = content
    if client.cache is not None:
        client.cache.put(
            key,
            endpoint=client.cache_identity,
            model=client.model,
            content=content,
            prompt_tokens=prompt,
            completion_tokens=completion,
        )
    return None


def _fail(outcome: BatchOutcome, question: Question, key: str, problem: str) -> None:
    outcome.failures[key] = f"{question.label}: {problem} (batch {outcome.batch_id})"
    outcome.warnings.append(
        f"{question.label} was not summarized: {problem} (batch {outcome.batch_id}); "
        "run the same command again to send it in a new batch"
    )


def _ended_badly(batch: dict[str, Any], outcome: BatchOutcome) -> str:
    """The one line for a batch that did not complete."""
    batch_id, how = batch["id"], batch["status"]
    if how == "failed":
        errors = (batch.get("errors") or {}).get("data") or [{}]
        why = _short(errors[0].get("message") or "no reason given")
        return f"batch {batch_id} failed at the endpoint: {why}; nothing was briefed (run without --batch to ask live)"
    kept = len(outcome.answers)
    what = "expired before the endpoint finished it (24 h window)" if how == "expired" else "was cancelled"
    return (
        f"batch {batch_id} {what}: nothing was briefed; {kept} of {outcome.sent} answers are kept in the "
        "response cache: run the same command again to send the rest in a new batch, or without --batch to ask live"
    )


def _load_state(path: Path) -> dict[str, Any] | None:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read the saved batch state {path}: {exc.strerror}") from None
    try:
        state = json.loads(raw)
        valid = isinstance(state["input_file_id"], str) and isinstance(state["requests"], dict)
    except (ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise ConfigError(
            f"the saved batch state {path} is damaged: delete it to send a new batch (a batch it named may still "
            "be running at the endpoint)"
        )
    return state


def _save_state(path: Path, state: dict[str, Any]) -> None:
    """Write the state file whole or not at all (temp file, fsync, rename)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigError(
            f"cannot save the batch state in {path.parent}: {exc.strerror}; without it a killed run could not "
            "resume its batch (check --cache-dir)"
        ) from None


def _forget(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # a stale state file names an ended batch: the next run reads its results again, no new batch


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class BatchAnswered(ClientWrapper):
    """The client for the rest of a `--batch` run: the batch's answers, its failures as `ModelError`, and
    every other question (the reduce phase) asked of `inner` as usual."""

    inner: BatchClient

    def __init__(self, inner: BatchClient, outcome: BatchOutcome) -> None:
        super().__init__(inner)
        self.outcome = outcome

    async def structured(self, messages: Messages, response_model: type[T], *, max_tokens: int = 1024) -> T:
        _, key = self.inner.request(messages, response_model, max_tokens)
        if key in self.outcome.failures:
            raise ModelError(self.outcome.failures[key], endpoint=self.inner.endpoint)
        answer = self.outcome.answers.get(key)
        if answer is not None:
            return parse_json(answer, response_model)
        return await self.inner.structured(messages, response_model, max_tokens=max_tokens)


__all__ = ["BatchAnswered", "BatchClient", "BatchOutcome", "Question", "send_batch"]
