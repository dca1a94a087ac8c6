"""Peer benchmark (`make bench`, or `python -m bench.peer`): this project against LangChain's map-reduce summarizer.

Both systems talk to the project's loopback `StubServer` with the same fixed latency per call (`--latency`,
0.2 s), the same concurrency (`--concurrency`, 32) and the same chunk size (900 tiktoken cl100k tokens, the
project's default); every token and call is counted by the stub, from the real prompts, for both. LangChain
runs in its current recommended form: the LangGraph map-reduce summarization graph of LangChain's
"Summarize Text" tutorial (map with `Send`, collapse with langchain-classic's `split_list_of_docs` /
`acollapse_docs` under `token_max` 1,000, then a final reduce), through langchain-openai's `ChatOpenAI`.

Sections (results merged into `bench/results.json`; keys of sections not run are kept):

* `compare`: the seeds and each shared cluster, then varied sets of 5-1,000 articles (`corpus.varied`):
  prompt tokens, completion tokens, calls and wall time of each system; plots in docs/;
* `map`: map-phase concurrency efficiency at 200 articles: ideal (calls / concurrency x latency) over the
  measured span from the first notes request reaching the stub to the last answer leaving it; the same for
  LangChain's map calls on the same articles, and the ceiling a client with no cost of its own would reach
  (calls go in whole rounds of `concurrency`);
* `cache`: the 200 articles again with the same response cache (0 model calls expected), then with one
  article changed (the calls that article needs, and the key-point step);
* `scale`: 1,000 articles in a child process: wall, its peak RSS (ru_maxrss), the largest prompt sent
  against the context limit.

The stub's completions are its own (copied sentences; 3 sentences for a text answer), not a model's:
read completion tokens as a rough guide; prompt tokens, calls and wall time are the systems' own.
Never starts the embedded model.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.corpus import Article, article_sets, varied
from briefing import Settings, agenerate_briefing
from briefing.chunking import count_tokens
from briefing.model.stub import Call, StubServer

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
DOCS = ROOT / "docs"

LATENCY = 0.2
"""Seconds the stub waits before every answer: a fixed per-call cost, the same for both systems. At 0.2 s
the whole peer benchmark takes a few minutes on 2 cores."""
CONCURRENCY = 32
"""Model calls in flight at once, for both systems (LangGraph's `max_concurrency`)."""
CHUNK_TOKENS = 900
"""The project's default chunk size; LangChain's splitter gets the same, in the same tokens."""
LANGCHAIN_TOKEN_MAX = 1000
"""The tutorial's `token_max`: summaries are collapsed until they fit this many tokens."""
CONTEXT_LIMIT = 8192
"""The context the embedded model is served with (`LocalServer` n_ctx): no prompt may pass it."""
SIZES = (5, 25, 100, 200, 1000)
"""Article counts of the varied sets in the comparison (the plots' x axis)."""
MAP_ARTICLES = 200
SCALE_ARTICLES = 1000


# --------------------------------------------------------------------------- the two systems


async def ours(articles: list[Article], url: str, cache_dir: Path, concurrency: int) -> dict[str, Any]:
    """This project's briefing of `articles` on the stub at `url`: wall, usage, what the map phase took."""
    settings = Settings(
        base_url=url,
        model="stub",
        cache_dir=cache_dir,
        concurrency=concurrency,
        chunk_tokens=CHUNK_TOKENS,
        retry_wait=0.01,
    )
    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "notes" and done == 0:
            marks["map_start"] = time.perf_counter()
        if stage == "notes" and done == total:
            marks["map_end"] = time.perf_counter()

    start = time.perf_counter()
    b = await agenerate_briefing(articles=articles, settings=settings, progress=progress)
    wall = time.perf_counter() - start
    return {
        "wall_s": round(wall, 3),
        "map_wall_s": round(marks.get("map_end", start) - marks.get("map_start", start), 3),
        "model_calls": b.usage.model_calls,
        "cached_calls": b.usage.cached_calls,
        "key_points": len(b.summary),
        "positions": len(b.positions),
        "items_grounded": b.stats.items_grounded,
    }


async def langchain(articles: list[Article], url: str, concurrency: int) -> dict[str, Any]:
    """LangChain's map-reduce summary of `articles` on the stub at `url` (`bench.langchain_peer`)."""
    from bench.langchain_peer import summarize  # the `bench` extra: imported only when LangChain runs

    start = time.perf_counter()
    final, chunks = await summarize(
        articles, url, concurrency, chunk_tokens=CHUNK_TOKENS, token_max=LANGCHAIN_TOKEN_MAX
    )
    wall = time.perf_counter() - start
    return {"wall_s": round(wall, 3), "chunks": chunks, "summary_chars": len(final)}


# --------------------------------------------------------------------------- measuring


def stub_usage(calls: list[Call]) -> dict[str, Any]:
    return {
        "calls": len(calls),
        "prompt_tokens": sum(c.prompt_tokens for c in calls),
        "completion_tokens": sum(c.completion_tokens for c in calls),
        "max_prompt_tokens": max((c.prompt_tokens for c in calls), default=0),
    }


def source_tokens(articles: list[Article]) -> int:
    return sum(count_tokens(text) for _, text in articles)


def _is_notes_call(call: Call) -> bool:
    return any("<article" in str(m.get("content") or "") for m in call.body.get("messages", []))


async def compare_one(stub: StubServer, name: str, articles: list[Article], concurrency: int) -> dict[str, Any]:
    """One article set through both systems, each with a fresh cache (ours) and counted by the stub."""
    row: dict[str, Any] = {"set": name, "articles": len(articles), "source_tokens": source_tokens(articles)}
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as tmp:
        first = len(stub.calls)
        row["ours"] = await ours(articles, stub.url, Path(tmp), concurrency) | stub_usage(stub.calls[first:])
    first = len(stub.calls)
    row["langchain"] = await langchain(articles, stub.url, concurrency) | stub_usage(stub.calls[first:])
    for system in ("ours", "langchain"):
        row[system]["prompt_tokens_per_source_token"] = round(row[system]["prompt_tokens"] / row["source_tokens"], 3)
    row["wall_ratio"] = round(row["ours"]["wall_s"] / row["langchain"]["wall_s"], 3)
    return row


async def compare(stub: StubServer, concurrency: int, sizes: tuple[int, ...]) -> dict[str, Any]:
    sets = article_sets()
    rows = []
    for name, articles in sets.items():
        rows.append(await compare_one(stub, name, articles, concurrency))
        _log(rows[-1])
    bases = [a for articles in sets.values() for a in articles]
    curve = []
    for n in sizes:
        curve.append(await compare_one(stub, f"varied-{n}", varied(bases, n), concurrency))
        _log(curve[-1])
    real = rows  # the headline figures: the real sets, each briefed on its own
    total = {
        system: {k: sum(r[system][k] for r in real) for k in ("prompt_tokens", "completion_tokens", "calls", "wall_s")}
        for system in ("ours", "langchain")
    }
    src = sum(r["source_tokens"] for r in real)
    return {
        "sets": rows,
        "curve": curve,
        "prompt_tokens_per_source_token": round(total["ours"]["prompt_tokens"] / src, 3),
        "langchain_prompt_tokens_per_source_token": round(total["langchain"]["prompt_tokens"] / src, 3),
        "completion_tokens_per_source_token": round(total["ours"]["completion_tokens"] / src, 3),
        "langchain_completion_tokens_per_source_token": round(total["langchain"]["completion_tokens"] / src, 3),
        "wall_ratio_vs_langchain": round(total["ours"]["wall_s"] / total["langchain"]["wall_s"], 3),
    }


async def map_and_cache(stub: StubServer, concurrency: int, latency: float) -> dict[str, Any]:
    """Map-phase efficiency over `MAP_ARTICLES`, then a cached re-run and a re-run with one article changed."""
    sets = article_sets()
    articles = varied([a for s in sets.values() for a in s], MAP_ARTICLES)
    with tempfile.TemporaryDirectory(prefix="bench-map-") as tmp:
        first = len(stub.calls)
        cold = await ours(articles, stub.url, Path(tmp), concurrency)
        notes = [c for c in stub.calls[first:] if _is_notes_call(c)]
        span = max(c.answered for c in notes) - min(c.arrived for c in notes)
        ideal = len(notes) / concurrency * latency
        first = len(stub.calls)
        again = await ours(articles, stub.url, Path(tmp), concurrency)
        again_calls = len(stub.calls) - first
        name, text = articles[7]
        changed = [*articles[:7], (name, text.replace("\n\n", "\n\nUpdated: ", 1)), *articles[8:]]
        first = len(stub.calls)
        one = await ours(changed, stub.url, Path(tmp), concurrency)
        one_calls = stub.calls[first:]
    # LangChain's map on the same articles, measured the same way: its first calls are its map calls
    first = len(stub.calls)
    theirs = await langchain(articles, stub.url, concurrency)
    their_map = sorted(stub.calls[first:], key=lambda c: c.arrived)[: theirs["chunks"]]
    their_span = max(c.answered for c in their_map) - min(c.arrived for c in their_map)
    their_ideal = len(their_map) / concurrency * latency
    return {
        "map_articles": MAP_ARTICLES,
        "map_calls": len(notes),
        "map_ideal_s": round(ideal, 3),
        "map_calls_span_s": round(span, 3),
        "map_phase_wall_s": cold["map_wall_s"],
        "map_concurrency_efficiency": round(ideal / span, 3),
        # calls go in rounds of `concurrency`: a client with no cost at all spans ceil(calls/concurrency) rounds
        "map_efficiency_ceiling": round(ideal / (math.ceil(len(notes) / concurrency) * latency), 3),
        "langchain_map_calls": len(their_map),
        "langchain_map_concurrency_efficiency": round(their_ideal / their_span, 3),
        "map_phase_efficiency": round(ideal / cold["map_wall_s"], 3),
        "cold_wall_s": cold["wall_s"],
        "cold_model_calls": cold["model_calls"],
        "cache_rerun_model_calls": again["model_calls"],
        "cache_rerun_stub_calls": again_calls,
        "cache_rerun_wall_s": again["wall_s"],
        "one_changed_model_calls": one["model_calls"],
        "one_changed_notes_calls": sum(1 for c in one_calls if _is_notes_call(c)),
        "one_changed_summary_calls": sum(1 for c in one_calls if not _is_notes_call(c)),
        "one_changed_wall_s": one["wall_s"],
    }


def scale(stub: StubServer, concurrency: int, count: int) -> dict[str, Any]:
    """`count` varied articles briefed by a child process (its own peak RSS), against this stub."""
    first = len(stub.calls)
    child = subprocess.run(
        [sys.executable, "-m", "bench.peer", "--child", stub.url, "--articles", str(count)]
        + ["--concurrency", str(concurrency)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        raise SystemExit(f"the scale run failed:\n{child.stderr[-3000:]}")
    measured = json.loads(child.stdout)
    usage = stub_usage(stub.calls[first:])
    return {
        "scale_articles": count,
        "scale_source_tokens": measured["source_tokens"],
        "scale_wall_seconds": measured["wall_s"],
        "scale_map_wall_seconds": measured["map_wall_s"],
        "scale_peak_rss_mb": measured["peak_rss_mb"],
        "scale_model_calls": measured["model_calls"],
        "scale_key_points": measured["key_points"],
        "scale_max_prompt_tokens": usage["max_prompt_tokens"],
        "scale_prompt_tokens": usage["prompt_tokens"],
        "context_limit": CONTEXT_LIMIT,
    }


def child(url: str, count: int, concurrency: int) -> int:
    """The scale run's child: brief `count` varied articles and print what it measured (JSON)."""
    articles = varied([a for s in article_sets().values() for a in s], count)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        out = asyncio.run(ours(articles, url, Path(tmp), concurrency))
    out["source_tokens"] = source_tokens(articles)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux
    print(json.dumps(out))
    return 0


# --------------------------------------------------------------------------- report


def plots(curve: list[dict[str, Any]], folder: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = [r["articles"] for r in curve]
    out = []
    fig, ax = plt.subplots(figsize=(6, 4))
    for system, label in (("ours", "briefing"), ("langchain", "LangChain map-reduce")):
        ax.plot(n, [r[system]["wall_s"] for r in curve], marker="o", label=label)
    ax.set(xscale="log", yscale="log", xlabel="articles", ylabel="wall time, s")
    ax.set_title(f"Wall time on the stub ({LATENCY:g} s per call, {CONCURRENCY} at once)")
    ax.legend()
    fig.tight_layout()
    out.append(folder / "bench-wall.png")
    fig.savefig(out[-1], dpi=100)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 4))
    for system, label in (("ours", "briefing"), ("langchain", "LangChain")):
        ax.plot(n, [r[system]["prompt_tokens"] for r in curve], marker="o", label=f"{label}: prompt")
        ax.plot(n, [r[system]["completion_tokens"] for r in curve], marker="x", ls="--", label=f"{label}: completion")
    ax.plot(n, [r["source_tokens"] for r in curve], color="grey", ls=":", label="source text")
    ax.set(xscale="log", yscale="log", xlabel="articles", ylabel="tokens")
    ax.set_title("Tokens sent and received (counted by the stub)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    out.append(folder / "bench-tokens.png")
    fig.savefig(out[-1], dpi=100)
    plt.close(fig)
    return out


def table(compared: dict[str, Any]) -> str:
    lines = [
        "| set | articles | source tokens | ours: prompt / completion / calls / wall s "
        "| LangChain: prompt / completion / calls / wall s | prompt per source token (ours / LC) | wall ratio |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in compared["sets"] + compared["curve"]:
        o, lc = r["ours"], r["langchain"]
        lines.append(
            f"| {r['set']} | {r['articles']} | {r['source_tokens']:,} "
            f"| {o['prompt_tokens']:,} / {o['completion_tokens']:,} / {o['calls']} / {o['wall_s']:.2f} "
            f"| {lc['prompt_tokens']:,} / {lc['completion_tokens']:,} / {lc['calls']} / {lc['wall_s']:.2f} "
            f"| {o['prompt_tokens_per_source_token']:.2f} / {lc['prompt_tokens_per_source_token']:.2f} "
            f"| {r['wall_ratio']:.2f} |"
        )
    return "\n".join(lines)


def merge_results(path: Path, new: dict[str, Any]) -> dict[str, Any]:
    """`path`'s results with `new` laid over them: keys of sections not run this time are kept."""
    try:
        results = json.loads(path.read_text())
    except (OSError, ValueError):
        results = {}
    results.update(new)
    results["machine"] = {"cores": os.cpu_count()}
    results["date"] = datetime.now(UTC).date().isoformat()
    path.write_text(json.dumps(results, indent=2) + "\n")
    return results


def _log(row: dict[str, Any]) -> None:
    o, lc = row["ours"], row["langchain"]
    print(
        f"{row['set']:>40}: {row['articles']:>4} articles; ours {o['calls']:>4} calls {o['wall_s']:>7.2f} s; "
        f"LangChain {lc['calls']:>4} calls {lc['wall_s']:>7.2f} s",
        file=sys.stderr,
    )


SECTIONS = ("compare", "map", "scale")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma list of {', '.join(SECTIONS)}")
    parser.add_argument("--latency", type=float, default=LATENCY)
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="varied set sizes of the comparison")
    parser.add_argument("--articles", type=int, default=SCALE_ARTICLES, help="articles of the scale run")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.articles, args.concurrency)
    sections = {s.strip() for s in args.sections.split(",") if s.strip()}
    new: dict[str, Any] = {"peer_stub_latency_s": args.latency, "peer_concurrency": args.concurrency}
    started = time.perf_counter()
    with StubServer(latency=args.latency) as stub:
        if "compare" in sections:
            sizes = tuple(int(n) for n in args.sizes.split(",") if n.strip())
            compared = asyncio.run(compare(stub, args.concurrency, sizes))
            new["peer"] = compared
            new.update({k: v for k, v in compared.items() if k not in ("sets", "curve")})
            print(table(compared))
            for path in plots(compared["curve"], DOCS):
                print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)
        if "map" in sections:
            new.update(asyncio.run(map_and_cache(stub, args.concurrency, args.latency)))
        if "scale" in sections:
            new.update(scale(stub, args.concurrency, args.articles))
    new["peer_bench_seconds"] = round(time.perf_counter() - started, 1)
    results = merge_results(args.out, new)
    shown = {k: v for k, v in results.items() if not isinstance(v, dict | list)}
    print(json.dumps(shown, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
