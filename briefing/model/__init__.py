"""The model layer: one narrow call, `structured(messages, ResponseModel) -> ResponseModel`.

Stages depend only on this package's `__init__`: the `ModelClient` protocol, the `UsageMeter` and
`parse_json`. The adapters live beside it and are imported only by `api` and the edges:

* `openai.py` - any OpenAI-compatible endpoint through the async openai SDK (the only openai importer),
  tenacity retries, one re-ask on invalid JSON, the response cache, usage accounting;
* `cache.py`  - the SQLite response cache;
* `batch.py`  - the map phase through the OpenAI Batch API (`--batch`): upload, poll, answers into the cache,
                resumable from a saved batch id;
* `local.py`  - the embedded model (assemble, verify, serve llama.cpp on loopback);
* `fake.py`   - `FakeModel`, the documented test double.
* `stub.py`   - `StubServer`, an OpenAI-compatible server on loopback with latency and fault injection,
                for tests and benchmarks (nothing in the product imports it).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import BudgetExceeded
from ..models import Usage

T = TypeVar("T", bound=BaseModel)
Messages = list[dict[str, str]]


_COUNTS = frozenset({"model_calls", "cached_calls", "retries", "prompt_tokens", "completion_tokens"})
_RUN: ContextVar[UsageMeter | None] = ContextVar("briefing_run_meter", default=None)


@dataclass
class UsageMeter:
    """Counts live and cached calls and tokens; enforces the optional token budget.

    A client's meter counts everything it ever did. Inside `metered_run()` every count added to any meter
    is also added to that run's own meter (in the same task and the tasks it starts), and `check` holds the
    run to the run's budget: a service sharing one client among requests budgets each request on its
    own, so one request that spends its budget leaves the next one untouched."""

    budget: int | None = None
    model_calls: int = 0
    cached_calls: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    started: float = field(default_factory=time.monotonic)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _COUNTS:
            run = _RUN.get()
            if run is not None and run is not self:
                object.__setattr__(run, name, getattr(run, name) + value - getattr(self, name, 0))
        object.__setattr__(self, name, value)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def check(self, upcoming: int) -> None:
        """Refuse a call that could take the run past its budget (prompt estimate + max completion): this
        meter's own budget, and the budget of the run being metered, if any."""
        run = _RUN.get()
        for meter in (self, run) if run is not None and run is not self else (self,):
            meter._check_own(upcoming)

    def _check_own(self, upcoming: int) -> None:
        if self.budget is not None and self.total_tokens + upcoming > self.budget:
            raise BudgetExceeded(
                f"token budget of {self.budget:,} would be exceeded ({self.total_tokens:,} used, next call "
                f"needs up to {upcoming:,}); raise --max-tokens-budget or brief fewer articles",
                budget=self.budget,
                used=self.total_tokens,
            )

    def snapshot(self) -> Usage:
        return self.usage("", "")

    def usage(self, model: str, endpoint: str, since: Usage | None = None, started: float | None = None) -> Usage:
        """Counts so far, or since an earlier `snapshot()` (a client shared by several runs)."""
        base = since or Usage()
        return Usage(
            model=model,
            endpoint=endpoint,
            model_calls=self.model_calls - base.model_calls,
            cached_calls=self.cached_calls - base.cached_calls,
            retries=self.retries - base.retries,
            prompt_tokens=self.prompt_tokens - base.prompt_tokens,
            completion_tokens=self.completion_tokens - base.completion_tokens,
            seconds=round(time.monotonic() - (started if started is not None else self.started), 2),
        )


class ModelClient(Protocol):
    """What the pipeline needs from a model."""

    model: str
    endpoint: str
    meter: UsageMeter

    async def structured(self, messages: Messages, response_model: type[T], *, max_tokens: int = 1024) -> T: ...


class ClientWrapper:
    """A `ModelClient` around another (`inner`) that answers `model`, `endpoint`, `meter` and `cache` from it;
    a subclass adds its own `structured` (the batch run's answers; the benchmark's call recorder)."""

    def __init__(self, inner: Any = None) -> None:
        self.inner = inner

    @property
    def model(self) -> str:
        return self.inner.model

    @property
    def endpoint(self) -> str:
        return self.inner.endpoint

    @property
    def meter(self) -> UsageMeter:
        return self.inner.meter

    @property
    def cache(self) -> Any:
        return getattr(self.inner, "cache", None)


@contextmanager
def metered_run(budget: int | None = None) -> Iterator[UsageMeter]:
    """Meter one run: the model calls made inside (by any client, in this task and the tasks it starts) are
    counted in the meter yielded, and held to `budget` tokens."""
    meter = UsageMeter(budget=budget)
    token = _RUN.set(meter)
    try:
        yield meter
    finally:
        _RUN.reset(token)


_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


def parse_json(content: str, response_model: type[T]) -> T:
    """Validate a model's text as `response_model`; tolerate a ```json fence around it."""
    text = content.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    return response_model.model_validate_json(text)


def validation_text(exc: ValidationError) -> str:
    """The first problems of a validation error, one line each (what a re-ask tells the model)."""
    parts = []
    for err in exc.errors()[:8]:
        where = ".".join(str(x) for x in err["loc"]) or "(top level)"
        parts.append(f"- {where}: {err['msg']}")
    return "\n".join(parts)


__all__ = ["ClientWrapper", "Messages", "ModelClient", "UsageMeter", "metered_run", "parse_json", "validation_text"]
