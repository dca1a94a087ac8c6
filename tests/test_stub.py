"""The stub server (`briefing.model.stub`): a real OpenAI-compatible HTTP server on loopback whose answers
validate as the project's own response models and whose faults look, on the wire, like the real ones.
Raw HTTP (httpx) is used where the point is what goes over the wire; no model client is involved.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from briefing.extract import Batch, extract_messages
from briefing.model.stub import (
    DROP,
    EMPTY,
    FAULTS,
    OVERSIZED,
    RATE_LIMIT,
    REFUSAL,
    TRUNCATED,
    Faults,
    FaultSpecError,
    StubServer,
    structured_answer,
)
from briefing.models import ChunkNotes
from briefing.prompts import render
from briefing.sources import source_from_text
from briefing.chunking import chunk_sources
from briefing.summarize import Statement, SummaryOut

ARTICLE = (
    "Russia deployed 500 troops to Latakia on Monday, officials said. "
    "Foreign Minister Sergei Lavrov said the deployment was defensive. "
    "It is unclear whether the United States will respond to the move."
)


def notes_request(schema_in: str | None = None) -> dict:
    source = source_from_text("wire.txt", ARTICLE)
    batch = Batch(source, chunk_sources([source], 900, 0))
    body: dict = {"model": "stub", "messages": extract_messages(batch), "response_format": {"type": "json_object"}}
    if schema_in == "llama.cpp":
        body["response_format"]["schema"] = ChunkNotes.model_json_schema()
    elif schema_in == "openai":
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": "ChunkNotes", "schema": ChunkNotes.model_json_schema()},
        }
    return body


def summary_request() -> dict:
    statements = [Statement(i + 1, "other.txt", s, []) for i, s in enumerate(ARTICLE.split(". "))]
    messages = render("summarize", statements=statements, min_points=3, max_points=6, point_ids=4)
    return {"model": "stub", "messages": messages, "response_format": {"type": "json_object"}}


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer() as server:
        yield server


@pytest.mark.parametrize("schema_in", [None, "llama.cpp", "openai"])
def test_notes_answer_validates_and_quotes_sentences_of_the_article(schema_in: str | None) -> None:
    notes = ChunkNotes.model_validate(structured_answer(notes_request(schema_in)))

    assert notes.facts and notes.actors and notes.open_questions
    assert all(f.quote in ARTICLE for f in notes.facts)
    assert all(a.name in a.quote and a.quote in ARTICLE for a in notes.actors)
    assert {a.name for a in notes.actors} >= {"Russia", "Foreign Minister Sergei Lavrov"}


def test_summary_answer_validates_and_points_at_the_statements_shown() -> None:
    out = SummaryOut.model_validate(structured_answer(summary_request()))

    assert 3 <= len(out.key_points) <= 6  # the schema's minItems/maxItems
    assert all(p.ids and set(p.ids) <= {1, 2, 3} for p in out.key_points)
    assert out.key_points[0].text == "Russia deployed 500 troops to Latakia on Monday, officials said"


def test_chat_completion_over_http_counts_tokens_and_lists_models(stub: StubServer) -> None:
    with httpx.Client(base_url=stub.url) as http:
        models = http.get("/models").json()
        answer = http.post("/chat/completions", json=notes_request()).json()

    assert [m["id"] for m in models["data"]] == ["stub"]
    assert stub.url.startswith("http://127.0.0.1:")
    ChunkNotes.model_validate_json(answer["choices"][0]["message"]["content"])
    usage = answer["usage"]
    assert usage["prompt_tokens"] > len(ARTICLE.split())  # the prompt and the article, in tokens
    assert (
        0 < usage["completion_tokens"] and usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    )
    assert stub.served == ["ok"]


def test_a_plain_chat_call_gets_text_and_every_answer_is_logged_with_its_usage(stub: StubServer) -> None:
    plain = {"model": "stub", "messages": [{"role": "user", "content": f"Write a concise summary:\n\n{ARTICLE}"}]}
    with httpx.Client(base_url=stub.url) as http:
        text = http.post("/chat/completions", json=plain).json()
        structured = http.post("/chat/completions", json=notes_request()).json()

    content = text["choices"][0]["message"]["content"]
    assert content == ARTICLE  # its three sentences, without the lead-in line; not JSON
    assert [c.prompt_tokens for c in stub.calls] == [
        text["usage"]["prompt_tokens"],
        structured["usage"]["prompt_tokens"],
    ]
    assert stub.calls[0].completion_tokens == text["usage"]["completion_tokens"] > 0
    assert stub.calls[0].arrived <= stub.calls[0].answered <= stub.calls[1].arrived
    assert stub.calls[1].body == notes_request()


def test_schedule_serves_faults_in_arrival_order_then_answers(stub: StubServer) -> None:
    stub.faults = Faults.parse("429*2,ok,truncated,empty,refusal")
    stub.retry_after = 0.25
    with httpx.Client(base_url=stub.url) as http:
        replies = [http.post("/chat/completions", json=notes_request()) for _ in range(7)]

    assert [r.status_code for r in replies] == [429, 429, 200, 200, 200, 200, 200]
    assert replies[0].headers["retry-after"] == "0.25"
    choices = [r.json()["choices"][0] for r in replies[2:]]
    assert choices[1]["finish_reason"] == "length" and len(choices[1]["message"]["content"]) < len(
        choices[0]["message"]["content"]
    )
    assert choices[2]["message"]["content"] == ""
    assert choices[3]["message"]["content"] is None and choices[3]["message"]["refusal"]
    assert stub.served == [RATE_LIMIT, RATE_LIMIT, "ok", TRUNCATED, EMPTY, REFUSAL, "ok"]


def test_drop_closes_the_connection_without_an_answer(stub: StubServer) -> None:
    stub.faults = Faults.parse(DROP)
    with httpx.Client(base_url=stub.url) as http, pytest.raises(httpx.RemoteProtocolError):
        http.post("/chat/completions", json=notes_request())


def test_broken_json_is_not_json(stub: StubServer) -> None:
    stub.faults = Faults.parse("broken-json")
    with httpx.Client(base_url=stub.url) as http:
        content = http.post("/chat/completions", json=notes_request()).json()["choices"][0]["message"]["content"]
    with pytest.raises(ValueError):
        json.loads(content)


def test_oversized_answer_is_sent_chunked_and_as_large_as_asked(stub: StubServer) -> None:
    stub.faults = Faults.parse(OVERSIZED)
    stub.oversized_bytes = 300_000
    with httpx.Client(base_url=stub.url) as http:
        reply = http.post("/chat/completions", json=notes_request())

    assert "content-length" not in reply.headers and reply.headers["transfer-encoding"] == "chunked"
    assert len(reply.content) > 300_000
    ChunkNotes.model_validate_json(reply.json()["choices"][0]["message"]["content"])  # valid, only too big


def test_hang_and_drip_notice_the_client_giving_up(stub: StubServer) -> None:
    stub.faults = Faults.parse("hang,drip")
    stub.drip_interval = 0.002
    with httpx.Client(base_url=stub.url, timeout=httpx.Timeout(5.0, read=0.2)) as http:
        with pytest.raises(httpx.ReadTimeout):
            http.post("/chat/completions", json=notes_request())
    with httpx.Client(base_url=stub.url) as http:
        with http.stream("POST", "/chat/completions", json=notes_request()) as reply:
            assert reply.status_code == 200  # the status line came, a byte at a time; then the client leaves

    assert stub.served == ["hang", "drip"]


def test_always_rule_fails_every_call_whose_prompt_names_the_text(stub: StubServer) -> None:
    stub.faults = Faults(always={"wire.txt": "500"})
    with httpx.Client(base_url=stub.url) as http:
        statuses = [http.post("/chat/completions", json=notes_request()).status_code for _ in range(3)]
        other = http.post("/chat/completions", json=summary_request()).status_code

    assert statuses == [500, 500, 500] and other == 200


def test_random_faults_are_reproducible_with_a_seed() -> None:
    def draws(seed: int) -> list[str]:
        with StubServer(faults=Faults(rate=0.5, kinds=("500", "503"), seed=seed)) as server:
            with httpx.Client(base_url=server.url) as http:
                for _ in range(12):
                    http.post("/chat/completions", json=summary_request())
            return server.served

    first = draws(7)
    assert first == draws(7)
    assert {"500", "503", "ok"} <= set(first)


def test_a_fault_spec_it_cannot_read_is_refused_with_the_kinds_it_knows() -> None:
    with pytest.raises(FaultSpecError, match="unknown fault 'teapot'.*429"):
        Faults.parse("500,teapot")
    with pytest.raises(FaultSpecError, match="repeat count"):
        Faults.parse("500*x")
    assert Faults.parse("500*2, drop").schedule == ["500", "500", "drop"]
    assert set(FAULTS) >= {"429", "500", "503", "drop", "hang", "drip", "broken-json", "truncated", "empty"}


def test_wrong_api_key_gets_401_when_the_stub_wants_one() -> None:
    with StubServer(api_key="sekret") as server, httpx.Client(base_url=server.url) as http:
        assert http.get("/models").status_code == 401
        assert http.get("/models", headers={"Authorization": "Bearer sekret"}).status_code == 200


def test_runs_as_a_program_on_the_port_it_is_given() -> None:
    import socket

    with socket.socket() as s:  # a free port
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    child = subprocess.Popen(
        [sys.executable, "-m", "briefing.model.stub", "--port", str(port), "--model", "m1"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stderr is not None
        line = child.stderr.readline()  # logged once it listens
        assert f"http://127.0.0.1:{port}/v1" in line
        assert httpx.get(f"http://127.0.0.1:{port}/v1/models").json()["data"][0]["id"] == "m1"
    finally:
        child.terminate()
        child.wait(10)
