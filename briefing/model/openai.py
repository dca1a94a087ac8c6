"""Any OpenAI-compatible endpoint through the async openai SDK: the only module that imports `openai`.

Underneath one call: the SDK with its own retries off, tenacity for transient failures (429 honouring
Retry-After, 5xx, timeouts, dropped connections), one re-ask with the validation error when the answer
is not valid JSON for the schema or was cut off, the SQLite response cache, and usage accounting with an
optional token budget (`UsageMeter`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import openai
from pydantic import ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from ..errors import ModelError
from . import Messages, T, UsageMeter, parse_json, validation_text
from .cache import ResponseCache, cache_key

TEMPERATURE = 0.0
SEED = 1
MAX_RETRY_AFTER = 60.0

ALLOW_MODEL_REQUESTS = True
"""False makes every request to an endpoint fail at once, before any connection (or embedded model
start). The test suite sets it for every unit test: tests use `FakeModel`, or opt in to a cassette or
the loopback stub explicitly (as pydantic-ai's `ALLOW_MODEL_REQUESTS`)."""


def _check_allowed(endpoint: str) -> None:
    if not ALLOW_MODEL_REQUESTS:
        raise RuntimeError(
            f"model request to {endpoint} refused: briefing.model.openai.ALLOW_MODEL_REQUESTS is False "
            "(a unit test must use FakeModel, or be marked `model_requests`)"
        )


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError)):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code >= 500 or exc.status_code in (408, 409, 429)
    return False


def _retry_after(exc: BaseException | None) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    for name in ("retry-after-ms", "retry-after"):
        value = headers.get(name)
        if value:
            try:
                seconds = float(value) / (1000 if name.endswith("ms") else 1)
            except ValueError:
                continue
            return max(0.0, min(seconds, MAX_RETRY_AFTER))
    return None


class _Wait:
    """Retry-After when the server gives one, else exponential backoff with jitter and a cap."""

    def __init__(self, initial: float, cap: float) -> None:
        self._backoff = wait_exponential_jitter(multiplier=initial, max=cap, jitter=initial)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hinted = _retry_after(exc)
        return hinted if hinted is not None else self._backoff(state)


class OpenAIModel:
    """Any OpenAI-compatible endpoint through the async openai SDK."""

    def __init__(
        self,
        *,
        base_url: str | None,
        api_key: str | None,
        model: str,
        cache: ResponseCache | None = None,
        cache_identity: str | None = None,
        meter: UsageMeter | None = None,
        timeout: float = 600.0,
        max_attempts: int = 4,
        backoff_initial: float = 1.0,
        backoff_cap: float = 30.0,
        starter: Callable[[], Awaitable[str]] | None = None,
        trust_env: bool = True,
        schema_in_json_mode: bool = False,
    ) -> None:
        """`starter`, when given, is awaited on the first call that misses the cache and returns the base
        URL to use (the embedded model starts only when an answer is really needed)."""
        self.model = model
        self.endpoint = base_url or ("embedded" if starter else "https://api.openai.com/v1")
        self.cache = cache
        self.cache_identity = cache_identity or self.endpoint
        self.meter = meter or UsageMeter()
        self.max_attempts = max_attempts
        self._wait = _Wait(backoff_initial, backoff_cap)
        self._starter = starter
        self._api_key = api_key or "no-key"
        self._timeout = timeout
        self._client: openai.AsyncOpenAI | None = None
        # The embedded model is on loopback: proxy variables (honoured by the SDK's HTTP client) must not
        # send 127.0.0.1 through a proxy.
        self._trust_env = trust_env
        # llama.cpp's server accepts {"type": "json_object", "schema": ...} and constrains the output to
        # the schema: compact JSON, about half the tokens (measured). Other servers get plain JSON mode.
        self._schema_in_json_mode = schema_in_json_mode
        self._start_lock = asyncio.Lock()

    async def _connect(self) -> openai.AsyncOpenAI:
        async with self._start_lock:
            if self._client is None:
                if self._starter is not None:
                    self.endpoint = await self._starter()
                # The SDK's own retries stay off: tenacity owns them, so they never stack.
                http_client = None if self._trust_env else openai.DefaultAsyncHttpxClient(trust_env=False)
                self._client = openai.AsyncOpenAI(
                    base_url=self.endpoint,
                    api_key=self._api_key,
                    max_retries=0,
                    timeout=self._timeout,
                    http_client=http_client,
                )
            return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()

    def _body(self, messages: Messages, max_tokens: int, schema: dict[str, Any] | None = None) -> dict[str, Any]:
        response_format: dict[str, Any] = {"type": "json_object"}
        if schema is not None and self._schema_in_json_mode:
            response_format["schema"] = schema
        return {
            "model": self.model,
            "messages": messages,
            "temperature": TEMPERATURE,
            "seed": SEED,
            "max_tokens": max_tokens,
            "response_format": response_format,
        }

    async def structured(self, messages: Messages, response_model: type[T], *, max_tokens: int = 1024) -> T:
        schema = response_model.model_json_schema()
        body = self._body(messages, max_tokens, schema)
        key = cache_key(self.cache_identity, self.model, body)
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                try:
                    result = parse_json(hit, response_model)
                except ValidationError:
                    pass  # a schema change since it was stored: ask again
                else:
                    self.meter.cached_calls += 1
                    return result

        conversation = list(messages)
        last_problem = ""
        for ask in range(2):  # the question, then one re-ask carrying the validation error
            content, finish = await self._complete(self._body(conversation, max_tokens, schema))
            try:
                if finish == "length":
                    raise ValueError("the answer was cut off at the token limit")
                result = parse_json(content, response_model)
            except (ValidationError, ValueError) as exc:
                last_problem = validation_text(exc) if isinstance(exc, ValidationError) else str(exc)
                if ask == 0:
                    self.meter.retries += 1
                    conversation = [
                        *messages,
                        {"role": "assistant", "content": content[:4000]},
                        {
                            "role": "user",
                            "content": "That answer was not valid:\n"
                            f"{last_problem}\n"
                            "Reply again with only one JSON object in the required layout. Keep it shorter.",
                        },
                    ]
                continue
            if self.cache is not None:
                self.cache.put(key, endpoint=self.cache_identity, model=self.model, content=content)
            return result
        raise ModelError(
            f"the model at {self.endpoint} did not return valid {response_model.__name__} JSON "
            f"after a re-ask: {last_problem.splitlines()[0] if last_problem else 'unknown problem'}",
            endpoint=self.endpoint,
        )

    async def _complete(self, body: dict[str, Any]) -> tuple[str, str | None]:
        """One logical call with tenacity retries for transient failures. Returns (content, finish_reason)."""
        prompt_estimate = sum(len(m["content"]) for m in body["messages"]) // 3
        self.meter.check(prompt_estimate + body["max_tokens"])
        _check_allowed(self.endpoint)
        client = await self._connect()
        retrying = AsyncRetrying(
            retry=retry_if_exception(_transient),
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            reraise=True,
            before_sleep=lambda _state: self._count_retry(),
        )
        try:
            async for attempt in retrying:
                with attempt:
                    response = await client.chat.completions.create(**body)
        except openai.AuthenticationError as exc:
            raise ModelError(
                f"{self.endpoint} refused the API key (401): check OPENAI_API_KEY or --api-key",
                status=401,
                endpoint=self.endpoint,
            ) from exc
        except openai.NotFoundError as exc:
            raise ModelError(
                f"{self.endpoint} answered 404 for model {self.model!r}: check --model / BRIEFING_MODEL "
                "and the base URL (it usually ends in /v1)",
                status=404,
                endpoint=self.endpoint,
            ) from exc
        except openai.APIStatusError as exc:
            raise ModelError(
                f"model call to {self.endpoint} failed after {self.max_attempts} attempt(s): "
                f"HTTP {exc.status_code}: {_short(exc.message)}",
                status=exc.status_code,
                endpoint=self.endpoint,
                retryable=_transient(exc),
            ) from exc
        except (openai.APIConnectionError, openai.APITimeoutError) as exc:
            cause = str(exc) or type(exc).__name__
            if exc.__cause__ is not None and str(exc.__cause__):
                cause += f" ({exc.__cause__})"
            raise ModelError(
                f"cannot reach the model at {self.endpoint} after {self.max_attempts} attempt(s): {_short(cause)}",
                endpoint=self.endpoint,
                retryable=True,
            ) from exc
        self.meter.model_calls += 1
        if response.usage is not None:
            self.meter.prompt_tokens += response.usage.prompt_tokens or 0
            self.meter.completion_tokens += response.usage.completion_tokens or 0
        if not response.choices:
            return "", "empty"
        choice = response.choices[0]
        return choice.message.content or "", choice.finish_reason

    def _count_retry(self) -> None:
        self.meter.retries += 1


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def first_model(base_url: str, api_key: str | None, timeout: float = 30.0) -> str:
    """The first model a server lists (for a base URL given without a model name)."""
    _check_allowed(base_url)
    client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key or "no-key", max_retries=0, timeout=timeout)
    try:
        page = await client.models.list()
        ids = [m.id for m in page.data]
    except openai.APIError as exc:
        raise ModelError(
            f"no model given and {base_url} did not list its models ({_short(str(exc))}): set --model or BRIEFING_MODEL",
            status=getattr(exc, "status_code", None),
            endpoint=base_url,
        ) from exc
    finally:
        await client.close()
    if not ids:
        raise ModelError(f"{base_url} lists no models: set --model or BRIEFING_MODEL", endpoint=base_url)
    return ids[0]
