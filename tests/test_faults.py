"""Whole runs against a flaky endpoint: the stub server (`briefing.model.stub`) on loopback injects every
fault kind the issue lists, and the run still briefs every source with every citation verified; a source
whose calls fail for good is reported as failed everywhere while the others are briefed; a dead endpoint
fails fast with one clear line. Also the bounds of one model call: a total deadline (not per read), a
circuit breaker, a response size cap.

Retry waits are configured short through `Settings` (`retry_wait`) and the stub's `Retry-After`; the
total deadline is 0.5 s, so a hang or a drip costs 0.5 s, not minutes.
"""

from __future__ import annotations

import re

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from briefing import Settings, agenerate_briefing, generate_briefing
from briefing.errors import ModelError
from briefing.grounding import verify
from briefing.model.openai import BREAKER_THRESHOLD, CircuitBreaker, OpenAIModel
from briefing.model.stub import (
    DRIP,
    FAULTS,
    HANG,
    OVERSIZED,
    TRANSPORT_FAULTS,
    Faults,
    StubServer,
)
from briefing.models import Briefing, ChunkNotes, Citation
from briefing.render import to_json, to_markdown
from briefing.render.slack import to_slack
from briefing.surfaces.cli import main

from .fakes import ARTICLES

pytestmark = pytest.mark.model_requests

TIMEOUT = 0.5  # the total deadline of one model call in these tests (a normal stub answer takes ~5 ms)


def settings_for(url: str, tmp_path: Path, **changes: object) -> Settings:
    options: dict = dict(
        base_url=url,
        model="stub",
        use_cache=False,
        cache_dir=tmp_path / "cache",
        concurrency=1,  # calls arrive in a known order, so a schedule hits known calls
        request_timeout=TIMEOUT,
        retry_wait=0.01,
        max_attempts=4,
    )
    options.update(changes)
    return Settings(**options)


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer(retry_after=0.01, drip_interval=0.05, oversized_bytes=2 << 20) as server:
        yield server


def citations(b: Briefing) -> list[Citation]:
    items = [*b.summary, *b.actors, *b.positions, *b.military_movements, *b.open_questions, *b.facts]
    found = [c for item in items for c in item.citations]
    found += [c for d in b.discrepancies for claim in d.claims for c in claim.citations]
    return found + list(b.withheld)


def assert_everything_briefed_and_verified(b: Briefing, folder: Path, names: tuple[str, ...] = tuple(ARTICLES)) -> None:
    assert {Path(s.path).name: s.status for s in b.sources} == dict.fromkeys(names, "briefed")
    assert b.stats.chunks_failed == 0 and b.stats.summary_calls_failed == 0
    cited = citations(b)
    assert {Path(c.source).name for c in cited} == set(names)  # every source is cited somewhere
    for c in cited:
        assert verify(c, (folder / Path(c.source).name).read_text(encoding="utf-8")), c


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- whole runs through faults


@pytest.mark.parametrize("kind", FAULTS)
def test_a_run_through_each_fault_kind_briefs_every_source_with_every_citation_verified(
    kind: str, stub: StubServer, folder: Path, tmp_path: Path
) -> None:
    # Transport faults hit three attempts in a row (the fourth gets through); an answer that is not valid
    # is re-asked once, so it hits one call. A hang or a drip costs a whole deadline: once is enough.
    times = 1 if kind not in TRANSPORT_FAULTS or kind in (HANG, DRIP) else 3
    stub.faults = Faults(schedule=[kind] * times)

    b = generate_briefing([folder], settings=settings_for(stub.url, tmp_path))

    assert stub.served[:times] == [kind] * times and stub.served[times:] == ["ok"] * (len(stub.served) - times)
    assert b.usage.retries == times  # each fault cost exactly one retry or re-ask, nothing more
    assert_everything_briefed_and_verified(b, folder)


def test_a_run_through_a_mix_of_every_fault_briefs_every_source(stub: StubServer, folder: Path, tmp_path: Path) -> None:
    # With one call at a time: a.txt, b.txt and c.txt are asked for notes in turn, then the key points.
    # No call meets more than one bad answer, and none more than three transport faults in a row.
    stub.faults = Faults.parse(
        "429,broken-json,500,drop,ok,"  # a.txt: rate limited, bad answer; its re-ask 500, dropped, answered
        "truncated,503,hang,ok,"  # b.txt: cut off; its re-ask unavailable, hangs, answered
        "refusal,drip,oversized,ok,"  # c.txt: refused; its re-ask drips, is oversized, answered
        "empty,ok"  # the key points: empty; the re-ask answered
    )

    b = generate_briefing([folder], settings=settings_for(stub.url, tmp_path))

    assert set(stub.served) == {*FAULTS, "ok"}
    assert_everything_briefed_and_verified(b, folder)
    assert len(b.summary) >= 3


async def test_a_run_through_random_transport_faults_briefs_every_source(folder: Path, tmp_path: Path) -> None:
    kinds = tuple(k for k in TRANSPORT_FAULTS if k not in (HANG, DRIP))  # these two cost a whole deadline each
    faults = Faults(rate=0.4, kinds=kinds, seed=3)
    with StubServer(faults=faults, retry_after=0.01, oversized_bytes=2 << 20) as server:
        b = await agenerate_briefing([folder], settings=settings_for(server.url, tmp_path, concurrency=3))

    assert sum(kind != "ok" for kind in server.served) >= 2
    assert_everything_briefed_and_verified(b, folder)


# --------------------------------------------------------------------------- a source that fails for good


def test_a_source_whose_calls_always_fail_is_reported_failed_in_every_output_and_the_others_briefed(
    stub: StubServer, folder: Path, tmp_path: Path
) -> None:
    stub.faults = Faults(always={"b.txt": "500"})

    b = generate_briefing([folder], settings=settings_for(stub.url, tmp_path))

    record = next(s for s in b.sources if s.path.endswith("b.txt"))
    assert record.status == "skipped"
    assert "could not summarize" in (record.reason or "") and "HTTP 500" in (record.reason or "")
    assert stub.served.count("500") == 4  # every attempt, then it gave up on that source only
    briefed = {Path(s.path).name for s in b.sources if s.status == "briefed"}
    assert briefed == {"a.txt", "c.txt"}
    assert {Path(c.source).name for c in citations(b)} == {"a.txt", "c.txt"}
    assert all(verify(c, (folder / Path(c.source).name).read_text(encoding="utf-8")) for c in citations(b))
    # ... and every output says so.
    markdown = to_markdown(b)
    line = next(x for x in markdown.splitlines() if "b.txt" in x)
    assert "skipped" in line and "could not summarize" in line
    data = json.loads(to_json(b))
    assert {Path(s["path"]).name: s["status"] for s in data["sources"]}["b.txt"] == "skipped"
    slack = json.dumps(to_slack(b).blocks)
    assert "1 skipped" in slack and "b.txt" in slack and "could not summarize" in slack


def cli_env(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "OPENAI_BASE_URL": url,
        "BRIEFING_MODEL": "stub",
        "OPENAI_API_KEY": "",
        "BRIEFING_CACHE_DIR": str(tmp_path / "cache"),
        "BRIEFING_NO_CACHE": "1",
        "BRIEFING_CONCURRENCY": "1",
        "BRIEFING_TIMEOUT": str(TIMEOUT),
        "BRIEFING_RETRY_WAIT": "0.01",
        "BRIEFING_MAX_ATTEMPTS": "3",
    }


def test_the_cli_exits_0_when_one_source_fails_and_names_it(stub: StubServer, folder: Path, tmp_path: Path) -> None:
    stub.faults = Faults(always={"b.txt": "503"})
    out = tmp_path / "out.md"

    result = CliRunner().invoke(main, ["run", str(folder), "-o", str(out)], env=cli_env(stub.url, tmp_path))

    assert result.exit_code == 0, result.stderr
    assert "skipped" in result.stderr and "b.txt" in result.stderr and "HTTP 503" in result.stderr
    assert stub.served.count("503") == 3  # BRIEFING_MAX_ATTEMPTS
    assert "a.txt" in out.read_text(encoding="utf-8")


def test_the_cli_exits_1_with_one_line_when_nothing_could_be_briefed(
    stub: StubServer, folder: Path, tmp_path: Path
) -> None:
    stub.faults = Faults(rate=1.0, kinds=("500",))

    result = CliRunner().invoke(main, ["run", str(folder), "--quiet"], env=cli_env(stub.url, tmp_path))

    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefing: error: no chunk could be summarized"), result.stderr
    assert "HTTP 500" in lines[0] and "Traceback" not in result.output


# --------------------------------------------------------------------------- a dead endpoint


async def test_a_dead_endpoint_trips_the_breaker_and_every_later_call_fails_at_once(folder: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    many = [(f"wire{i}.txt", text) for i in range(6) for text in ARTICLES.values()][:6]
    client = OpenAIModel(base_url=url, api_key="k", model="m", max_attempts=4, backoff_initial=0.01, backoff_cap=0.02)
    try:
        with pytest.raises(ModelError) as caught:
            await agenerate_briefing(articles=many, client=client, settings=Settings(concurrency=1))
    finally:
        await client.aclose()

    message = str(caught.value)
    assert "unreachable" in message and url in message and "\n" not in message
    # Three connection attempts in all (two retries), not four attempts for each of the six articles.
    assert client.meter.retries == BREAKER_THRESHOLD - 1


def test_the_cli_against_a_closed_port_fails_with_one_clear_line(folder: Path, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    env = cli_env(url, tmp_path) | {"BRIEFING_MAX_ATTEMPTS": "10", "BRIEFING_RETRY_WAIT": "0.01"}

    result = CliRunner().invoke(main, ["run", str(folder)], env=env)

    assert result.exit_code == 1
    # progress lines (stderr is no terminal here) are not errors: the error itself is one line, last
    lines = [
        line for line in result.stderr.strip().splitlines() if not re.fullmatch(r"briefing: [a-z ]+ \d+/\d+", line)
    ]
    assert len(lines) == 1 and lines[0].startswith("briefing: error:"), result.stderr
    assert result.stderr.strip().splitlines()[-1] == lines[0] and "Traceback" not in result.stderr
    assert "unreachable" in lines[0] and url in lines[0] and "Connection refused" in lines[0]


def test_the_breaker_opens_after_consecutive_failures_and_lets_one_probe_through_after_its_cooldown() -> None:
    now = [100.0]
    breaker = CircuitBreaker(threshold=3, cooldown=30.0, clock=lambda: now[0])

    assert [breaker.failure("refused") for _ in range(3)] == [False, False, True]
    with pytest.raises(ModelError, match="unreachable .*3 connection attempts in a row.*refused"):
        breaker.check("http://x/v1")
    now[0] += 31  # after the cooldown, one probe may go
    breaker.check("http://x/v1")
    assert breaker.failure("refused again") is True  # the probe failed: open again at once
    with pytest.raises(ModelError):
        breaker.check("http://x/v1")
    now[0] += 31
    breaker.success()  # the endpoint is back
    breaker.check("http://x/v1")
    assert breaker.failure("refused") is False


# --------------------------------------------------------------------------- the bounds of one call

MESSAGES = [{"role": "user", "content": '<article source="a.txt">\n' + ARTICLES["a.txt"] + "\n</article>"}]


async def one_call(url: str, **options: Any) -> OpenAIModel:
    client = OpenAIModel(base_url=url, api_key="k", model="stub", max_attempts=1, **options)
    try:
        await client.structured(MESSAGES, ChunkNotes)
    finally:
        await client.aclose()
    return client


async def test_a_server_dripping_bytes_is_cut_off_at_the_total_deadline_not_per_read(stub: StubServer) -> None:
    stub.faults = Faults.parse(DRIP)  # a byte every 0.05 s: no read ever waits long, the whole answer takes ~40 s

    with pytest.raises(ModelError, match=r"did not finish answering within 0\.5 s"):
        await one_call(stub.url, timeout=TIMEOUT)


async def test_an_oversized_answer_is_refused_before_it_is_read_whole(stub: StubServer) -> None:
    stub.faults = Faults.parse(OVERSIZED)  # 2 MiB, chunked: no Content-Length to go by

    with pytest.raises(ModelError, match=r"larger than 1,000,000 bytes"):
        await one_call(stub.url, max_response_bytes=1_000_000)


async def test_an_answer_declaring_an_oversized_length_is_refused_unread() -> None:
    with StubServer(responder=lambda body: {"facts": [], "pad": "x" * 200_000}) as server:
        with pytest.raises(ModelError, match=r"larger than 100,000 bytes"):
            await one_call(server.url, max_response_bytes=100_000)
