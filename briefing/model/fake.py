"""`FakeModel`: a scripted `ModelClient` for tests, part of the public API.

    model = FakeModel().enqueue(ChunkNotes(...), {"key_points": [...]})
    briefing = await agenerate_briefing(["a.txt"], client=model)
    messages, response_model = model.history[0]

Answers are served in order (pydantic models, dicts, raw JSON strings, or exceptions to raise); with
`default=` an empty queue answers with it (a value, or a callable of `(messages, response_model)`; an
async callable is awaited outside the model's lock, so a test can hold calls open and cancel them).
It never opens a connection, so it is what unit tests use.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import ModelError
from . import Messages, T, UsageMeter, parse_json, validation_text


class FakeModel:
    """A scripted model for unit tests: `enqueue()` answers (models, dicts or raw strings), read `history`.

    With `default` set, an empty queue answers with it instead of failing.
    """

    def __init__(self, *answers: Any, default: Any = None, model: str = "fake") -> None:
        self.model = model
        self.endpoint = "fake://"
        self.meter = UsageMeter()
        self.history: list[tuple[Messages, type[BaseModel]]] = []
        self._queue: list[Any] = list(answers)
        self._default = default
        self._lock = asyncio.Lock()

    def enqueue(self, *answers: Any) -> FakeModel:
        self._queue.extend(answers)
        return self

    async def structured(self, messages: Messages, response_model: type[T], *, max_tokens: int = 1024) -> T:
        async with self._lock:
            self.history.append((messages, response_model))
            if self._queue:
                answer = self._queue.pop(0)
            elif self._default is not None:
                answer = self._default(messages, response_model) if callable(self._default) else self._default
            else:
                raise ModelError(f"FakeModel has no answer queued for call {len(self.history)}")
        if inspect.isawaitable(answer):
            answer = await answer
        self.meter.model_calls += 1
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, BaseModel):
            answer = answer.model_dump()
        text = answer if isinstance(answer, str) else json.dumps(answer)
        self.meter.prompt_tokens += sum(len(m["content"]) for m in messages) // 4
        self.meter.completion_tokens += len(text) // 4
        try:
            return parse_json(text, response_model)
        except ValidationError as exc:
            raise ModelError(
                f"FakeModel answer is not a valid {response_model.__name__}: {validation_text(exc)}"
            ) from exc
