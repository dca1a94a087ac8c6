"""`--batch`: the map phase through the OpenAI Batch API, against the loopback stub's `/v1/files` and
`/v1/batches` (`briefing.model.stub`). A batch run briefs exactly what a live run does and leaves every
answer in the response cache; cached questions are not uploaded; a failed line costs only its chunk; a
batch that expires says so and writes nothing; a killed run resumes its batch instead of paying for another.
Polls are 10 ms apart here (`batch_poll_interval`), so every test takes well under a second but the one
that starts and kills a real process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from briefing import Settings, generate_briefing
from briefing.errors import ModelError
from briefing.model.batch import STATE_DIR, Question, send_batch
from briefing.model.openai import OpenAIModel
from briefing.model.stub import BATCH_STATUSES, Faults, StubServer
from briefing.models import Briefing, ChunkNotes
from briefing.surfaces.cli import main

from .fakes import ARTICLES

pytestmark = pytest.mark.model_requests

ROOT = Path(__file__).resolve().parent.parent
POLL = 0.01


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer() as server:
        yield server


def settings_for(url: str, cache: Path, **changes: Any) -> Settings:
    options: dict[str, Any] = dict(
        base_url=url,
        model="stub",
        cache_dir=cache,
        concurrency=1,
        request_timeout=5.0,
        retry_wait=0.01,
        batch_poll_interval=POLL,
    )
    return Settings(**(options | changes))


def same_briefing(b: Briefing) -> dict[str, Any]:
    """A briefing without what differs between two runs of the same input (when, how long)."""
    usage = b.usage.model_dump(exclude={"seconds"})
    return b.model_dump(exclude={"generated_at", "usage"}) | {"usage": usage}


def uploaded_lines(stub: StubServer) -> list[dict[str, Any]]:
    files = [fid for fid, meta in stub.files.items() if meta["purpose"] == "batch"]
    return [json.loads(line) for fid in files for line in stub.file_data[fid].decode().splitlines()]


def state_files(cache: Path) -> list[Path]:
    return sorted((cache / STATE_DIR).glob("*")) if (cache / STATE_DIR).exists() else []


def cli_env(url: str, cache: Path) -> dict[str, str | None]:
    return {
        "OPENAI_BASE_URL": url,
        "OPENAI_API_KEY": None,
        "BRIEFING_MODEL": "stub",
        "BRIEFING_CACHE_DIR": str(cache),
        "BRIEFING_BATCH_POLL_INTERVAL": str(POLL),
        "BRIEFING_RETRY_WAIT": "0.01",
    }


# --------------------------------------------------------------------------- the stub's Batch API on the wire


def test_stub_batch_api_runs_the_documented_lifecycle_and_answers_each_line_like_a_live_call() -> None:
    body = {
        "model": "stub",
        "messages": [{"role": "user", "content": "<article>\n" + ARTICLES["a.txt"] + "</article>"}],
        "response_format": {"type": "json_object"},  # as the map phase asks (a plain call gets text)
    }
    lines = [{"custom_id": f"r{i}", "method": "POST", "url": "/v1/chat/completions", "body": body} for i in (1, 2)]
    jsonl = "".join(json.dumps(line) + "\n" for line in lines).encode()
    with StubServer(faults=Faults.parse("ok,500")) as server, httpx.Client(base_url=server.url) as http:
        uploaded = http.post("/files", data={"purpose": "batch"}, files={"file": ("in.jsonl", jsonl)}).json()
        assert http.get(f"/files/{uploaded['id']}/content").content == jsonl
        created = http.post(
            "/batches",
            json={"input_file_id": uploaded["id"], "endpoint": "/v1/chat/completions", "completion_window": "24h"},
        ).json()
        statuses = [created["status"]] + [http.get(f"/batches/{created['id']}").json()["status"] for _ in range(4)]
        done = http.get(f"/batches/{created['id']}").json()
        output = http.get(f"/files/{done['output_file_id']}/content").text.splitlines()
        errors = http.get(f"/files/{done['error_file_id']}/content").text.splitlines()
        wrong = http.post(
            "/batches", json={"input_file_id": uploaded["id"], "endpoint": "/v1/embeddings", "completion_window": "24h"}
        )

    assert uploaded["object"] == "file" and uploaded["purpose"] == "batch" and uploaded["bytes"] == len(jsonl)
    assert statuses == ["validating", "in_progress", "finalizing", "completed", "completed"]
    assert done["request_counts"] == {"total": 2, "completed": 1, "failed": 1}
    answered, failed = json.loads(output[0]), json.loads(errors[0])
    assert answered["custom_id"] == "r1" and answered["response"]["status_code"] == 200 and answered["error"] is None
    ChunkNotes.model_validate_json(answered["response"]["body"]["choices"][0]["message"]["content"])
    assert failed["custom_id"] == "r2" and failed["response"]["status_code"] == 500
    assert wrong.status_code == 400 and server.batch_lines == 2


def test_stub_fails_a_batch_whose_input_file_is_not_batch_requests(stub: StubServer) -> None:
    with httpx.Client(base_url=stub.url) as http:
        uploaded = http.post("/files", data={"purpose": "batch"}, files={"file": ("in.jsonl", b'{"custom_id": 1}\n')})
        batch = http.post(
            "/batches",
            json={
                "input_file_id": uploaded.json()["id"],
                "endpoint": "/v1/chat/completions",
                "completion_window": "24h",
            },
        ).json()
        ended = http.get(f"/batches/{batch['id']}").json()

    assert ended["status"] == "failed" and "line 1" in ended["errors"]["data"][0]["message"]


# --------------------------------------------------------------------------- whole runs


def test_a_batch_run_briefs_exactly_what_a_live_run_does_and_leaves_every_answer_cached(
    folder: Path, tmp_path: Path
) -> None:
    with StubServer() as live_stub:
        live = generate_briefing([folder], settings=settings_for(live_stub.url, tmp_path / "live"))
    with StubServer() as stub:
        batched = generate_briefing([folder], settings=settings_for(stub.url, tmp_path / "batch", batch=True))
        asked_live = len(stub.requests) - stub.batch_lines
        again = generate_briefing([folder], settings=settings_for(stub.url, tmp_path / "batch"))

    assert same_briefing(batched) == same_briefing(live)  # items, citations, sources, calls and tokens alike
    assert len(stub.batches) == 1 and stub.batch_lines == 3  # one map request per article, all in one batch
    assert asked_live == 1  # only the key points were asked live
    assert again.usage.model_calls == 0 and again.usage.cached_calls == 4  # the later normal run: all cached
    assert state_files(tmp_path / "batch") == []  # nothing left to resume


def test_questions_already_in_the_cache_are_not_uploaded(folder: Path, tmp_path: Path, stub: StubServer) -> None:
    cache = tmp_path / "cache"
    generate_briefing([folder / "a.txt"], settings=settings_for(stub.url, cache))

    b = generate_briefing([folder], settings=settings_for(stub.url, cache, batch=True))

    sent = uploaded_lines(stub)
    prompts = ["\n".join(m["content"] for m in line["body"]["messages"]) for line in sent]
    assert len(sent) == 2 and not any("a.txt" in p for p in prompts)
    assert all(line["method"] == "POST" and line["url"] == "/v1/chat/completions" for line in sent)
    assert {s.path.rsplit("/", 1)[-1]: s.status for s in b.sources} == dict.fromkeys(ARTICLES, "briefed")


def test_a_failed_line_becomes_a_warning_for_its_chunk_and_the_others_are_briefed(
    folder: Path, tmp_path: Path, stub: StubServer
) -> None:
    stub.faults = Faults.parse("ok,500")  # the second line of the batch: b.txt

    b = generate_briefing([folder], settings=settings_for(stub.url, tmp_path / "cache", batch=True))

    status = {s.path.rsplit("/", 1)[-1]: s for s in b.sources}
    assert status["a.txt"].status == status["c.txt"].status == "briefed"
    assert status["b.txt"].status == "skipped" and "HTTP 500" in (status["b.txt"].reason or "")
    assert [w for w in b.warnings if "b.txt (chunk 1) was not summarized" in w and "HTTP 500" in w]
    assert b.stats.chunks_failed == 1 and {c.source.rsplit("/", 1)[-1] for a in b.actors for c in a.citations} >= {
        "a.txt",
        "c.txt",
    }


@pytest.mark.parametrize(
    ("end", "says"),
    [("expired", "expired before the endpoint finished it"), ("cancelled", "was cancelled"), ("failed", "failed")],
)
def test_a_batch_that_does_not_complete_is_one_clear_line_and_nothing_is_written(
    end: str, says: str, folder: Path, tmp_path: Path
) -> None:
    cache, out = tmp_path / "cache", tmp_path / "out"
    out.mkdir()
    with StubServer(batch_statuses=("validating", "in_progress", end)) as stub:
        result = CliRunner().invoke(
            main,
            ["run", str(folder), "--batch", "-o", str(out / "b.md"), "--json", str(out / "b.json")],
            env=cli_env(stub.url, cache),
        )
    lines = result.stderr.strip().splitlines()

    assert result.exit_code == 1, result.output
    assert lines[-1].startswith("briefing: error: batch batch_stub_1 ") and says in lines[-1]
    assert "Traceback" not in result.output
    assert list(out.iterdir()) == [] and state_files(cache) == []  # no briefing, no temp file, nothing to resume


def test_an_expired_batch_keeps_what_it_answered_and_the_next_run_sends_only_the_rest(
    folder: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    with StubServer(batch_statuses=("validating", "in_progress", "expired")) as stub:
        with pytest.raises(ModelError, match="1 of 3 answers are kept"):
            generate_briefing([folder], settings=settings_for(stub.url, cache, batch=True))
        stub.batch_statuses = list(BATCH_STATUSES)
        b = generate_briefing([folder], settings=settings_for(stub.url, cache, batch=True))

    first, second = [stub.file_data[f] for f, meta in stub.files.items() if meta["purpose"] == "batch"]
    assert len(first.splitlines()) == 3 and len(second.splitlines()) == 2  # the answered one was paid for once
    assert all(s.status == "briefed" for s in b.sources)


def test_a_run_past_its_deadline_keeps_the_batch_id_and_the_next_run_resumes_it(
    folder: Path, tmp_path: Path, stub: StubServer
) -> None:
    cache = tmp_path / "cache"
    stub.batch_hold = True
    with pytest.raises(ModelError, match=r"still in_progress after .* run the same command again to resume"):
        generate_briefing([folder], settings=settings_for(stub.url, cache, batch=True, batch_deadline=0.05))
    assert len(state_files(cache)) == 1

    stub.batch_hold = False
    b = generate_briefing([folder], settings=settings_for(stub.url, cache, batch=True))

    assert len(stub.batches) == 1 and len(stub.files) == 2  # one input file, one output file: nothing sent twice
    assert all(s.status == "briefed" for s in b.sources) and state_files(cache) == []


def test_a_killed_run_resumes_its_batch_instead_of_creating_another(
    folder: Path, tmp_path: Path, stub: StubServer
) -> None:
    cache, out = tmp_path / "cache", tmp_path / "briefing.md"
    stub.batch_hold = True
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFING_"))}
    env |= {k: v for k, v in cli_env(stub.url, cache).items() if v is not None}
    child = subprocess.Popen(
        [sys.executable, "-m", "briefing.surfaces.cli", "run", str(folder), "--batch", "-o", str(out)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        give_up = time.monotonic() + 60
        while not (stub.batches and state_files(cache) and stub.batches["batch_stub_1"]["status"] == "in_progress"):
            assert child.poll() is None and time.monotonic() < give_up, "the run never started waiting for its batch"
            time.sleep(0.02)
    finally:
        child.send_signal(signal.SIGKILL)  # no clean-up of any kind
        child.wait(10)
    assert not out.exists() and len(state_files(cache)) == 1

    stub.batch_hold = False
    result = CliRunner().invoke(main, ["run", str(folder), "--batch", "-o", str(out)], env=cli_env(stub.url, cache))

    assert result.exit_code == 0, result.output
    assert len(stub.batches) == 1 and len(uploaded_lines(stub)) == 3  # resumed: one batch, uploaded once
    assert "resuming batch batch_stub_1" in result.stderr
    assert out.read_text(encoding="utf-8").count("a.txt") and state_files(cache) == []


def test_daily_takes_batch_too(folder: Path, tmp_path: Path, stub: StubServer) -> None:
    result = CliRunner().invoke(
        main,
        ["daily", "--sources", str(folder), "--out-dir", str(tmp_path / "days"), "--date", "2015-09-28", "--batch"],
        env=cli_env(stub.url, tmp_path / "cache"),
    )

    assert result.exit_code == 0, result.output
    assert len(stub.batches) == 1 and stub.batch_lines == 3
    assert (tmp_path / "days" / "2015-09-28.json").exists()


def test_batch_with_the_embedded_model_is_one_clear_line(folder: Path, tmp_path: Path) -> None:
    env = {"OPENAI_API_KEY": None, "OPENAI_BASE_URL": None, "BRIEFING_CACHE_DIR": str(tmp_path / "cache")}
    result = CliRunner().invoke(main, ["run", str(folder), "--batch"], env=env)

    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "briefing: error: --batch sends the map phase through the OpenAI Batch API, which the embedded model does "
        "not have: set OPENAI_API_KEY (or --base-url of a server with /v1/batches), or run without --batch"
    )
    assert not (tmp_path / "cache").exists()  # nothing was assembled or started


def test_an_endpoint_without_the_batch_api_is_one_clear_line(folder: Path, tmp_path: Path) -> None:
    from tests.fakes import OpenAIStub, answer

    with OpenAIStub(default=answer) as plain:  # chat completions only: /v1/files is 404
        with pytest.raises(ModelError, match="does not serve the OpenAI Batch API"):
            generate_briefing(
                [folder], settings=settings_for(plain.url, tmp_path / "cache", batch=True, max_attempts=1)
            )


# --------------------------------------------------------------------------- polling


async def test_polls_back_off_up_to_ten_times_the_first_wait_and_report_progress(tmp_path: Path) -> None:
    waits: list[float] = []
    seen: list[tuple[str, int, int]] = []
    with StubServer() as stub:
        stub.batch_hold = True

        async def sleep(seconds: float) -> None:
            waits.append(seconds)
            stub.batch_hold = len(waits) < 7  # then finalizing, completed: eight waits in all

        client = OpenAIModel(base_url=stub.url, api_key="k", model="stub")
        prompt = [{"role": "user", "content": f"<article>\n{ARTICLES['a.txt']}</article>"}]
        question = Question("a.txt (chunk 1)", prompt, ChunkNotes, 100)
        try:
            outcome = await send_batch(
                client,
                [question],
                state_dir=tmp_path,
                poll_interval=1.0,
                deadline=3600.0,
                progress=lambda stage, done, total: seen.append((stage, done, total)),
                sleep=sleep,
            )
        finally:
            await client.aclose()

    assert waits == [1.0, 1.5, 2.25, 3.375, 5.0625, 7.59375, 10.0, 10.0]
    assert seen[0] == ("batch", 0, 1) and seen[-1] == ("batch", 1, 1)
    assert len(outcome.answers) == 1 and client.meter.model_calls == 1 and client.meter.prompt_tokens > 0
