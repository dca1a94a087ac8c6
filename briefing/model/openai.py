"""Any OpenAI-compatible endpoint through the async openai SDK: the only module that imports `openai`.

Underneath one call: the SDK with its own retries off, tenacity for transient failures (429 honouring
Retry-After, 5xx, timeouts, dropped connections), one re-ask with the validation error when the answer
is not valid JSON for the schema, was cut off or refused, the SQLite response cache, and usage accounting
with an optional token budget (`UsageMeter`).

Every HTTP request is bounded: a total deadline (`timeout`, from connecting to the last byte, so a server
dripping a byte a second cannot hold it past the deadline), a response size cap (`MAX_RESPONSE_BYTES`,
counted while reading), and a circuit breaker (`CircuitBreaker`) that takes an endpoint nobody can connect
to for dead after `BREAKER_THRESHOLD` attempts in a row, so the rest of the run fails at once instead of
retrying every batch.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import cache
from typing import Any

import openai
from pydantic import BaseModel, ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from ..config import DEFAULT_TIMEOUT
from ..errors import ModelError
from . import Messages, T, UsageMeter, parse_json, validation_text
from .cache import ResponseCache, cache_key

try:  # the HTTP library under the SDK: httpx2 since openai 3, httpx before
    import httpx2 as _http
except ImportError:  # pragma: no cover - openai 2.x
    import httpx as _http  # type: ignore[no-redef]

TEMPERATURE = 0.0
SEED = 1
MAX_RETRY_AFTER = 60.0

MAX_RESPONSE_BYTES = 1 << 20
"""An answer larger than this (1 MiB) is refused while it is read, and the request retried: the largest
answer the pipeline asks for is 1,200 tokens, about 5 KB of JSON."""

BREAKER_THRESHOLD = 3
"""Attempts in a row that could not connect at all (refused, unresolvable host, connect timeout) before
the endpoint is taken for dead. An answer of any kind, even an error status, resets the count; dropped
connections, timeouts after connecting and bad answers do not count."""

BREAKER_COOLDOWN = 30.0
"""Seconds a tripped breaker fails every call at once; then one call may probe the endpoint again (a
long-running service recovers when its endpoint comes back)."""

BATCH_FILE_MAX_BYTES = 512 << 20
"""The Batch API's files (the upload and the output and error files read back) may be this large (512 MiB):
OpenAI takes input files up to 200 MB, and a chat answer's line in the output file is a few KB."""

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


class DeadlineExceeded(Exception):
    """One HTTP request took longer than its total deadline (retried like a timeout)."""


class ResponseTooLarge(Exception):
    """The endpoint's answer is larger than the cap (retried: a proxy or server hiccup, or it fails for good)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the answer is larger than {limit:,} bytes")
        self.limit = limit


class CircuitBreaker:
    """Takes an endpoint for dead after `threshold` attempts in a row that could not connect; while open
    (`cooldown` seconds) `check` fails every call at once with one clear line. Then one call may probe:
    its success closes the breaker, its failure opens it again."""

    def __init__(
        self,
        threshold: int = BREAKER_THRESHOLD,
        cooldown: float = BREAKER_COOLDOWN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self._clock = clock
        self.failures = 0
        self.last_cause = ""
        self._opened_at: float | None = None

    def check(self, endpoint: str) -> None:
        """Raise `ModelError` while the breaker is open."""
        if self._opened_at is not None and self._clock() - self._opened_at < self.cooldown:
            raise self.error(endpoint)

    def failure(self, cause: str) -> bool:
        """Count an attempt that could not connect; True when the breaker (re)opens."""
        self.failures += 1
        self.last_cause = cause
        if self.failures >= self.threshold:
            self._opened_at = self._clock()
            return True
        return False

    def success(self) -> None:
        self.failures = 0
        self._opened_at = None

    def error(self, endpoint: str) -> ModelError:
        return ModelError(
            f"the model endpoint {endpoint} is unreachable ({self.failures} connection attempts in a row failed: "
            f"{self.last_cause}); not calling it again for {self.cooldown:g} s: check that the server is running "
            "and the base URL (OPENAI_BASE_URL or --base-url)",
            endpoint=endpoint,
            retryable=True,
        )


def _could_not_connect(exc: BaseException) -> bool:
    """The attempt never reached the server (as opposed to a connection it dropped, or a slow answer)."""
    return any(isinstance(e, (_http.ConnectError, _http.ConnectTimeout)) for e in _chain(exc))


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _cause_text(exc: BaseException) -> str:
    """What went wrong, in words: the operating system's reason when there is one ("Connection refused")."""
    for e in reversed(_chain(exc)):
        if isinstance(e, OSError) and isinstance(e.errno, int) and e.errno > 0:
            return os.strerror(e.errno)
    cause = str(exc) or type(exc).__name__
    if exc.__cause__ is not None and str(exc.__cause__):
        cause += f" ({exc.__cause__})"
    return cause


class _CappedStream(_http.AsyncByteStream):
    """A response body that stops with `ResponseTooLarge` once more than `limit` bytes have come."""

    def __init__(self, inner: Any, limit: int) -> None:
        self._inner = inner
        self._limit = limit

    async def __aiter__(self) -> AsyncIterator[bytes]:
        seen = 0
        async for chunk in self._inner:
            seen += len(chunk)
            if seen > self._limit:
                raise ResponseTooLarge(self._limit)
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


def _http_client(trust_env: bool, max_response_bytes: int) -> Any:
    """The SDK's HTTP client with the response size cap (an event hook sees each response before its body)."""

    async def cap(response: Any) -> None:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_response_bytes:
            raise ResponseTooLarge(max_response_bytes)
        response.stream = _CappedStream(response.stream, max_response_bytes)

    return openai.DefaultAsyncHttpxClient(trust_env=trust_env, event_hooks={"response": [cap]})


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError)):
        return True
    if isinstance(exc, (DeadlineExceeded, ResponseTooLarge)):
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


@cache
def response_schema(response_model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of a response model, built once per model class (pydantic builds it anew at every call,
    ~10 ms for `ChunkNotes`; every request carries it). Shared: read it, never change it."""
    return response_model.model_json_schema()


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
        timeout: float = DEFAULT_TIMEOUT,
        max_attempts: int = 4,
        backoff_initial: float = 1.0,
        backoff_cap: float = 30.0,
        starter: Callable[[], Awaitable[str]] | None = None,
        trust_env: bool = True,
        schema_in_json_mode: bool = False,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        """`starter`, when given, is awaited on the first call that misses the cache and returns the base
        URL to use (the embedded model starts only when an answer is really needed). `timeout` is the
        total deadline of each HTTP request; `max_response_bytes` caps an answer's size."""
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
        self.max_response_bytes = max_response_bytes
        self.breaker = breaker or CircuitBreaker()
        self._client: openai.AsyncOpenAI | None = None
        self._files_client: openai.AsyncOpenAI | None = None  # the Batch API's, with the larger size cap
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
                http_client = _http_client(self._trust_env, self.max_response_bytes)
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
        if self._files_client is not None:
            await self._files_client.close()

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

    def request(
        self, messages: Messages, response_model: type[BaseModel], max_tokens: int = 1024
    ) -> tuple[dict[str, Any], str]:
        """The body `structured` sends for this question, and its response-cache key (the batch path sends
        the same body and stores the answer under the same key)."""
        body = self._body(messages, max_tokens, response_schema(response_model))
        return body, cache_key(self.cache_identity, self.model, body)

    async def structured(self, messages: Messages, response_model: type[T], *, max_tokens: int = 1024) -> T:
        schema = response_schema(response_model)
        body, key = self.request(messages, response_model, max_tokens)
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
                if finish == "refusal":
                    raise ValueError(f"the model refused to answer: {_short(content, 200)}")
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
        attempts = 0
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    response = await self._attempt(client, body)
        except DeadlineExceeded as exc:
            raise ModelError(
                f"the model at {self.endpoint} did not finish answering within {self._timeout:g} s "
                f"(BRIEFING_TIMEOUT) in {attempts} attempt(s)",
                endpoint=self.endpoint,
                retryable=True,
            ) from exc
        except ResponseTooLarge as exc:
            raise ModelError(
                f"the model at {self.endpoint} sent answers larger than {exc.limit:,} bytes in {attempts} attempt(s)",
                endpoint=self.endpoint,
            ) from exc
        except openai.APIStatusError as exc:
            raise _status_error(
                self.endpoint,
                exc,
                refused="",
                not_found=f"for model {self.model!r}: check --model / BRIEFING_MODEL and the base URL (it usually "
                "ends in /v1)",
                failed=f"model call to {self.endpoint} failed after {attempts} attempt(s)",
            ) from exc
        except (openai.APIConnectionError, openai.APITimeoutError) as exc:
            raise ModelError(
                f"cannot reach the model at {self.endpoint} after {attempts} attempt(s): {_short(_cause_text(exc))}",
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
        refusal = getattr(choice.message, "refusal", None)
        if refusal and not choice.message.content:
            return refusal, "refusal"
        return choice.message.content or "", choice.finish_reason

    async def _attempt(self, client: openai.AsyncOpenAI, body: dict[str, Any]) -> Any:
        """One HTTP request within the total deadline, unless the breaker says the endpoint is dead."""
        self.breaker.check(self.endpoint)
        try:
            async with asyncio.timeout(self._timeout):
                response = await client.chat.completions.create(**body)
        except TimeoutError as exc:
            raise DeadlineExceeded() from exc
        except openai.APIStatusError:
            self.breaker.success()  # it answered: alive, if unwell
            raise
        except openai.APIConnectionError as exc:
            if _could_not_connect(exc) and self.breaker.failure(_short(_cause_text(exc), 120)):
                raise self.breaker.error(self.endpoint) from exc
            raise
        self.breaker.success()
        return response

    def _count_retry(self) -> None:
        self.meter.retries += 1

    # -- the OpenAI Batch API (`model.batch` drives it; these are its SDK calls, with the same retries)

    async def upload_batch_file(self, name: str, data: bytes) -> str:
        """Upload a JSONL batch input file (`files.create(purpose="batch")`); its file id."""
        uploaded = await self._batch_call(
            "uploading the batch file",
            lambda c: c.files.create(file=(name, data, "application/jsonl"), purpose="batch"),
        )
        return str(uploaded.id)

    async def create_batch(self, input_file_id: str, metadata: dict[str, str]) -> dict[str, Any]:
        """Start a batch of chat completions over an uploaded file (`batches.create`), as a plain dict."""
        batch = await self._batch_call(
            "creating the batch",
            lambda c: c.batches.create(
                input_file_id=input_file_id,
                endpoint="/v1/chat/completions",
                completion_window="24h",
                metadata=metadata,
            ),
        )
        return batch.model_dump()

    async def retrieve_batch(self, batch_id: str) -> dict[str, Any]:
        """A batch's status, request counts and result files (`batches.retrieve`), as a plain dict."""
        batch = await self._batch_call(f"checking batch {batch_id}", lambda c: c.batches.retrieve(batch_id))
        return batch.model_dump()

    async def file_text(self, file_id: str) -> str:
        """The text of a file, such as a batch's output or error file (`files.content`)."""
        content = await self._batch_call(f"reading file {file_id}", lambda c: c.files.content(file_id))
        return content.content.decode("utf-8", "replace")

    async def _batch_call(self, what: str, call: Callable[[openai.AsyncOpenAI], Awaitable[Any]]) -> Any:
        """One Batch API call, retried like a chat call (transient failures; total deadline per attempt),
        its failure turned into one `ModelError` line."""
        _check_allowed(self.endpoint)
        if self._files_client is None:
            self._files_client = openai.AsyncOpenAI(
                base_url=self.endpoint,
                api_key=self._api_key,
                max_retries=0,
                timeout=self._timeout,
                http_client=_http_client(self._trust_env, BATCH_FILE_MAX_BYTES),
            )
        client = self._files_client

        async def once() -> Any:
            self.breaker.check(self.endpoint)
            try:
                async with asyncio.timeout(self._timeout):
                    return await call(client)
            except TimeoutError as exc:
                raise DeadlineExceeded() from exc

        retrying = AsyncRetrying(
            retry=retry_if_exception(_transient),
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            reraise=True,
        )
        try:
            return await retrying(once)
        except openai.APIStatusError as exc:
            raise _status_error(
                self.endpoint,
                exc,
                refused=f" when {what}",
                not_found=f"when {what}: it does not serve the OpenAI Batch API (/v1/files, /v1/batches) or no "
                "longer knows that id; run without --batch",
                failed=f"{what} at {self.endpoint} failed",
            ) from exc
        except (openai.APIConnectionError, openai.APITimeoutError, DeadlineExceeded, ResponseTooLarge) as exc:
            raise ModelError(
                f"{what} at {self.endpoint} failed after {self.max_attempts} attempt(s): {_short(_cause_text(exc))}",
                endpoint=self.endpoint,
                retryable=True,
            ) from exc


def _status_error(
    endpoint: str, exc: openai.APIStatusError, *, refused: str, not_found: str, failed: str
) -> ModelError:
    """One line for an HTTP error answer: a refused key (401) and an unknown route or model (404) say what to
    check; any other status says what failed and how (retryable when `_transient`)."""
    if isinstance(exc, openai.AuthenticationError):
        message = f"{endpoint} refused the API key (401){refused}: check OPENAI_API_KEY or --api-key"
    elif isinstance(exc, openai.NotFoundError):
        message = f"{endpoint} answered 404 {not_found}"
    else:
        message = f"{failed}: HTTP {exc.status_code}: {_short(exc.message)}"
    return ModelError(message, status=exc.status_code, endpoint=endpoint, retryable=_transient(exc))


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def first_model(base_url: str, api_key: str | None, timeout: float = 30.0) -> str:
    """The first model a server lists (for a base URL given without a model name), within `timeout` in all."""
    _check_allowed(base_url)
    client = openai.AsyncOpenAI(
        base_url=base_url,
        api_key=api_key or "no-key",
        max_retries=0,
        timeout=timeout,
        http_client=_http_client(True, MAX_RESPONSE_BYTES),
    )
    try:
        async with asyncio.timeout(timeout):
            page = await client.models.list()
        ids = [m.id for m in page.data]
    except (TimeoutError, ResponseTooLarge) as exc:
        raise ModelError(
            f"no model given and {base_url} did not list its models within {timeout:g} s and "
            f"{MAX_RESPONSE_BYTES:,} bytes: set --model or BRIEFING_MODEL",
            endpoint=base_url,
        ) from exc
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
