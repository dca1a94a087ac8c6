"""Benchmarks (`make bench`): speed and cost measured, never asserted.

1. Offline stages on the seeds (load, chunk, ground): median of several repeats (`--embedded-only` skips them).
2. With `--embedded`: the embedded model (or the configured endpoint) end to end on `seeds/` and one shared
   cluster (`--cluster PATH`, default the first folder of ../shared/eval), each cold (a fresh response cache,
   the assembled model file reused, the server started by the run) and cached (the same input again).
   Where the cold time goes (`bench.embedded`): model assembly, server start, prefill, generation and
   sampling/other per stage (notes = map calls, key points = summarize calls) from the server's log, the
   pipeline's own CPU, and the floor: every source token prefilled once at the measured prompt speed plus
   the briefing's own words at the measured generation speed. Keys `embedded_*`; the docs/benchmarks.md
   section between its `embedded-bench` markers and docs/bench-embedded.png are rewritten.

Results are merged into `bench/results.json` (`bench.peer.merge_results`): keys of sections not run are kept.

The machines are noisy: compare numbers from one run, read medians and ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import embedded as emb
from bench.corpus import SHARED_EVAL
from bench.peer import merge_results
from briefing import Settings
from briefing.api import agenerate_briefing, load_inputs, open_model
from briefing.chunking import chunk_sources, count_tokens
from briefing.grounding import ground
from briefing.models import Briefing
from briefing.sources import load_sources

ROOT = Path(__file__).resolve().parent.parent


def offline(repeats: int) -> dict:
    load, chunk, grnd = [], [], []
    for _ in range(repeats):
        t = time.perf_counter()
        loaded = load_sources([ROOT / "seeds"])
        load.append(time.perf_counter() - t)
        t = time.perf_counter()
        chunks = chunk_sources(loaded.sources)
        chunk.append(time.perf_counter() - t)
        t = time.perf_counter()
        for s in loaded.sources:  # every sentence, paraphrased by dropping its 2nd word: fuzzy path
            for sentence in s.text.split(". ")[:10]:
                words = sentence.split()
                if len(words) > 6:
                    ground(" ".join(words[:1] + words[2:]), s, [(0, len(s.text))])
        grnd.append(time.perf_counter() - t)
    return {
        "load_ms": round(statistics.median(load) * 1000, 2),
        "chunk_ms": round(statistics.median(chunk) * 1000, 2),
        "ground_50_quotes_ms": round(statistics.median(grnd) * 1000, 2),
        "chunks": len(chunks),
    }


# --------------------------------------------------------------------------------------------------------
# The embedded model end to end (issue 11 item 5)
# --------------------------------------------------------------------------------------------------------

DOCS = ROOT / "docs"
DOC = DOCS / "benchmarks.md"
PLOT = DOCS / "bench-embedded.png"

Say = Callable[[str], None]
Opener = Callable[..., Any]  # `briefing.api.open_model` or a test's stand-in


def _say(message: str) -> None:
    print(f"embedded: {message}", file=sys.stderr, flush=True)


def default_cluster(shared: Path | None = None) -> Path | None:
    """The first folder of the shared clusters (`SHARED_EVAL`), by name (None when there is none)."""
    shared = SHARED_EVAL if shared is None else shared
    folders = sorted(p for p in shared.iterdir() if p.is_dir()) if shared.is_dir() else []
    return folders[0] if folders else None


def set_paths(folder: Path) -> list[Path]:
    """The `.txt` articles of a folder, sorted (a cluster's REFERENCE.md and SOURCE.md are not articles)."""
    return sorted(p for p in folder.glob("*.txt") if p.is_file())


class Measured:
    """One briefing run: the briefing, the calls the `Recorder` saw, wall seconds and the seconds spent
    closing the model (stopping the server) after the briefing was done."""

    def __init__(self, briefing: Briefing, recorder: emb.Recorder, wall_s: float, stop_s: float) -> None:
        self.briefing, self.recorder, self.wall_s, self.stop_s = briefing, recorder, wall_s, stop_s

    def summary(self) -> dict[str, Any]:
        u, st = self.briefing.usage, self.briefing.stats
        return {
            "wall_s": round(self.wall_s, 3),
            "model_calls": u.model_calls,
            "cached_calls": u.cached_calls,
            "retries": u.retries,
            "prompt_tokens": u.prompt_tokens,
            "completion_tokens": u.completion_tokens,
            "completion_tokens_per_s": round(u.completion_tokens / max(self.wall_s, 1e-9), 1),
            "items_grounded": st.items_grounded,
            "items_dropped": st.items_dropped,
            "key_points": len(self.briefing.summary),
        }


async def measure(
    paths: Sequence[Path], settings: Settings, *, opener: Opener = open_model, say: Say = _say
) -> Measured:
    """Brief `paths` as `generate_briefing` would (the endpoint `settings` names, opened by `open_model`),
    with a `Recorder` around the client and on the status messages."""
    recorder = emb.Recorder(echo=say)

    def progress(stage: str, done: int, total: int) -> None:
        if stage != "model" or done == total:  # the model file's bytes: only when it is there
            say(f"{stage} {done}/{total}")

    began = time.perf_counter()
    async with opener(settings, on_status=recorder.on_status, progress=progress) as client:
        briefing = await agenerate_briefing(paths, settings=settings, client=recorder.wrap(client), progress=progress)
        done = time.perf_counter()
    ended = time.perf_counter()
    return Measured(briefing, recorder, ended - began, ended - done)


def measure_set(
    name: str, paths: Sequence[Path], settings: Settings, *, opener: Opener = open_model, say: Say = _say
) -> dict[str, Any]:
    """`paths` cold (into `settings.cache_dir`, which must be a fresh folder) then cached, and where the cold
    run's time went, read from the server log the run left in `<cache_dir>/logs`."""
    say(f"{name}: cold run, {len(paths)} input(s), response cache {settings.cache_dir}")
    cold = asyncio.run(measure(paths, settings, opener=opener, say=say))
    log = emb.newest_log(settings.cache_dir / "logs")
    requests = emb.read_log(log) if log else []
    say(f"{name}: cold {cold.wall_s:.1f} s, {len(cold.recorder.calls)} calls; {len(requests)} requests in the log")
    say(f"{name}: cached run")
    cached = asyncio.run(measure(paths, settings, opener=opener, say=say))
    say(f"{name}: cached {cached.wall_s:.2f} s, {cached.briefing.usage.model_calls} model calls")
    rec = cold.recorder
    attributed = emb.attribute(requests, rec.calls)
    loaded = load_inputs(paths)
    chunks = chunk_sources(loaded.sources, settings.chunk_tokens, settings.chunk_overlap)
    result = emb.breakdown(
        wall_s=cold.wall_s,
        assembly_s=rec.between(*emb.ASSEMBLY_MARKS),
        startup_s=rec.between(*emb.START_MARKS),
        stop_s=cold.stop_s,
        calls=rec.calls,
        requests=requests,
        attributed=attributed,
        source_tokens=sum(c.tokens for c in chunks),
        output_tokens=count_tokens(emb.output_text(cold.briefing)),
    )
    say(
        f"{name}: " + ", ".join(f"{k} {v:.1f} s" for k, v in result["segments_s"].items())
        + f"; floor {result['floor_s']} s, wall/floor {result['floor_ratio']}"
    )  # fmt: skip
    return {
        "set": name,
        "cold": cold.summary(),
        "cached": cached.summary(),
        "breakdown": result,
        "requests_table": emb.per_request_table(requests, attributed.stages) if requests else "",
    }


def embedded(cluster: Path | None, *, opener: Opener = open_model, say: Say = _say) -> dict[str, Any]:
    """The seeds and `cluster` (None: the seeds only), each cold and cached, as results.json keys."""
    base = Settings.from_env()
    began = time.perf_counter()
    model_path = base.local_model_path or _assembled(base)
    model_file_s = time.perf_counter() - began
    if model_path is not None:
        say(f"model file {model_path} ready in {model_file_s:.1f} s (reused by every cold run)")
    sets: list[tuple[str, str, list[Path]]] = [("seeds", "seeds", [ROOT / "seeds"])]
    if cluster is not None:
        sets.append(("cluster", cluster.name.removeprefix("multiling2011-"), set_paths(cluster)))
    runs: dict[str, dict[str, Any]] = {}
    for key, name, paths in sets:
        with tempfile.TemporaryDirectory(prefix=f"bench-embedded-{key}-") as tmp:
            settings = Settings.from_env(cache_dir=Path(tmp), local_model_path=model_path)
            runs[name] = measure_set(name, paths, settings, opener=opener, say=say) | {"key": key}
    seeds = runs["seeds"]
    results: dict[str, Any] = {
        "cold": seeds["cold"],  # the keys this bench wrote before it measured the cluster and the floor
        "warm": seeds["cached"],
        "embedded_seeds_cold_seconds": seeds["cold"]["wall_s"],
        "embedded_seeds_cached_seconds": seeds["cached"]["wall_s"],
        "embedded_model_file_seconds": round(model_file_s, 2),
        "embedded": {name: {k: v for k, v in run.items() if k != "requests_table"} for name, run in runs.items()},
    }
    ratios = {run["key"]: run["breakdown"]["floor_ratio"] for run in runs.values()}
    results["embedded_floor_ratio"] = ratios
    results["embedded_seeds_floor_ratio"] = ratios["seeds"]
    if cluster is not None:
        run = runs[sets[1][1]]
        results["embedded_cluster"] = str(cluster)
        results["embedded_cluster_cold_seconds"] = run["cold"]["wall_s"]
        results["embedded_cluster_cached_seconds"] = run["cached"]["wall_s"]
        results["embedded_cluster_floor_ratio"] = ratios["cluster"]
    write_docs(runs, say=say)
    return results


def write_docs(runs: dict[str, dict[str, Any]], *, doc: Path = DOC, plot: Path = PLOT, say: Say = _say) -> None:
    """The docs section between the markers of `doc`, and the stacked bars in `plot`."""
    emb.plot(runs, plot)
    section = emb.report_markdown(
        runs, date=datetime.now(UTC).date().isoformat(), cores=os.cpu_count(), plot_name=plot.name
    )
    doc.write_text(emb.update_doc(doc.read_text(encoding="utf-8"), section), encoding="utf-8")
    say(f"wrote {plot} and the embedded section of {doc}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--embedded", action="store_true", help="also brief the seeds and a cluster end to end")
    parser.add_argument("--embedded-only", action="store_true", help="--embedded without the offline stages")
    parser.add_argument(
        "--cluster", type=Path, default=None, help="the cluster folder (default: first of ../shared/eval)"
    )
    parser.add_argument("--no-cluster", action="store_true", help="the seeds only")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    if not args.embedded_only:
        results["offline"] = offline(args.repeats)
        print(json.dumps(results["offline"]), file=sys.stderr)
    if args.embedded or args.embedded_only:
        cluster = None if args.no_cluster else (args.cluster or default_cluster())
        if cluster is not None and not set_paths(cluster):
            parser.error(f"--cluster {cluster}: no .txt articles in it")
        if cluster is None and not args.no_cluster:
            _say(f"no cluster in {SHARED_EVAL}: the seeds only")
        results.update(embedded(cluster))
    results = merge_results(args.out, results)
    shown = {k: v for k, v in results.items() if k.startswith("embedded_") or k in ("offline", "machine", "date")}
    print(json.dumps(shown, indent=2))
    return 0


def _assembled(settings: Settings) -> Path | None:
    if settings.endpoint_kind != "local":
        return None
    from briefing.model.local import ensure_model

    return ensure_model(settings.cache_dir, None)


if __name__ == "__main__":
    sys.exit(main())
