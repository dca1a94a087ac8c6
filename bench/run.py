"""Benchmarks (`make bench`): speed and cost measured, never asserted.

1. Offline stages on the seeds (load, chunk, ground): median of several repeats.
2. With `--embedded` only: the seeds briefing on the configured endpoint (the embedded model by default):
   cold (empty response cache, includes starting the model server) and warm (same input, cache on).
   Reports wall time, model calls, tokens and completion tokens per second, as `embedded_*` keys too.
   ITEM 5 OF ISSUE 11 (the lead's): add one shared cluster cold and cached, where the time goes (model
   assembly, server start, prefill and generation per stage) and `embedded_floor_ratio`, in `embedded()`.

Results are merged into `bench/results.json` (`bench.peer.merge_results`): keys of sections not run are kept.

The machines are noisy: compare numbers from one run, read medians and ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.peer import merge_results
from briefing import Settings, generate_briefing
from briefing.chunking import chunk_sources
from briefing.grounding import ground
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


def briefing_run(settings: Settings) -> dict:
    t = time.perf_counter()
    b = generate_briefing([ROOT / "seeds"], settings=settings)
    wall = time.perf_counter() - t
    u = b.usage
    return {
        "wall_s": round(wall, 3),
        "model_calls": u.model_calls,
        "cached_calls": u.cached_calls,
        "prompt_tokens": u.prompt_tokens,
        "completion_tokens": u.completion_tokens,
        "items_grounded": b.stats.items_grounded,
        "items_dropped": b.stats.items_dropped,
        "key_points": len(b.summary),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--embedded", action="store_true", help="also brief the seeds on the configured endpoint")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    results: dict = {"offline": offline(args.repeats)}
    print(json.dumps(results["offline"]), file=sys.stderr)
    if args.embedded:
        results.update(embedded())
    results = merge_results(args.out, results)
    print(json.dumps(results, indent=2))
    return 0


def embedded() -> dict:
    """The embedded model end to end (item 5 of issue 11, the lead's section; never run by the unit tests).
    Today: the seeds cold and warm. To add: one shared cluster cold and cached, the time per stage, the floor."""
    results: dict = {}
    # ISSUE 11 ITEM 5 (the lead): keep these keys; add embedded_cluster_cold_seconds, embedded_floor_ratio.
    with tempfile.TemporaryDirectory() as tmp:
        base = Settings.from_env()
        # A fresh response cache; the embedded model file is reused where it already is.
        settings = Settings.from_env(cache_dir=Path(tmp), local_model_path=base.local_model_path or _assembled(base))
        cold = briefing_run(settings)
        print("cold:", json.dumps(cold), file=sys.stderr)
        warm = briefing_run(settings)
        print("warm:", json.dumps(warm), file=sys.stderr)
    cold["completion_tokens_per_s"] = round(cold["completion_tokens"] / max(cold["wall_s"], 1e-9), 1)
    results.update(cold=cold, warm=warm)
    results["embedded_seeds_cold_seconds"] = cold["wall_s"]
    results["embedded_seeds_cached_seconds"] = warm["wall_s"]
    return results


def _assembled(settings: Settings) -> Path | None:
    if settings.endpoint_kind != "local":
        return None
    from briefing.model.local import ensure_model

    return ensure_model(settings.cache_dir, None)


if __name__ == "__main__":
    sys.exit(main())
