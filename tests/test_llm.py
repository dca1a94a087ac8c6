"""The model client against a scripted OpenAI-compatible server on loopback.

`OpenAIStub` (tests/fakes.py) answers POST /v1/chat/completions from a per-test script of replies
(status, headers, body, or a dropped connection) and records every request body and when it arrived;
GET /v1/models lists `models`. Nothing leaves 127.0.0.1, and small backoffs keep every retry test well
under a second.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from briefing.model.cache import ResponseCache
from briefing.errors import BudgetExceeded, ModelError
from briefing.model.fake import FakeModel
from briefing.model.openai import OpenAIModel, _status_error, first_model
from briefing.model import UsageMeter, parse_json

from .fakes import DROP, OpenAIStub, Reply, api_error, completion

# These tests talk to loopback stub servers they start themselves.
pytestmark = pytest.mark.model_requests

MESSAGES = [
    {"role": "system", "content": "You write briefings as JSON."},
    {"role": "user", "content": "Summarise: Russia sent weapons to Syria."},
]


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    points: list[str]


class AnswerWithSummary(BaseModel):
    """`Answer` after a schema change: a required field was added."""

    model_config = ConfigDict(extra="forbid")
    title: str
    points: list[str]
    summary: str


GOOD = {"title": "Syria", "points": ["Russia sent weapons"]}


def ok(payload: Any = GOOD, **kwargs: Any) -> Reply:
    content = payload if isinstance(payload, str) else json.dumps(payload)
    return Reply(200, completion(content, **kwargs))


def status(code: int, message: str = "fake failure", headers: dict[str, str] | None = None) -> Reply:
    return Reply(code, api_error(message), headers or {})


@pytest.fixture
def server() -> Iterator[OpenAIStub]:
    """A scripted stub with no default: every request a test did not script is a 400."""
    with OpenAIStub() as stub:
        yield stub


@pytest.fixture
def cache_path(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "responses.sqlite3"


@pytest.fixture
def cache(cache_path: Path) -> Iterator[ResponseCache]:
    store = ResponseCache(cache_path)
    yield store
    store.close()


@pytest.fixture
async def make_model(server: OpenAIStub) -> AsyncIterator[Callable[..., OpenAIModel]]:
    made: list[OpenAIModel] = []

    def make(**kwargs: Any) -> OpenAIModel:
        options: dict[str, Any] = {
            "base_url": server.url,
            "api_key": "test-key",
            "model": "m",
            "timeout": 5.0,
            "max_attempts": 3,
            "backoff_initial": 0.01,
            "backoff_cap": 0.05,
        }
        options.update(kwargs)
        model = OpenAIModel(**options)
        made.append(model)
        return model

    yield make
    for model in made:
        await model.aclose()


def last_user_text(request: dict[str, Any]) -> str:
    return request["messages"][-1]["content"]


# --- a valid answer and the request itself -------------------------------------------------------


async def test_a_valid_answer_is_validated_into_the_response_model_and_counted(server, make_model):
    server.will(ok(GOOD, prompt_tokens=12, completion_tokens=7))
    model = make_model()

    result = await model.structured(MESSAGES, Answer)

    assert result == Answer(**GOOD)
    assert model.meter.model_calls == 1
    assert model.meter.cached_calls == 0
    assert model.meter.retries == 0
    assert (model.meter.prompt_tokens, model.meter.completion_tokens) == (12, 7)
    assert model.meter.total_tokens == 19


async def test_the_request_asks_for_deterministic_json_from_the_named_model(server, make_model):
    server.will(ok())
    model = make_model(model="qwen-test")

    await model.structured(MESSAGES, Answer, max_tokens=321)

    (body,) = server.requests
    assert body["model"] == "qwen-test"
    assert body["messages"] == MESSAGES
    assert body["temperature"] == 0
    assert body["seed"] == 1
    assert body["max_tokens"] == 321
    assert body["response_format"] == {"type": "json_object"}


async def test_the_sdk_does_not_retry_on_its_own_so_one_failure_costs_exactly_one_extra_request(server, make_model):
    server.will(status(500), ok())
    model = make_model()

    assert await model.structured(MESSAGES, Answer) == Answer(**GOOD)

    assert len(server.requests) == 2
    assert model.meter.retries == 1
    assert model.meter.model_calls == 1


# --- transient failures ----------------------------------------------------------------------


async def test_a_429_is_retried_after_the_retry_after_the_server_asked_for(server, make_model):
    server.will(status(429, "slow down", {"Retry-After": "0.2"}), ok())
    model = make_model()  # its own backoff would wait about 0.01-0.02 s

    assert await model.structured(MESSAGES, Answer) == Answer(**GOOD)

    assert len(server.requests) == 2
    assert server.arrivals[1] - server.arrivals[0] >= 0.15
    assert model.meter.retries == 1


async def test_a_retry_after_ms_header_is_honoured_in_milliseconds(server, make_model):
    server.will(status(429, "slow down", {"retry-after-ms": "200"}), ok())
    model = make_model()

    await model.structured(MESSAGES, Answer)

    assert server.arrivals[1] - server.arrivals[0] >= 0.15


async def test_a_429_of_zero_seconds_is_retried_at_once(server, make_model):
    server.will(status(429, "slow down", {"Retry-After": "0"}), ok())
    model = make_model(backoff_initial=5.0, backoff_cap=5.0)  # the backoff alone would take seconds

    started = time.monotonic()
    assert await model.structured(MESSAGES, Answer) == Answer(**GOOD)

    assert time.monotonic() - started < 3.0
    assert len(server.requests) == 2


@pytest.mark.parametrize("code", [500, 502, 503])
async def test_a_server_error_is_retried(server, make_model, code):
    server.will(status(code), ok())
    model = make_model()

    assert await model.structured(MESSAGES, Answer) == Answer(**GOOD)

    assert len(server.requests) == 2
    assert model.meter.retries == 1


async def test_a_dropped_connection_is_retried(server, make_model):
    server.will(DROP, ok())
    model = make_model()

    assert await model.structured(MESSAGES, Answer) == Answer(**GOOD)

    assert len(server.requests) == 2
    assert model.meter.retries == 1


async def test_after_max_attempts_of_server_errors_the_error_names_the_endpoint_and_the_last_cause(server, make_model):
    server.will(status(503, "warming up"), status(500, "out of memory"), status(500, "upstream exploded"))
    model = make_model(max_attempts=3)

    with pytest.raises(ModelError) as caught:
        await model.structured(MESSAGES, Answer)

    message = str(caught.value)
    assert server.url in message
    assert "HTTP 500" in message
    assert "upstream exploded" in message
    assert "3 attempt" in message
    assert len(server.requests) == 3
    assert model.meter.retries == 2
    assert model.meter.model_calls == 0


async def test_after_max_attempts_of_dropped_connections_the_error_says_the_endpoint_cannot_be_reached(
    server, make_model
):
    server.will(DROP, DROP)
    model = make_model(max_attempts=2)

    with pytest.raises(ModelError) as caught:
        await model.structured(MESSAGES, Answer)

    message = str(caught.value)
    assert server.url in message
    assert "cannot reach" in message
    assert "connection" in message.lower()
    assert len(server.requests) == 2


# --- answers that do not validate ----------------------------------------------------------


async def test_broken_json_is_asked_again_with_the_previous_answer_and_the_validation_error(server, make_model):
    broken = '{"title": "Syria", "points": ["Russia sent'
    server.will(ok(broken), ok(GOOD))
    model = make_model()

    assert await model.structured(MESSAGES, Answer) == Answer(**GOOD)

    assert len(server.requests) == 2
    reask = server.requests[1]["messages"]
    assert reask[: len(MESSAGES)] == MESSAGES
    assert reask[len(MESSAGES)] == {"role": "assistant", "content": broken}
    with pytest.raises(ValidationError) as expected:
        Answer.model_validate_json(broken)
    assert expected.value.errors()[0]["msg"] in last_user_text(server.requests[1])
    assert model.meter.model_calls == 2
    assert model.meter.retries == 1


async def test_an_answer_missing_a_field_is_asked_again_naming_the_field(server, make_model):
    server.will(ok({"title": "Syria"}), ok(GOOD))
    model = make_model()

    assert await model.structured(MESSAGES, Answer) == Answer(**GOOD)

    assert "points" in last_user_text(server.requests[1])
    assert "Field required" in last_user_text(server.requests[1])


async def test_json_still_broken_after_the_re_ask_is_a_model_error(server, make_model):
    server.will(ok("not json at all"), ok("{still not json"))
    model = make_model()

    with pytest.raises(ModelError) as caught:
        await model.structured(MESSAGES, Answer)

    assert len(server.requests) == 2  # one question, one re-ask, no more
    assert "Answer" in str(caught.value)
    assert server.url in str(caught.value)


async def test_an_answer_cut_off_at_the_token_limit_is_asked_again(server, make_model):
    server.will(ok(GOOD, finish_reason="length"), ok({"title": "Syria", "points": []}))
    model = make_model()

    result = await model.structured(MESSAGES, Answer)

    assert result == Answer(title="Syria", points=[])  # the cut-off answer is not used, even if it parses
    assert len(server.requests) == 2
    assert "cut off" in last_user_text(server.requests[1])


async def test_an_answer_cut_off_twice_is_a_model_error(server, make_model):
    server.will(ok(GOOD, finish_reason="length"), ok(GOOD, finish_reason="length"))
    model = make_model()

    with pytest.raises(ModelError, match="cut off"):
        await model.structured(MESSAGES, Answer)


# --- failures that are not retried -----------------------------------------------------------


async def test_a_401_is_a_model_error_about_the_api_key_and_is_not_retried(server, make_model):
    server.will(status(401, "Incorrect API key provided"), ok())
    model = make_model()

    with pytest.raises(ModelError) as caught:
        await model.structured(MESSAGES, Answer)

    assert "API key" in str(caught.value)
    assert "OPENAI_API_KEY" in str(caught.value)
    assert len(server.requests) == 1
    assert model.meter.retries == 0


async def test_a_404_is_a_model_error_naming_the_model_and_is_not_retried(server, make_model):
    server.will(status(404, "The model does not exist"), ok())
    model = make_model(model="no-such-model")

    with pytest.raises(ModelError) as caught:
        await model.structured(MESSAGES, Answer)

    assert "'no-such-model'" in str(caught.value)
    assert "--model" in str(caught.value)
    assert len(server.requests) == 1


# --- the response cache ----------------------------------------------------------------------


async def test_a_second_identical_call_is_answered_from_the_cache_without_a_request(server, make_model, cache):
    server.will(ok())
    model = make_model(cache=cache)

    first = await model.structured(MESSAGES, Answer)
    second = await model.structured(MESSAGES, Answer)

    assert first == second == Answer(**GOOD)
    assert len(server.requests) == 1
    assert model.meter.model_calls == 1
    assert model.meter.cached_calls == 1
    assert model.meter.total_tokens == 15  # a cached answer costs no tokens


async def test_a_call_with_a_different_body_misses_the_cache(server, make_model, cache):
    server.will(ok(), ok(), ok())
    model = make_model(cache=cache)

    await model.structured(MESSAGES, Answer)
    await model.structured([*MESSAGES[:1], {"role": "user", "content": "Summarise something else."}], Answer)
    await model.structured(MESSAGES, Answer, max_tokens=99)

    assert len(server.requests) == 3
    assert model.meter.cached_calls == 0
    assert len(cache) == 3


async def test_the_cache_is_shared_by_endpoints_with_the_same_cache_identity(server, make_model, cache):
    server.will(ok())
    first = make_model(cache=cache, cache_identity="the-local-model")
    # Another address of the same server: a restarted embedded model on a new port, say.
    second = make_model(cache=cache, cache_identity="the-local-model", base_url=f"http://localhost:{server.port}/v1")
    third = make_model(cache=cache, cache_identity="another-model")

    await first.structured(MESSAGES, Answer)
    assert await second.structured(MESSAGES, Answer) == Answer(**GOOD)
    assert len(server.requests) == 1
    assert second.meter.cached_calls == 1

    server.will(ok())
    await third.structured(MESSAGES, Answer)
    assert len(server.requests) == 2


async def test_a_cached_answer_that_no_longer_fits_the_schema_is_asked_again(server, make_model, cache):
    server.will(ok(GOOD), ok({**GOOD, "summary": "Weapons flow to Syria."}))
    model = make_model(cache=cache)

    await model.structured(MESSAGES, Answer)
    upgraded = await model.structured(MESSAGES, AnswerWithSummary)
    again = await model.structured(MESSAGES, AnswerWithSummary)

    assert upgraded == again == AnswerWithSummary(**GOOD, summary="Weapons flow to Syria.")
    assert len(server.requests) == 2  # the stale entry was replaced, so the third call hit the cache
    assert model.meter.cached_calls == 1


async def test_the_cache_survives_a_new_cache_object_on_the_same_file(server, make_model, cache_path):
    server.will(ok())
    store = ResponseCache(cache_path)
    await make_model(cache=store).structured(MESSAGES, Answer)
    store.close()

    reopened = ResponseCache(cache_path)
    try:
        model = make_model(cache=reopened)
        assert await model.structured(MESSAGES, Answer) == Answer(**GOOD)
    finally:
        reopened.close()

    assert len(server.requests) == 1
    assert model.meter.cached_calls == 1


def test_the_cache_file_uses_write_ahead_logging(cache, cache_path):
    with sqlite3.connect(cache_path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# --- the token budget ------------------------------------------------------------------------


async def test_a_call_that_could_exceed_the_budget_is_refused_before_any_request(server, make_model):
    server.will(ok())
    model = make_model(meter=UsageMeter(budget=100))

    with pytest.raises(BudgetExceeded, match="--max-tokens-budget"):
        await model.structured(MESSAGES, Answer, max_tokens=1024)

    assert server.requests == []


async def test_the_budget_counts_the_tokens_already_used(server, make_model):
    server.will(ok(prompt_tokens=10, completion_tokens=5), ok())
    model = make_model(meter=UsageMeter(budget=45))
    short = [{"role": "user", "content": "hi"}]

    await model.structured(short, Answer, max_tokens=30)  # 0 used + 30 fits in 45
    with pytest.raises(BudgetExceeded):
        await model.structured(short, Answer, max_tokens=31)  # 15 used + 31 does not

    assert len(server.requests) == 1


# --- starting the endpoint on demand ----------------------------------------------------------


async def test_the_starter_runs_once_on_the_first_cache_miss(server, make_model, cache):
    starts: list[str] = []

    async def starter() -> str:
        starts.append("start")
        return server.url

    server.will(ok(), ok())
    model = make_model(base_url=None, starter=starter, cache=cache)
    assert starts == []  # building the client starts nothing

    await model.structured(MESSAGES, Answer)
    await model.structured(MESSAGES, Answer, max_tokens=64)

    assert starts == ["start"]
    assert len(server.requests) == 2
    assert model.endpoint == server.url


async def test_the_starter_is_never_called_when_every_answer_is_cached(server, make_model, cache):
    async def first_starter() -> str:
        return server.url

    server.will(ok())
    await make_model(base_url=None, starter=first_starter, cache=cache).structured(MESSAGES, Answer)

    async def must_not_start() -> str:
        raise AssertionError("the model was started although the answer was cached")

    model = make_model(base_url=None, starter=must_not_start, cache=cache)
    assert await model.structured(MESSAGES, Answer) == Answer(**GOOD)
    assert model.meter.cached_calls == 1
    assert len(server.requests) == 1


# --- parse_json ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        json.dumps(GOOD),
        f"```json\n{json.dumps(GOOD)}\n```",
        f"```\n{json.dumps(GOOD, indent=2)}\n```",
        f"  \n```json {json.dumps(GOOD)}```\n",
    ],
)
def test_parse_json_accepts_plain_and_fenced_answers(text):
    assert parse_json(text, Answer) == Answer(**GOOD)


def test_parse_json_rejects_prose_around_the_json():
    with pytest.raises(ValidationError):
        parse_json(f"Here you go: {json.dumps(GOOD)}", Answer)


# --- FakeModel -------------------------------------------------------------------------------


async def test_fake_model_answers_in_the_order_answers_were_enqueued():
    fake = FakeModel(Answer(title="one", points=[])).enqueue(
        {"title": "two", "points": []}, '{"title": "three", "points": []}'
    )

    titles = [(await fake.structured(MESSAGES, Answer)).title for _ in range(3)]

    assert titles == ["one", "two", "three"]
    assert fake.meter.model_calls == 3


async def test_fake_model_history_records_the_messages_and_the_response_model():
    fake = FakeModel(GOOD, {**GOOD, "summary": "s"})
    other = [{"role": "user", "content": "second"}]

    await fake.structured(MESSAGES, Answer)
    await fake.structured(other, AnswerWithSummary)

    assert fake.history == [(MESSAGES, Answer), (other, AnswerWithSummary)]


async def test_fake_model_falls_back_to_a_default_callable_when_the_queue_is_empty():
    seen: list[type[BaseModel]] = []

    def default(messages: list[dict[str, str]], response_model: type[BaseModel]) -> dict:
        seen.append(response_model)
        return {"title": messages[-1]["content"], "points": []}

    fake = FakeModel(GOOD, default=default)

    assert (await fake.structured(MESSAGES, Answer)).title == "Syria"  # the queue comes first
    assert (await fake.structured([{"role": "user", "content": "echo"}], Answer)).title == "echo"
    assert seen == [Answer]


async def test_fake_model_raises_a_queued_exception():
    fake = FakeModel(ModelError("scripted failure"), GOOD)

    with pytest.raises(ModelError, match="scripted failure"):
        await fake.structured(MESSAGES, Answer)
    assert await fake.structured(MESSAGES, Answer) == Answer(**GOOD)


async def test_fake_model_with_nothing_queued_is_a_model_error():
    fake = FakeModel()

    with pytest.raises(ModelError, match="no answer queued"):
        await fake.structured(MESSAGES, Answer)


async def test_fake_model_rejects_an_answer_that_does_not_fit_the_schema():
    fake = FakeModel({"title": "no points"})

    with pytest.raises(ModelError, match="points"):
        await fake.structured(MESSAGES, Answer)


# --- first_model -----------------------------------------------------------------------------


async def test_first_model_returns_the_first_model_the_server_lists(server):
    server.models = ["qwen2.5-coder", "other"]

    assert await first_model(server.url, None, timeout=5) == "qwen2.5-coder"


async def test_first_model_on_an_empty_list_says_to_set_the_model(server):
    server.models = []

    with pytest.raises(ModelError, match="--model") as caught:
        await first_model(server.url, None, timeout=5)
    assert server.url in str(caught.value)


@pytest.mark.parametrize(
    "status, kind, says",
    [
        (401, openai.AuthenticationError, "http://x/v1 refused the API key (401) when uploading: check OPENAI_API_KEY"),
        (404, openai.NotFoundError, "http://x/v1 answered 404 when uploading: it does not serve"),
        (503, openai.InternalServerError, "uploading at http://x/v1 failed: HTTP 503: busy"),
    ],
)
def test_an_http_error_answer_is_one_line_saying_what_to_check(status, kind, says):
    response = httpx.Response(status, request=httpx.Request("POST", "http://x/v1/files"))
    error = _status_error(
        "http://x/v1",
        kind("busy", response=response, body=None),
        refused=" when uploading",
        not_found="when uploading: it does not serve the Batch API",
        failed="uploading at http://x/v1 failed",
    )
    assert str(error).startswith(says)
    assert error.status == status and error.retryable == (status == 503)
