"""Where the embedded model's time goes (`bench.embedded`, `bench.run --embedded`), without any model.

The log parser reads a copy of a real `llama_cpp.server` log (tests/data/llama-server-seeds.log: the seeds
briefed cold, 5 notes calls then 1 key-points call) and fake logs for the edge cases; the end-to-end
measurement runs on a scripted client that writes the log a server would."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bench import embedded as emb
from bench import run
from briefing import Settings
from briefing import api as api_module
from briefing.model import local
from briefing.model.local import LocalServer
from tests.fakes import FAKE_MODEL_SERVER, fake_model, write_module

DATA = Path(__file__).parent / "data"
SEEDS_LOG = DATA / "llama-server-seeds.log"


def perf(prompt_ms: float, prompt_tokens: int, eval_ms: float, runs: int, total_ms: float) -> str:
    return (
        f"llama_perf_context_print:        load time =       1.79 ms\n"
        f"llama_perf_context_print: prompt eval time = {prompt_ms:10.2f} ms / {prompt_tokens:5d} tokens "
        f"(    4.38 ms per token,   228.41 tokens per second)\n"
        f"llama_perf_context_print:        eval time = {eval_ms:10.2f} ms / {runs:5d} runs   "
        f"(   51.24 ms per token,    19.52 tokens per second)\n"
        f"llama_perf_context_print:       total time = {total_ms:10.2f} ms / {prompt_tokens + runs:5d} tokens\n"
        f"llama_perf_context_print:    graphs reused =        195\n"
    )


POST_OK = 'INFO:     127.0.0.1:48322 - "POST /v1/chat/completions HTTP/1.1" 200 OK\n'


# --------------------------------------------------------------------------------------------------------
# the log
# --------------------------------------------------------------------------------------------------------


def test_the_real_seeds_log_gives_every_request_with_its_timings() -> None:
    requests = emb.read_log(SEEDS_LOG)

    assert [r.prompt_tokens for r in requests] == [733, 736, 1035, 884, 767, 1628]
    assert [r.prefix_hit for r in requests] == [0, 273, 273, 273, 273, 8]  # no prefix line on the first
    assert all(r.answered for r in requests)
    first, second = requests[0], requests[1]
    assert (first.prompt_ms, first.prompt_eval_tokens, first.eval_ms, first.runs) == (3209.18, 733, 10093.80, 197)
    assert (second.prompt_eval_tokens, second.total_ms) == (463, 41363.73)
    assert second.other_ms == pytest.approx(41363.73 - 7791.75 - 20368.10)
    s = emb.speeds(requests)
    assert (s.prompt_tokens, s.generated) == (4683, 2004)  # prefilled: the cached prefixes not counted
    assert s.other_s == pytest.approx(67.3, abs=0.05)  # the time outside llama.cpp's decode: 67 s of 232
    assert sum(r.total_ms or 0 for r in requests) / 1000 == pytest.approx(231.8, abs=0.05)


def test_a_request_cut_short_is_kept_unfinished_and_is_no_answer() -> None:
    text = (
        "Llama.generate: 296 prefix-match hit, remaining 627 prompt tokens to eval\n"
        + perf(8307.42, 627, 1298.11, 36, 10353.39)
        + POST_OK
        + "Llama.generate: 296 prefix-match hit, remaining 786 prompt tokens to eval\n"
        "INFO:     Shutting down\n"
    )
    requests = emb.parse_log(text)

    assert len(requests) == 2
    assert requests[0].answered and requests[0].status == 200
    cut = requests[1]
    assert not cut.finished and not cut.answered and cut.prompt_tokens == 296 + 786
    assert emb.speeds(requests).prompt_tokens == 627  # the cut request adds nothing


def test_a_failed_request_is_no_answer_and_the_next_one_is_its_own() -> None:
    text = (
        "Llama.generate: 273 prefix-match hit, remaining 463 prompt tokens to eval\n"
        "Traceback (most recent call last):\n  ...\nValueError: boom\n"
        'INFO:     127.0.0.1:1 - "POST /v1/chat/completions HTTP/1.1" 500 Internal Server Error\n'
        'INFO:     127.0.0.1:1 - "POST /v1/chat/completions HTTP/1.1" 500 Internal Server Error\n'
        + perf(900.0, 700, 2000.0, 50, 3500.0)
        + POST_OK
    )
    requests = emb.parse_log(text)

    assert [(r.status, r.answered) for r in requests] == [(500, False), (500, False), (200, True)]
    assert requests[2].prefix_hit == 0 and requests[2].prompt_tokens == 700


def test_a_log_without_timing_lines_has_requests_but_no_speeds_and_no_floor() -> None:
    requests = emb.parse_log('INFO:     127.0.0.1:1 - "GET /v1/models HTTP/1.1" 200 OK\n' + POST_OK * 2)

    assert len(requests) == 2 and not any(r.finished for r in requests)
    s = emb.speeds(requests)
    assert s.prompt_tps is None and s.generation_tps is None
    assert emb.floor_seconds(1000, 100, s) is None


def test_the_newest_server_log_of_a_folder_is_read(tmp_path: Path) -> None:
    assert emb.newest_log(tmp_path / "missing") is None
    old, new = tmp_path / "llama-server-1.log", tmp_path / "llama-server-2.log"
    old.write_text("old")
    new.write_text("new")
    os.utime(old, (1_000, 1_000))
    (tmp_path / "other.log").write_text("not a server log")

    assert emb.newest_log(tmp_path) == new


# --------------------------------------------------------------------------------------------------------
# which request is which stage
# --------------------------------------------------------------------------------------------------------


def seeds_calls() -> list[emb.Call]:
    prompts = [733, 736, 1035, 884, 767]
    calls = [emb.Call(emb.NOTES, 1, p, 0, 30.0) for p in prompts]
    return [*calls, emb.Call(emb.KEY_POINTS, 1, 1628, 0, 75.0)]


def test_requests_take_their_calls_stages_in_order_checked_on_prompt_tokens() -> None:
    attributed = emb.attribute(emb.read_log(SEEDS_LOG), seeds_calls())

    assert attributed.stages == [emb.NOTES] * 5 + [emb.KEY_POINTS]
    assert attributed.verified and attributed.note == ""


def test_a_reask_is_two_requests_of_one_call_and_a_cached_call_none() -> None:
    requests = emb.read_log(SEEDS_LOG)
    calls = [
        emb.Call(emb.NOTES, 1, 733, 0, 1.0),
        emb.Call(emb.NOTES, 0, 0, 0, 0.01),  # answered from the response cache
        emb.Call(emb.NOTES, 2, 736 + 1035, 0, 1.0),  # the question and its re-ask
        emb.Call(emb.NOTES, 1, 884, 0, 1.0),
        emb.Call(emb.NOTES, 1, 767, 0, 1.0),
        emb.Call(emb.KEY_POINTS, 1, 1628, 0, 1.0),
    ]
    attributed = emb.attribute(requests, calls)

    assert attributed.verified and attributed.stages == [emb.NOTES] * 5 + [emb.KEY_POINTS]


def test_counts_that_disagree_leave_every_request_unattributed() -> None:
    requests = emb.read_log(SEEDS_LOG)

    attributed = emb.attribute(requests, seeds_calls()[:5])

    assert attributed.stages == [emb.UNATTRIBUTED] * 6 and not attributed.verified
    assert "6 answered requests in the log, 5 counted by the client" in attributed.note


def test_prompt_tokens_that_disagree_are_reported_not_hidden() -> None:
    calls = seeds_calls()
    calls[2].prompt_tokens += 1

    attributed = emb.attribute(emb.read_log(SEEDS_LOG), calls)

    assert attributed.stages[2] == emb.NOTES and not attributed.verified
    assert attributed.note == "prompt tokens differ for call(s) 3"


# --------------------------------------------------------------------------------------------------------
# the breakdown and the floor
# --------------------------------------------------------------------------------------------------------


def test_the_segments_add_up_to_the_wall_and_the_stages_split_the_log() -> None:
    requests = emb.read_log(SEEDS_LOG)
    calls = seeds_calls()  # 5 x 30 s + 75 s = 225 s in calls, of which 12 s assembly + start
    calls[0].seconds += 12.0
    result = emb.breakdown(
        wall_s=250.0,
        assembly_s=0.5,
        startup_s=11.5,
        stop_s=1.0,
        calls=calls,
        requests=requests,
        attributed=emb.attribute(requests, calls),
        source_tokens=2700,
        output_tokens=1500,
    )

    seg = result["segments_s"]
    assert list(seg) == list(emb.SEGMENTS)
    assert sum(seg.values()) == pytest.approx(250.0, abs=0.05)
    assert seg["server start"] == 12.5 and seg["pipeline CPU"] == pytest.approx(250 - 237 - 1)
    assert seg["prefill"] == pytest.approx(65.15, abs=0.01) and seg["generation"] == pytest.approx(99.4, abs=0.1)
    assert result["request_overhead_s"] == pytest.approx(237 - 12 - 231.8, abs=0.05)  # negative: calls too short
    notes, key_points = result["stages"][emb.NOTES], result["stages"][emb.KEY_POINTS]
    assert (notes["calls"], notes["prompt_tokens"], notes["generated_tokens"]) == (5, 4155, 1348)
    assert (key_points["calls"], key_points["prefilled_tokens"], key_points["generated_tokens"]) == (1, 1620, 656)
    speeds = emb.speeds(requests)
    floor = 2700 / speeds.prompt_tps + 1500 / speeds.generation_tps
    assert result["floor_s"] == pytest.approx(floor, abs=0.01)
    assert result["floor_ratio"] == pytest.approx(250 / floor, abs=0.01)


def test_the_briefing_output_is_what_the_model_writes_never_the_code_made_items() -> None:
    from briefing.models import Actor, Briefing, Citation, KeyPoint, Position

    cite = [
        Citation(source="a.txt", start=0, end=5, quote="Hello"),
        Citation(source="b.txt", start=0, end=3, quote="Hey"),
    ]
    b = Briefing(
        title="t",
        generated_at="2026-01-01T00:00:00Z",
        summary=[KeyPoint(text="A point.", citations=cite)],
        actors=[Actor(name="Russia", kind="state", role="a state", citations=cite)],
        positions=[Position(actor="Russia", stance="Russia said it backs Assad.", citations=cite)],
    )

    # key points name statements (no quote); positions are source sentences picked by code: no generation
    assert json.loads(emb.output_text(b)) == [["A point."], ["Russia", "state", "a state", "Hello"]]


# --------------------------------------------------------------------------------------------------------
# the docs
# --------------------------------------------------------------------------------------------------------


def test_the_docs_section_is_replaced_between_its_markers_and_nothing_else_moves() -> None:
    text = f"# Benchmarks\n\nbefore\n\n{emb.DOC_BEGIN}\nold table\n{emb.DOC_END}\n\nafter\n"

    updated = emb.update_doc(text, "new table")

    assert updated == f"# Benchmarks\n\nbefore\n\n{emb.DOC_BEGIN}\nnew table\n{emb.DOC_END}\n\nafter\n"
    assert emb.update_doc(updated, "new table") == updated
    appended = emb.update_doc("# Benchmarks\n", "first")
    assert appended == f"# Benchmarks\n\n{emb.DOC_BEGIN}\nfirst\n{emb.DOC_END}\n"
    with pytest.raises(ValueError, match="begin/end pair"):
        emb.update_doc(f"{emb.DOC_END}\n{emb.DOC_BEGIN}\n", "x")


def test_the_docs_keep_their_markers() -> None:
    text = (Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md").read_text(encoding="utf-8")

    assert text.count(emb.DOC_BEGIN) == 1 and text.count(emb.DOC_END) == 1
    assert text.index(emb.DOC_BEGIN) < text.index(emb.DOC_END)


# --------------------------------------------------------------------------------------------------------
# end to end, on a scripted client that logs as the server does
# --------------------------------------------------------------------------------------------------------


class LoggingModel:
    """A scripted client standing in for the embedded model: answers as `tests.fakes` plays the model, logs
    each live request as `llama_cpp.server` does, and keeps its answers (the response cache) in `store`."""

    def __init__(self, log: Path, store: dict[str, Any]) -> None:
        self.inner = fake_model()
        self.model, self.endpoint, self.meter = "local", "embedded", self.inner.meter
        self.log, self.store = log, store
        self.requests = 0

    async def structured(self, messages: Any, response_model: Any, *, max_tokens: int = 1024) -> Any:
        key = json.dumps(messages)
        if key in self.store:
            self.meter.cached_calls += 1
            return response_model.model_validate(self.store[key])
        before = self.meter.prompt_tokens
        result = await self.inner.structured(messages, response_model, max_tokens=max_tokens)
        prompt = self.meter.prompt_tokens - before
        prefix = (
            ""
            if self.requests == 0
            else f"Llama.generate: 0 prefix-match hit, remaining {prompt} prompt tokens to eval\n"
        )
        with self.log.open("a") as out:
            out.write(prefix + perf(prompt / 2, prompt, 40.0 * 20, 20, prompt / 2 + 800 + 300) + POST_OK)
        self.requests += 1
        self.store[key] = result.model_dump()
        return result


def logging_opener(store: dict[str, Any]):  # noqa: ANN201 - an `open_model` stand-in
    @asynccontextmanager
    async def opener(settings: Settings, *, on_status: Any = None, progress: Any = None) -> AsyncIterator[Any]:
        logs = settings.cache_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        client = LoggingModel(logs / f"llama-server-{uuid.uuid4().int % 60000}.log", store)
        for mark in (*emb.ASSEMBLY_MARKS, emb.START_MARKS[1]):
            on_status(mark)
        yield client
        if client.requests:
            on_status("local model stopped")

    return opener


def test_a_set_is_measured_cold_then_cached_with_its_time_split_by_stage(tmp_path: Path) -> None:
    articles = tmp_path / "set"
    articles.mkdir()
    for n, text in enumerate(["Russia said it sent jets to Syria. Turkey said it was unclear why.",
                              "France deployed ships. Sergei Lavrov said talks would go on."]):  # fmt: skip
        (articles / f"{n}.txt").write_text(f"Headline {n}\n\n{text}\n")
    said: list[str] = []
    settings = Settings(cache_dir=tmp_path / "cache")

    out = run.measure_set("set", run.set_paths(articles), settings, opener=logging_opener({}), say=said.append)

    assert out["cold"]["model_calls"] == 3 and out["cached"]["model_calls"] == 0
    assert out["cached"]["cached_calls"] == 3
    b = out["breakdown"]
    assert b["stage_split_verified"], b["stage_split_note"]
    assert {s: v["calls"] for s, v in b["stages"].items()} == {emb.NOTES: 2, emb.KEY_POINTS: 1}
    assert sum(b["segments_s"].values()) == pytest.approx(b["wall_s"], abs=0.05)
    assert b["requests_logged"] == 3 and b["source_tokens"] > 0 and b["output_tokens"] > 0
    assert b["floor_s"] is not None and b["floor_ratio"] == pytest.approx(b["wall_s"] / b["floor_s"], abs=0.01)
    assert "| 3 | key points |" in out["requests_table"]
    assert any(line.startswith("set: cold") for line in said) and "notes 2/2" in said


def test_the_docs_and_plot_are_written_from_the_runs(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path / "cache")
    out = run.measure_set("seeds", [run.ROOT / "seeds"], settings, opener=logging_opener({}), say=lambda _: None)
    doc, png = tmp_path / "benchmarks.md", tmp_path / "bench-embedded.png"
    doc.write_text(f"# Benchmarks\n\n{emb.DOC_BEGIN}\nold\n{emb.DOC_END}\n\nend\n")

    run.write_docs({"seeds": out}, doc=doc, plot=png, say=lambda _: None)

    text = doc.read_text()
    assert "\nold\n" not in text and text.endswith("\n\nend\n")
    assert "| seeds | " in text and "![Where the embedded model's time goes](bench-embedded.png)" in text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------------------------------------
# the status messages the bench times the model file and the server by
# --------------------------------------------------------------------------------------------------------


def test_the_embedded_starter_says_what_the_bench_times(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "fakes"
    folder.mkdir()
    module = write_module(folder, FAKE_MODEL_SERVER)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")])))
    gguf = tmp_path / "stub.gguf"
    gguf.write_bytes(b"GGUF" + bytes(64))

    class Fake(LocalServer):
        def _check_installed(self) -> None:
            pass

        def _server_args(self, port: int) -> list[str]:
            return [str(port), "local", "0"]

    Fake.module = module
    monkeypatch.setattr(local, "LocalServer", Fake)
    monkeypatch.setattr(local, "ensure_model", lambda cache_dir, path, progress=None: gguf)
    recorder = emb.Recorder()
    start, _, stop = api_module._embedded_starter(Settings(cache_dir=tmp_path / "c"), recorder.on_status, None)
    try:
        asyncio.run(start())
    finally:
        stop()

    said = [m for _, m in recorder.marks]
    for mark in {*emb.ASSEMBLY_MARKS, *emb.START_MARKS}:
        assert any(m.startswith(mark) for m in said), (mark, said)
    assert recorder.between(*emb.START_MARKS) > 0 and recorder.between(*emb.ASSEMBLY_MARKS) >= 0


# --------------------------------------------------------------------------------------------------------
# the command line
# --------------------------------------------------------------------------------------------------------


def test_embedded_only_skips_the_offline_stages_and_takes_the_first_cluster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "eval"
    for name in ("m-b", "m-a"):
        (shared / name).mkdir(parents=True)
        (shared / name / "01.txt").write_text("Headline\n\nText.\n")
    monkeypatch.setattr(run, "SHARED_EVAL", shared)
    asked: list[Any] = []
    monkeypatch.setattr(run, "offline", lambda repeats: pytest.fail("the offline stages ran"))
    monkeypatch.setattr(run, "embedded", lambda cluster: asked.append(cluster) or {"embedded_seeds_cold_seconds": 1.0})
    out = tmp_path / "results.json"

    assert run.main(["--embedded-only", "--out", str(out)]) == 0

    assert asked == [shared / "m-a"]
    written = json.loads(out.read_text())
    assert written["embedded_seeds_cold_seconds"] == 1.0 and "offline" not in written
    assert {"machine", "date"} <= written.keys()


def test_a_cluster_without_articles_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        run.main(["--embedded-only", "--cluster", str(tmp_path / "nothing"), "--out", str(tmp_path / "r.json")])

    assert info.value.code == 2
    assert "no .txt articles in it" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()
