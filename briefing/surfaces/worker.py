"""The `Briefer`: runs briefing jobs off the serving event loop, for the HTTP service and the Slack app.

The HTTP service and the Slack app answer requests on one event loop (uvicorn's, or Socket Mode's);
a briefing takes seconds of CPU (loading, chunking, grounding) between minutes of model calls. The
`Briefer` owns a second event loop in a worker thread, opens one model client there (`open_model`,
or any async context manager a test passes), and runs every job on it, so acknowledgements, health
checks and other requests are never held up by a briefing in progress.

    async with Briefer(settings) as briefer:          # from any event loop
        briefing = await briefer.brief(["articles/"])
        run = await briefer.daily("2024-05-01")        # the same day never runs twice at once

Bounded work: at most `max_jobs` jobs run at once and `settings.max_queued_jobs` more wait; one more is
refused at once with `Busy` (HTTP 429 with Retry-After). Every job has a deadline
(`settings.job_deadline`, the queue wait included): past it the job is cancelled and its caller gets
`DeadlineExceeded` (504). Cancelling the caller (a client that went away) cancels the job on the worker,
so its remaining model calls never run. `shutdown()` (from a signal handler) refuses new jobs and
cancels the running and queued ones; their callers get `ShuttingDown` (503).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import AbstractAsyncContextManager, AsyncExitStack, contextmanager, nullcontext
from pathlib import Path
from typing import TypeVar

from ..api import agenerate_briefing, open_model
from ..config import Settings
from ..errors import BriefingError, Busy, DeadlineExceeded, ShuttingDown
from ..model import ModelClient
from ..models import Briefing
from .daily import DailyRun, arun_daily, parse_date

T = TypeVar("T")
ClientFactory = Callable[[Settings], AbstractAsyncContextManager[ModelClient]]
log = logging.getLogger("briefing.serving")

MAX_RUNNING_JOBS = 2
"""Jobs that run at once on the worker (each with its own model-call concurrency)."""
BUSY_RETRY_AFTER_SECONDS = 30
"""What a refused caller is told to wait (HTTP Retry-After) when the queue is full."""
SHUTTING_DOWN = "the service is shutting down and stopped this briefing: send it again once the service is back"


class Briefer:
    """Runs briefing jobs on its own event loop thread with one shared model client."""

    def __init__(
        self, settings: Settings, *, client_factory: ClientFactory = open_model, max_jobs: int = MAX_RUNNING_JOBS
    ) -> None:
        self.settings = settings
        self._factory = client_factory
        self._max_jobs = max_jobs
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._client: ModelClient | None = None
        self._stack: AsyncExitStack | None = None
        self._start_lock = threading.Lock()
        self._ready: Future[None] | None = None
        self._pending = 0  # jobs admitted and not finished (running or queued), guarded by _count_lock
        self._count_lock = threading.Lock()
        self._closing = False
        # created on the worker loop, used only there
        self._jobs: asyncio.Semaphore | None = None
        self._days: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task] = set()

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> Briefer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def start(self) -> None:
        """Start the worker thread and open the model client on it (idempotent, safe to call concurrently)."""
        with self._start_lock:
            if self._ready is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="briefing-worker", daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
                self._ready = asyncio.run_coroutine_threadsafe(self._open(), loop)
            ready = self._ready
        try:
            await asyncio.shield(asyncio.wrap_future(ready))
        except asyncio.CancelledError:
            raise
        except BaseException:
            with self._start_lock:
                failed = self._ready is ready
                if failed:  # let a later call try again
                    self._ready = None
            if failed:
                await self._stop_thread()
            raise

    async def _open(self) -> None:
        self._jobs = asyncio.Semaphore(self._max_jobs)
        self._stack = AsyncExitStack()
        self._client = await self._stack.enter_async_context(self._factory(self.settings))

    async def aclose(self) -> None:
        """Close the model client (stopping the embedded model) and the worker thread."""
        if self._loop is None:
            return
        self._ready = None
        self._closing = True
        try:
            await self._close()
        finally:
            self._closing = False

    async def _close(self) -> None:
        await self._on_worker(self._cancel_jobs())
        if self._stack is not None:
            try:
                await self._on_worker(self._stack.aclose())
            except Exception:  # closing must not hide the reason we are shutting down
                log.exception("closing the model client failed")
            self._stack = None
        await self._stop_thread()

    @staticmethod
    async def _cancel_jobs() -> None:
        """Cancel the jobs still running on the worker loop (their callers see CancelledError)."""
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def shutdown(self) -> None:
        """Refuse new jobs and cancel the running and queued ones (their callers get `ShuttingDown`).

        Safe from any thread and from a signal handler (it takes no lock); `aclose()` still closes the
        model client afterwards."""
        self._closing = True
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._cancel_tasks)

    def _cancel_tasks(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    @property
    def pending(self) -> int:
        """Jobs admitted and not yet finished: running plus queued."""
        return self._pending

    async def _stop_thread(self) -> None:
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        await asyncio.to_thread(thread.join, 10)
        if not thread.is_alive():
            loop.close()

    # ------------------------------------------------------------------ jobs

    async def _on_worker(self, coro: Awaitable[T]) -> T:
        """Await `coro` on the worker loop from the caller's loop (cancelling one cancels the other)."""
        if self._loop is None:
            if asyncio.iscoroutine(coro):
                coro.close()
            raise BriefingError("the briefing worker has been shut down; restart the service")
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self._loop)  # type: ignore[arg-type]
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            caller = asyncio.current_task()
            if self._closing and caller is not None and not caller.cancelling():
                raise ShuttingDown(SHUTTING_DOWN) from None  # the job was stopped, not its caller
            raise

    @contextmanager
    def _admitted(self) -> Iterator[None]:
        """Count a job in for its whole life, or refuse it at once when the queue is full."""
        with self._count_lock:
            if self._closing:
                raise ShuttingDown(SHUTTING_DOWN)
            limit = self._max_jobs + self.settings.max_queued_jobs
            if self._pending >= limit:
                raise Busy(
                    f"the service is busy: {limit} briefings are already running or waiting; "
                    f"try again in {BUSY_RETRY_AFTER_SECONDS} s",
                    retry_after=BUSY_RETRY_AFTER_SECONDS,
                )
            self._pending += 1
        try:
            yield
        finally:
            with self._count_lock:
                self._pending -= 1

    async def run(self, job: Callable[[ModelClient], Awaitable[T]]) -> T:
        """Run `job(client)` on the worker loop, at most `max_jobs` at a time and within the deadline;
        starts the worker if needed. Raises `Busy` when the queue is full."""
        with self._admitted():
            await self.start()
            return await self._on_worker(self._job(job))

    async def _job(self, job: Callable[[ModelClient], Awaitable[T]], day: str | None = None) -> T:
        """On the worker: wait for a slot (and for the same day's run, if any), run, all within the deadline."""
        task = asyncio.current_task()
        assert task is not None and self._jobs is not None and self._client is not None
        if self._closing:  # shutdown() ran before this job reached the worker
            raise ShuttingDown(SHUTTING_DOWN)
        self._tasks.add(task)
        deadline = asyncio.timeout(self.settings.job_deadline)
        try:
            async with deadline:
                async with self._days.setdefault(day, asyncio.Lock()) if day else nullcontext():
                    async with self._jobs:
                        return await job(self._client)
        except TimeoutError:
            if not deadline.expired():
                raise
            raise DeadlineExceeded(
                f"the briefing did not finish within {self.settings.job_deadline:g} s and was stopped: send fewer "
                "articles at a time, or raise BRIEFING_JOB_DEADLINE on the server"
            ) from None
        finally:
            self._tasks.discard(task)

    async def brief(
        self,
        paths: Sequence[str | Path] = (),
        *,
        articles: Sequence[tuple[str, str]] = (),
        title: str | None = None,
        date: str | None = None,
    ) -> Briefing:
        """`agenerate_briefing` on the worker with the shared client."""
        return await self.run(
            lambda client: agenerate_briefing(
                list(paths), articles=list(articles), settings=self.settings, client=client, title=title, date=date
            )
        )

    async def daily(self, day: str | None = None) -> DailyRun:
        """`arun_daily` for `day` over the settings' folders; concurrent calls for one day run it once each,
        in turn (the second is answered from the response cache)."""
        day = parse_date(day)
        with self._admitted():
            await self.start()
            return await self._on_worker(
                self._job(lambda client: arun_daily(self.settings, day=day, client=client), day=day)
            )
