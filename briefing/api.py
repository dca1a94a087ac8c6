"""The service function every surface calls: `generate_briefing` (sync) and `agenerate_briefing` (async).

It loads the sources, opens the model endpoint the settings name (starting the embedded model only
when an answer is not in the cache), runs the pipeline and returns a `Briefing`. No printing, no
global state, no environment reads: pass `Settings` (built by the edges with `Settings.from_env()`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import date
from pathlib import Path

from .config import DEFAULT_OPENAI_MODEL, LOCAL_MODEL_ALIAS, Settings
from .errors import ConfigError
from .fetch import fetch_inputs
from .model import ModelClient, UsageMeter, metered_run
from .model.batch import STATE_DIR, BatchAnswered, send_batch
from .model.cache import ResponseCache
from .model.openai import OpenAIModel, first_model
from .models import Briefing
from .pipeline import Progress, map_questions, run_pipeline
from .sources import Loaded, load_sources, source_from_text

Status = Callable[[str], None]
CACHE_FILE = "responses.sqlite3"

LIST_TIMEOUT = 30.0
"""Seconds to wait, at most, for a server to list its models (a base URL given without a model name)."""


@asynccontextmanager
async def open_model(
    settings: Settings, *, on_status: Status | None = None, progress: Progress | None = None
) -> AsyncIterator[ModelClient]:
    """A model client for the endpoint `settings` names; cleans up (stops the embedded model) on exit."""
    async with AsyncExitStack() as stack:
        cache = None
        if settings.use_cache:  # a cache that cannot be used turns itself off: the run goes on (see `_warnings`)
            cache = ResponseCache(settings.cache_dir / CACHE_FILE, max_bytes=settings.cache_max_mb * 1024 * 1024)
        if cache is not None:
            stack.callback(cache.close)
        meter = UsageMeter()  # no budget here: the budget is per run (`agenerate_briefing`), not per client
        common = dict(
            cache=cache,
            meter=meter,
            timeout=settings.request_timeout,
            max_attempts=settings.max_attempts,
            backoff_initial=settings.retry_wait,
        )
        kind = settings.endpoint_kind
        if kind == "local":
            starter, identity, stop = _embedded_starter(settings, on_status, progress)
            stack.callback(stop)
            client = OpenAIModel(
                base_url=None,
                api_key="local",
                model=LOCAL_MODEL_ALIAS,
                starter=starter,
                cache_identity=identity,
                trust_env=False,
                schema_in_json_mode=True,
                **common,
            )
        else:
            model = settings.model
            if kind == "openai":
                model = model or DEFAULT_OPENAI_MODEL
            elif model is None:
                model = await first_model(
                    settings.base_url or "", settings.api_key, timeout=min(settings.request_timeout, LIST_TIMEOUT)
                )
            client = OpenAIModel(
                base_url=settings.base_url,
                api_key=settings.api_key,
                model=model,
                schema_in_json_mode=settings.schema_hint,
                **common,
            )
        stack.push_async_callback(client.aclose)
        yield client


def _embedded_starter(settings: Settings, on_status: Status | None, progress: Progress | None):
    """(starter, cache identity, stop) for the embedded model: assembled and started on first need."""
    from .model import local  # the `local` extra is optional: import only when the embedded model is wanted

    if settings.local_model_path:
        identity = f"embedded:{settings.local_model_path.name}:{_size(settings.local_model_path)}"
    else:
        identity = f"embedded:{local.MODEL_FILENAME}:{local.EXPECTED_SIZE}"
    servers: list[local.LocalServer] = []

    def assemble_progress(done: int, total: int) -> None:
        if progress:
            progress("model", done, total)

    async def start() -> str:
        if on_status:
            on_status("preparing the embedded model")
        path = await asyncio.to_thread(
            local.ensure_model, settings.cache_dir, settings.local_model_path, assemble_progress
        )
        server = local.LocalServer(
            path, threads=settings.local_threads, log_dir=settings.cache_dir / "logs", on_status=on_status
        )
        servers.append(server)
        await asyncio.to_thread(server.start)
        return server.base_url

    def stop() -> None:
        for server in servers:
            server.stop()

    return start, identity, stop


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


ENDPOINT_LABELS = {"openai": "openai", "custom": "custom endpoint", "local": "embedded"}
"""What a briefing records as its endpoint: the kind, never the address (a base URL says where a server's
model runs, and briefings are shared)."""


def endpoint_label(endpoint: str, kind: str) -> str:
    """The endpoint as a briefing shows it: a URL becomes its kind (`ENDPOINT_LABELS`); names such as
    "embedded" or "fake" stay as they are."""
    if "://" not in endpoint:
        return endpoint
    return ENDPOINT_LABELS.get(kind, "custom endpoint")


def load_inputs(
    paths: Iterable[str | Path] = (), articles: Sequence[tuple[str, str]] = (), *, root: str | Path | None = None
) -> Loaded:
    """Files and folders, plus inline (name, text) articles, as one `Loaded` (see `load_sources` for `root`).
    Two articles under one name are both kept (the second renamed); the same text twice is briefed once."""
    loaded = load_sources(list(paths), root=root) if paths else Loaded()
    for name, text in articles:
        loaded.add(source_from_text(name, text))
    return loaded


async def agenerate_briefing(
    paths: Iterable[str | Path] = (),
    *,
    articles: Sequence[tuple[str, str]] = (),
    settings: Settings | None = None,
    client: ModelClient | None = None,
    title: str | None = None,
    date: str | None = None,
    progress: Progress | None = None,
    on_status: Status | None = None,
    root: str | Path | None = None,
    urls: Sequence[str] = (),
    feeds: Sequence[str] = (),
    feed_window: tuple[date, date] | None = None,
) -> Briefing:
    """Brief the articles under `paths` (files or folders) and/or inline `(name, text)` articles, plus the
    web pages at `urls` and the entries of the RSS/Atom `feeds` (those dated inside `feed_window`, when
    given), fetched as `fetch.fetch_inputs` says; a page that cannot be fetched is listed as skipped.

    `client` overrides the endpoint in `settings` (tests pass a `FakeModel`; long-running services
    pass one they keep open). `settings.max_tokens_budget` holds this run alone, whatever else the client
    has done or is doing. `root`, the articles folder, confines reading to it and makes every path in the
    briefing relative to it. Raises `BriefingError` subclasses; never prints.
    """
    settings = settings or Settings()
    if settings.batch:
        settings.validated()  # --batch with the embedded model: one clear line, before anything starts
    loaded = load_inputs(paths, articles, root=root)
    fetched = await fetch_inputs(urls, feeds, settings=settings, window=feed_window)
    for result in fetched.results:
        loaded.add(result)
    options = dict(
        chunk_tokens=settings.chunk_tokens,
        chunk_overlap=settings.chunk_overlap,
        title=title,
        date=date,
        progress=progress,
    )
    started = time.monotonic()
    async with AsyncExitStack() as stack:
        if client is None:
            client = await stack.enter_async_context(open_model(settings, on_status=on_status, progress=progress))
        batch_warnings: list[str] = []
        with metered_run(settings.max_tokens_budget) as run:  # this run's own counts and budget
            if settings.batch:
                client, batch_warnings = await _through_batch(client, loaded, settings, progress, on_status)
            briefing = await run_pipeline(loaded, client, concurrency=settings.effective_concurrency, **options)
        usage = run.usage(client.model, endpoint_label(client.endpoint, settings.endpoint_kind), started=started)
        warnings = [*fetched.warnings, *briefing.warnings, *batch_warnings, *_warnings(client)]
        return briefing.model_copy(update={"usage": usage, "warnings": warnings})


async def _through_batch(
    client: ModelClient, loaded: Loaded, settings: Settings, progress: Progress | None, on_status: Status | None
) -> tuple[ModelClient, list[str]]:
    """`--batch`: the map phase's questions answered through the Batch API into the response cache (see
    `model.batch`); the client that then serves them, and the batch's per-chunk warnings."""
    if not isinstance(client, OpenAIModel):
        raise ConfigError("--batch needs an OpenAI-compatible endpoint with the Batch API; this client has none")
    questions = map_questions(loaded, chunk_tokens=settings.chunk_tokens, chunk_overlap=settings.chunk_overlap)
    outcome = await send_batch(
        client,
        questions,
        state_dir=settings.cache_dir / STATE_DIR,
        poll_interval=settings.batch_poll_interval,
        deadline=settings.batch_deadline,
        progress=progress,
        on_status=on_status,
    )
    return BatchAnswered(client, outcome), outcome.warnings


def _warnings(client: ModelClient) -> list[str]:
    """What the reader of a briefing should know about how the run went: a response cache that turned
    itself off (corrupt, full disk, locked, unwritable) is one warning, and the run went on without it."""
    cache = getattr(client, "cache", None)
    if isinstance(cache, ResponseCache) and cache.problem:
        return [cache.problem]
    return []


def generate_briefing(paths: Iterable[str | Path] = (), **options) -> Briefing:
    """Synchronous twin of `agenerate_briefing` (same arguments). Not for use inside a running event loop."""
    return asyncio.run(agenerate_briefing(paths, **options))


__all__ = ["agenerate_briefing", "endpoint_label", "generate_briefing", "load_inputs", "open_model"]
