"""Where the embedded model's time goes, read from its server's log (`bench.run --embedded` uses this).

`llama_cpp.server` (llama-cpp-python 0.3.x) serves one request at a time, in order, and logs each one:
`Llama.generate: P prefix-match hit, remaining R prompt tokens to eval` (absent on a server's first request),
then `llama_perf_context_print` lines: `prompt eval time = X ms / R tokens` (prefill), `eval time = Y ms / N
runs` (generation, one decode per token) and `total time = Z ms / T tokens`. Z counts from the start of
generation to its end, so Z - X - Y is time in llama-cpp-python's Python loop outside llama.cpp's decode:
sampling under the JSON grammar, copying logits, detokenizing ("sampling/other" below).

* `parse_log(text)` -> one `Request` per request the log shows, finished or not (a killed run leaves a
  prefix line and nothing after it; a failed one a `POST ... 500` line).
* `Recorder` wraps the run's real model client and records each logical call: its stage (notes = map
  calls, key points = summarize calls), how many requests it sent (a re-ask is two), its tokens and wall
  time. `attribute(requests, calls)` gives each answered request its stage, in order, checked against the
  prompt tokens both sides counted.
* `breakdown(...)` splits a cold run's wall time into assembly, server start, prefill, generation, other
  and pipeline CPU, per stage too, and `floor(...)` is the least it could take: every source token
  prefilled once at the measured prompt speed plus the briefing's own words generated at the measured
  generation speed.
* `report_markdown`, `plot` and `update_doc` write the docs section and the PNG.

`python -m bench.embedded LOG...` prints the per-request table of server logs already on disk.
Stdlib only at import (matplotlib is imported by `plot`): the unit tests import it without any model.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefing.model import ClientWrapper

NOTES = "notes"
KEY_POINTS = "key points"
FAILED = "failed"
UNATTRIBUTED = "unattributed"
STAGE_OF_MODEL = {"ChunkNotes": NOTES, "SummaryOut": KEY_POINTS}
"""The response model a pipeline call asks for names its stage (extract.py: notes; summarize.py: key points)."""

SEGMENTS = ("assembly", "server start", "prefill", "generation", "other", "pipeline CPU")
"""The bars of the plot, in order; their seconds add up to the cold run's wall time."""
SEGMENT_LABELS = {"other": "other: sampling, grammar, Python", "server start": "server start + stop"}

ASSEMBLY_MARKS = ("preparing the embedded model", "starting the local model")
START_MARKS = ("starting the local model", "local model ready")
"""The status messages (`briefing.api` then `LocalServer`) that open and close the model-file check and the
server's start: `Recorder.between(*ASSEMBLY_MARKS)` and `Recorder.between(*START_MARKS)`."""

DOC_BEGIN = "<!-- embedded-bench:begin (written by `python -m bench.run --embedded`; edits here are replaced) -->"
DOC_END = "<!-- embedded-bench:end -->"

_PREFIX = re.compile(r"Llama\.generate: (\d+) prefix-match hit, remaining (\d+) prompt tokens to eval")
_PROMPT = re.compile(r"prompt eval time =\s*([\d.]+) ms /\s*(\d+) tokens")
_EVAL = re.compile(r"(?<!prompt )eval time =\s*([\d.]+) ms /\s*(\d+) runs")
_TOTAL = re.compile(r"total time =\s*([\d.]+) ms /\s*(\d+) tokens")
_POST = re.compile(r'"POST /v1/chat/completions HTTP/[\d.]+" (\d{3})')


# --------------------------------------------------------------------------------------------------------
# The log
# --------------------------------------------------------------------------------------------------------


@dataclass
class Request:
    """One chat request as the server logged it (times in ms; None where the log has no line for it)."""

    prefix_hit: int = 0
    remaining: int | None = None  # from the prefix line
    prompt_ms: float | None = None
    prompt_eval_tokens: int | None = None
    eval_ms: float | None = None
    runs: int | None = None
    total_ms: float | None = None
    total_tokens: int | None = None
    status: int | None = None  # the HTTP status of its POST line, when logged

    @property
    def finished(self) -> bool:
        """The server printed its timings (it generated to the end)."""
        return self.total_ms is not None

    @property
    def answered(self) -> bool:
        """Finished and not answered with an error status: what the client counts as a model call."""
        return self.finished and (self.status is None or self.status < 400)

    @property
    def prompt_tokens(self) -> int:
        """The whole prompt, as the client's usage counts it: the cached prefix plus what was evaluated."""
        evaluated = self.prompt_eval_tokens if self.prompt_eval_tokens is not None else (self.remaining or 0)
        return self.prefix_hit + evaluated

    @property
    def other_ms(self) -> float:
        """Time inside the request's generation that is neither prefill nor decode (sampling, grammar, Python)."""
        if self.total_ms is None:
            return 0.0
        return max(0.0, self.total_ms - (self.prompt_ms or 0.0) - (self.eval_ms or 0.0))


def parse_log(text: str) -> list[Request]:
    """Every chat request in a `llama_cpp.server` log, in order (module docstring). Lines of other kinds
    (loading, GET /v1/models, tracebacks) are skipped; a request cut short is kept, unfinished."""
    requests: list[Request] = []
    current: Request | None = None

    def close() -> None:
        nonlocal current
        if current is not None:
            requests.append(current)
            current = None

    for line in text.splitlines():
        if m := _PREFIX.search(line):
            close()
            current = Request(prefix_hit=int(m[1]), remaining=int(m[2]))
        elif m := _PROMPT.search(line):
            if current is None or current.prompt_ms is not None:
                close()
                current = Request()
            current.prompt_ms, current.prompt_eval_tokens = float(m[1]), int(m[2])
        elif m := _EVAL.search(line):
            if current is None:
                current = Request()
            current.eval_ms, current.runs = float(m[1]), int(m[2])
        elif m := _TOTAL.search(line):
            if current is None:
                current = Request()
            current.total_ms, current.total_tokens = float(m[1]), int(m[2])
        elif m := _POST.search(line):
            status = int(m[1])
            if current is not None:
                current.status = status
                close()
            elif requests and requests[-1].status is None:
                requests[-1].status = status
            else:  # an answer with no request lines before it: refused before generating
                requests.append(Request(status=status))
    close()
    return requests


def read_log(path: Path) -> list[Request]:
    return parse_log(path.read_text(encoding="utf-8", errors="replace"))


def newest_log(log_dir: Path) -> Path | None:
    """The newest `llama-server-*.log` in `log_dir` (`LocalServer` names its log so), or None."""
    logs = sorted(log_dir.glob("llama-server-*.log"), key=lambda p: p.stat().st_mtime) if log_dir.is_dir() else []
    return logs[-1] if logs else None


# --------------------------------------------------------------------------------------------------------
# The calls, and which request belongs to which stage
# --------------------------------------------------------------------------------------------------------


@dataclass
class Call:
    """One logical model call of the pipeline, as `Recorder` saw it."""

    stage: str
    requests: int  # answers the client received (a re-ask is two); 0 when the cache answered
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    failed: bool = False


class Recorder(ClientWrapper):
    """A `ModelClient` around the run's real client (`wrap` it) that records every call (`calls`) and when
    the status messages came (`marks`): give `on_status` to `open_model` so the server's start is timed.

    The per-call counts are the inner meter's differences, exact when calls run one at a time (the
    embedded model's concurrency is 1); `attribute` checks them against the log."""

    def __init__(self, clock: Any = time.perf_counter, echo: Any = None) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self.marks: list[tuple[float, str]] = []
        self._clock = clock
        self._echo = echo

    def wrap(self, inner: Any) -> Recorder:
        self.inner = inner
        return self

    def on_status(self, message: str) -> None:
        self.marks.append((self._clock(), message))
        if self._echo is not None:
            self._echo(message)

    async def structured(self, messages: Any, response_model: Any, *, max_tokens: int = 1024) -> Any:
        meter = self.inner.meter
        before = (meter.model_calls, meter.prompt_tokens, meter.completion_tokens)
        began = self._clock()
        failed = False
        try:
            return await self.inner.structured(messages, response_model, max_tokens=max_tokens)
        except BaseException:
            failed = True
            raise
        finally:
            self.calls.append(
                Call(
                    stage=STAGE_OF_MODEL.get(response_model.__name__, response_model.__name__),
                    requests=meter.model_calls - before[0],
                    prompt_tokens=meter.prompt_tokens - before[1],
                    completion_tokens=meter.completion_tokens - before[2],
                    seconds=self._clock() - began,
                    failed=failed,
                )
            )

    def between(self, first: str, then: str) -> float:
        """Seconds from the first status message starting with `first` to the next starting with `then`
        (0 when either is missing: the server was not started, the cache answered everything)."""
        start = next((t for t, m in self.marks if m.startswith(first)), None)
        if start is None:
            return 0.0
        end = next((t for t, m in self.marks if t >= start and m.startswith(then)), None)
        return 0.0 if end is None else end - start


@dataclass
class Attributed:
    """The log's requests with a stage each, and whether the two accounts agreed."""

    stages: list[str]  # one per request of the log, in order
    verified: bool  # every call's prompt tokens equal its requests' prompt tokens in the log
    note: str = ""


def attribute(requests: Sequence[Request], calls: Sequence[Call]) -> Attributed:
    """Give each logged request its stage. Answered requests are matched to the calls' requests in order
    (the server serves one at a time, in order); requests the server did not answer are `failed`. When the
    counts differ (another client used the server, a log from another run), every request is
    `unattributed`: totals stay right, the split by stage is not guessed."""
    expected = [(i, c.stage) for i, c in enumerate(calls) for _ in range(c.requests)]
    answered = [r for r in requests if r.answered]
    if len(answered) != len(expected):
        note = f"{len(answered)} answered requests in the log, {len(expected)} counted by the client"
        return Attributed([UNATTRIBUTED] * len(requests), False, note)
    stages: list[str] = []
    logged_prompt = [0] * len(calls)
    it = iter(expected)
    for r in requests:
        if r.answered:
            index, stage = next(it)
            logged_prompt[index] += r.prompt_tokens
            stages.append(stage)
        else:
            stages.append(FAILED)
    mismatched = [i for i, c in enumerate(calls) if c.requests and logged_prompt[i] != c.prompt_tokens]
    note = f"prompt tokens differ for call(s) {', '.join(str(i + 1) for i in mismatched)}" if mismatched else ""
    return Attributed(stages, not mismatched, note)


# --------------------------------------------------------------------------------------------------------
# The breakdown and the floor
# --------------------------------------------------------------------------------------------------------


@dataclass
class Speeds:
    prompt_tokens: int = 0  # evaluated (prefilled), not counting cached prefixes
    prompt_s: float = 0.0
    generated: int = 0  # decode runs
    generation_s: float = 0.0
    other_s: float = 0.0

    @property
    def prompt_tps(self) -> float | None:
        return self.prompt_tokens / self.prompt_s if self.prompt_s > 0 else None

    @property
    def generation_tps(self) -> float | None:
        return self.generated / self.generation_s if self.generation_s > 0 else None

    @property
    def other_ms_per_token(self) -> float | None:
        return 1000 * self.other_s / self.generated if self.generated else None

    def add(self, r: Request) -> None:
        if not r.finished:
            return
        self.prompt_tokens += r.prompt_eval_tokens or 0
        self.prompt_s += (r.prompt_ms or 0.0) / 1000
        self.generated += r.runs or 0
        self.generation_s += (r.eval_ms or 0.0) / 1000
        self.other_s += r.other_ms / 1000

    def as_dict(self) -> dict[str, Any]:
        return {
            "prefilled_tokens": self.prompt_tokens,
            "prefill_s": round(self.prompt_s, 2),
            "prefill_tokens_per_s": _round(self.prompt_tps, 1),
            "generated_tokens": self.generated,
            "generation_s": round(self.generation_s, 2),
            "generation_tokens_per_s": _round(self.generation_tps, 1),
            "sampling_other_s": round(self.other_s, 2),
            "other_ms_per_generated_token": _round(self.other_ms_per_token, 1),
        }


def speeds(requests: Iterable[Request]) -> Speeds:
    s = Speeds()
    for r in requests:
        s.add(r)
    return s


def floor_seconds(source_tokens: int, output_tokens: int, s: Speeds) -> float | None:
    """Every source token prefilled once at the measured prompt speed, plus the briefing's own words at the
    measured generation speed: no instructions, no repeated prefix, no sampling overhead, no server start."""
    if not s.prompt_tps or not s.generation_tps:
        return None
    return source_tokens / s.prompt_tps + output_tokens / s.generation_tps


def breakdown(
    *,
    wall_s: float,
    assembly_s: float,
    startup_s: float,
    stop_s: float,
    calls: Sequence[Call],
    requests: Sequence[Request],
    attributed: Attributed,
    source_tokens: int,
    output_tokens: int,
) -> dict[str, Any]:
    """A cold run's wall time split into `SEGMENTS` (they add up to `wall_s`), per stage too, and its floor.

    * assembly: finding (or assembling and verifying) the model file, inside the first call;
    * server start: launching `llama_cpp.server` until it answers, plus stopping it at the end;
    * prefill, generation: llama.cpp's own prompt-eval and eval times, from the log;
    * other: the rest of the time spent inside model calls: sampling under the grammar and other Python in
      the server's generate loop (`sampling_other_s`, from the log), then HTTP, chat template, grammar set-up
      and the client's JSON parsing (`request_overhead_s`, measured minus logged);
    * pipeline CPU: the run's time outside model calls (loading, chunking, grounding, merging, rendering).
    """
    live = [r for r in requests if r.finished]
    total = speeds(live)
    in_calls = sum(c.seconds for c in calls)
    logged_total = sum((r.total_ms or 0.0) for r in live) / 1000
    request_overhead = in_calls - assembly_s - startup_s - logged_total
    segments = {
        "assembly": assembly_s,
        "server start": startup_s + stop_s,
        "prefill": total.prompt_s,
        "generation": total.generation_s,
        "other": total.other_s + request_overhead,
        "pipeline CPU": wall_s - in_calls - stop_s,
    }
    stages: dict[str, dict[str, Any]] = {}
    for stage in dict.fromkeys([*(c.stage for c in calls), *attributed.stages]):
        mine = [r for r, s in zip(requests, attributed.stages, strict=True) if s == stage]
        of_stage = [c for c in calls if c.stage == stage]
        stages[stage] = {
            "calls": len(of_stage),
            "live_calls": sum(1 for c in of_stage if c.requests),
            "requests_logged": len(mine),
            "prompt_tokens": sum(r.prompt_tokens for r in mine if r.finished),
            **speeds(mine).as_dict(),
        }
    floor = floor_seconds(source_tokens, output_tokens, total)
    return {
        "wall_s": round(wall_s, 2),
        "segments_s": {k: round(v, 2) for k, v in segments.items()},
        "sampling_other_s": round(total.other_s, 2),
        "request_overhead_s": round(request_overhead, 2),
        "in_calls_s": round(in_calls, 2),
        "stop_s": round(stop_s, 2),
        "requests_logged": len(requests),
        "requests_failed": sum(1 for r in requests if not r.answered),
        "stage_split_verified": attributed.verified,
        "stage_split_note": attributed.note,
        "stages": stages,
        **total.as_dict(),
        "source_tokens": source_tokens,
        "output_tokens": output_tokens,
        "floor_s": _round(floor, 2),
        "floor_ratio": _round(wall_s / floor if floor else None, 2),
    }


def output_text(briefing: Any) -> str:
    """What the model must write for this briefing at the least, compact JSON: the text it authors (key
    points, facts, actors with kind and role, open questions) with the one quote each that this design asks
    of it. Positions and movements are not counted: code picks them from the source's own sentences and
    words them from those (no generation), so a floor that counted them would not bound this design."""
    rows: list[Any] = []
    for p in briefing.summary:
        rows.append([p.text])
    for a in briefing.actors:
        rows.append([a.name, a.kind, a.role, _quote(a)])
    for q in briefing.open_questions:
        rows.append([q.question, _quote(q)])
    for f in briefing.facts:
        rows.append([f.text, _quote(f)])
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def _quote(item: Any) -> str:
    return item.citations[0].quote if item.citations else ""


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


# --------------------------------------------------------------------------------------------------------
# The report: docs table, per-request table, plot
# --------------------------------------------------------------------------------------------------------


def per_request_table(requests: Sequence[Request], stages: Sequence[str] | None = None) -> str:
    """One row per logged request: stage, prompt (cached + evaluated), prefill tok/s, generated tokens,
    gen tok/s, other ms per generated token, and the request's logged total."""
    lines = [
        "| # | stage | prompt tokens (cached + prefilled) | prefill s | prefill tok/s | generated | generation s "
        "| gen tok/s | other s | other ms / generated token | total s |",
        "|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for n, r in enumerate(requests, 1):
        stage = stages[n - 1] if stages else ""
        if not r.finished:
            lines.append(f"| {n} | {stage} | {r.prefix_hit} + {r.remaining or 0} | not finished "
                         f"(status {r.status or 'none'}) | | | | | | | |")  # fmt: skip
            continue
        s = speeds([r])
        lines.append(
            f"| {n} | {stage} | {r.prefix_hit} + {r.prompt_eval_tokens} | {s.prompt_s:.1f} | {_fmt(s.prompt_tps)} "
            f"| {s.generated} | {s.generation_s:.1f} | {_fmt(s.generation_tps)} | {s.other_s:.1f} "
            f"| {_fmt(s.other_ms_per_token)} | {(r.total_ms or 0) / 1000:.1f} |"
        )
    s = speeds(requests)
    total = sum((r.total_ms or 0.0) for r in requests) / 1000
    lines.append(
        f"| all | | {sum(r.prompt_tokens for r in requests if r.finished):,} | {s.prompt_s:.1f} "
        f"| {_fmt(s.prompt_tps)} | {s.generated:,} | {s.generation_s:.1f} | {_fmt(s.generation_tps)} "
        f"| {s.other_s:.1f} | {_fmt(s.other_ms_per_token)} | {total:.1f} |"
    )
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def sets_table(runs: dict[str, dict[str, Any]]) -> str:
    """One row per set: cold and cached wall, each segment, the floor and the ratio."""
    head = " | ".join(f"{s} s" for s in SEGMENTS)
    lines = [
        f"| set | cold wall s | cached wall s | {head} | source tokens | briefing tokens | floor s | wall / floor |",
        "|---|" + "--:|" * (len(SEGMENTS) + 6),
    ]
    for name, run in runs.items():
        b = run["breakdown"]
        seg = " | ".join(f"{b['segments_s'][s]:.1f}" for s in SEGMENTS)
        lines.append(
            f"| {name} | {b['wall_s']:.1f} | {run['cached']['wall_s']:.2f} | {seg} | {b['source_tokens']:,} "
            f"| {b['output_tokens']:,} | {_fmt(b['floor_s'])} | {_fmt(b['floor_ratio'])} |"
        )
    return "\n".join(lines)


def stages_table(runs: dict[str, dict[str, Any]]) -> str:
    """Per set and stage: calls, tokens, prefill, generation and sampling/other, with speeds."""
    lines = [
        "| set | stage | calls (live) | prompt tokens | prefilled | prefill s (tok/s) | generated "
        "| generation s (tok/s) | sampling/other s (ms / token) |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, run in runs.items():
        for stage, s in run["breakdown"]["stages"].items():
            lines.append(
                f"| {name} | {stage} | {s['calls']} ({s['live_calls']}) | {s['prompt_tokens']:,} "
                f"| {s['prefilled_tokens']:,} | {s['prefill_s']:.1f} ({_fmt(s['prefill_tokens_per_s'])}) "
                f"| {s['generated_tokens']:,} | {s['generation_s']:.1f} ({_fmt(s['generation_tokens_per_s'])}) "
                f"| {s['sampling_other_s']:.1f} ({_fmt(s['other_ms_per_generated_token'])}) |"
            )
    return "\n".join(lines)


def report_markdown(runs: dict[str, dict[str, Any]], *, date: str, cores: int | None, plot_name: str) -> str:
    """The docs section (between `DOC_BEGIN` and `DOC_END`) for the runs of one `bench.run --embedded`."""
    parts = [
        f"Last run: {date}, {cores} cores. Cold = a fresh response cache (the assembled model file reused, the "
        "server started by the run); cached = the same input again (no model call, no server).",
        "",
        sets_table(runs),
        "",
        f"![Where the embedded model's time goes]({plot_name})",
        "",
        "Per stage (notes = map calls, key points = summarize calls; from the server log, matched to the "
        "client's calls in order and checked on prompt tokens):",
        "",
        stages_table(runs),
    ]
    for name, run in runs.items():
        if run.get("requests_table"):
            parts += ["", f"Every request of the cold {name} run:", "", run["requests_table"]]
    unverified = [n for n, r in runs.items() if not r["breakdown"]["stage_split_verified"]]
    if unverified:
        notes = "; ".join(f"{n}: {runs[n]['breakdown']['stage_split_note']}" for n in unverified)
        parts += ["", f"Stage split not verified for {notes}."]
    return "\n".join(parts)


def update_doc(text: str, section: str) -> str:
    """`text` with the part between `DOC_BEGIN` and `DOC_END` replaced by `section` (the markers kept); the
    markers and section are appended when `text` has none. Raises ValueError on a marker without its pair."""
    block = f"{DOC_BEGIN}\n{section.strip()}\n{DOC_END}"
    begin, end = text.find(DOC_BEGIN), text.find(DOC_END)
    if begin < 0 and end < 0:
        return text.rstrip("\n") + "\n\n" + block + "\n"
    if begin < 0 or end < begin:
        raise ValueError("the embedded-bench markers in the document are not a begin/end pair")
    return text[:begin] + block + text[end + len(DOC_END) :]


def plot(runs: dict[str, dict[str, Any]], path: Path) -> Path:
    """Stacked bars, one per set: the cold run's seconds per segment, with the floor marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(runs)
    fig, ax = plt.subplots(figsize=(8, 4))
    bottom = [0.0] * len(names)
    for segment in SEGMENTS:
        values = [max(0.0, runs[n]["breakdown"]["segments_s"][segment]) for n in names]
        ax.bar(names, values, bottom=bottom, label=SEGMENT_LABELS.get(segment, segment))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    for i, n in enumerate(names):
        floor = runs[n]["breakdown"]["floor_s"]
        if floor:
            ax.hlines(floor, i - 0.4, i + 0.4, colors="black", linestyles="--", label="floor" if i == 0 else None)
    ax.set_ylabel("seconds, cold run")
    ax.set_title("Where the embedded model's time goes")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    """Print the per-request table of each server log given (no model is started)."""
    args = argv if argv is not None else sys.argv[1:]
    if not args:
        print("usage: python -m bench.embedded LOG...", file=sys.stderr)
        return 2
    for name in args:
        path = Path(name)
        try:
            requests = read_log(path)
        except OSError as exc:
            print(f"{path}: cannot read it: {exc}", file=sys.stderr)
            return 1
        print(f"\n{path}: {len(requests)} requests\n")
        print(per_request_table(requests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
