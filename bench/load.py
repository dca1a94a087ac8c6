"""Load benchmark (`make bench`, or `python -m bench.load`): the HTTP service under 50 concurrent briefings.

Starts the project's OpenAI-compatible `StubServer` on loopback (a fixed latency per call, no faults) and the
real service (`create_app` under uvicorn on a free loopback port, with a token, an articles folder and a
response cache in a temporary folder, the stub as a custom OpenAI endpoint), then fires `--requests`
concurrent `POST /v1/briefings` for `--rounds` rounds. Each request carries one or two small inline articles
drawn from a small pool, so some calls are answered from the cache and some reach the model.

Measured, never timed as a pass/fail: status counts, the deepest the service's queue got (`Briefer.pending`:
running plus queued jobs, sampled), client requests in flight, the process's resident memory (VmRSS) and
its peak (VmHWM) after each round, wall time per round. Checked, with exit 1 when they fail: every answer
is 200 or 429 (429 with Retry-After; never a 5xx), the queue never exceeds its bound, the SQLite cache
passes `PRAGMA integrity_check`, and an identical request sent twice is answered the second time with no
model call. Results go to `bench/load.json`; a short table is printed.

Never starts the embedded model: the only endpoint is the stub.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from briefing.api import CACHE_FILE
from briefing.config import Settings
from briefing.model.stub import StubServer
from briefing.surfaces.http import create_app
from briefing.surfaces.worker import MAX_RUNNING_JOBS
from tests.fakes import ServerThread  # the suite's uvicorn-on-loopback thread, with a deeper accept backlog

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-load-token"
STUB_LATENCY = 0.05
"""Seconds the stub waits before every answer: a fixed per-call cost, far below a real model's."""
SAMPLE_EVERY = 0.002
"""Seconds between two readings of the service's queue depth."""
ALLOWED = {200, 429}
"""The only statuses a load of valid requests may get: briefed, or told to come back later."""

PLACES = ["Latakia", "Tartus", "Aleppo", "Homs", "Hama", "Idlib", "Raqqa", "Palmyra"]
ACTORS = ["Sergei Lavrov", "John Kerry", "Bashar al-Assad", "Francois Hollande", "Recep Erdogan", "Ban Ki-moon"]


def article(n: int) -> tuple[str, str]:
    """A small article, different for every `n` (the pool a request draws from)."""
    place, actor, other = PLACES[n % len(PLACES)], ACTORS[n % len(ACTORS)], ACTORS[(n + 1) % len(ACTORS)]
    text = (
        f"Russia deployed {100 + 25 * n} troops to {place} on Monday. {actor} said the deployment aims to "
        f"prevent the collapse of the Syrian state. {other} said the move would prolong the war. "
        f"It remains unclear whether the troops near {place} will take part in ground combat.\n"
    )
    return f"wire/{place.lower()}-{n}.txt", text


def request_body(rng: random.Random, pool: int) -> dict[str, Any]:
    """One or two articles from a pool of `pool`: repeats across requests hit the cache."""
    picks = rng.sample(range(pool), rng.choice((1, 2)))
    return {"articles": [dict(zip(("name", "text"), article(n), strict=True)) for n in sorted(picks)]}


def memory_kib() -> dict[str, int]:
    """This process's resident memory now (VmRSS) and at its peak so far (VmHWM), in KiB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


async def one_round(client: httpx.AsyncClient, service: ServerThread, bodies: list[dict[str, Any]]) -> dict[str, Any]:
    """Fire every body at once; return statuses, queue depth, in-flight peak, usage and wall time."""
    briefer = service.app.state.briefer
    in_flight = peak_in_flight = max_pending = 0
    statuses: Counter[int] = Counter()
    problems: list[str] = []
    usage = Counter()
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal max_pending
        while not done.is_set():
            max_pending = max(max_pending, briefer.pending)
            await asyncio.sleep(SAMPLE_EVERY)

    async def post(body: dict[str, Any]) -> None:
        nonlocal in_flight, peak_in_flight
        in_flight += 1
        peak_in_flight = max(peak_in_flight, in_flight)
        try:
            response = await client.post("/v1/briefings", json=body)
        finally:
            in_flight -= 1
        statuses[response.status_code] += 1
        if response.status_code == 200:
            u = response.json()["usage"]
            usage["model_calls"] += u["model_calls"]
            usage["cached_calls"] += u["cached_calls"]
        elif response.status_code == 429:
            if "retry-after" not in response.headers:
                problems.append("a 429 without Retry-After")
        else:
            problems.append(f"status {response.status_code}: {response.text[:200]}")

    sampler = asyncio.create_task(sample())
    start = time.perf_counter()
    await asyncio.gather(*(post(b) for b in bodies))
    wall = time.perf_counter() - start
    done.set()
    await sampler
    return {
        "wall_s": round(wall, 3),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "max_queue_depth": max_pending,
        "peak_in_flight": peak_in_flight,
        "model_calls": usage["model_calls"],
        "cached_calls": usage["cached_calls"],
        "memory_kib": memory_kib(),
        "problems": problems,
    }


async def run(requests: int, rounds: int, pool: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="briefing-load-") as tmp, StubServer(latency=STUB_LATENCY) as stub:
        sources = Path(tmp) / "articles"
        sources.mkdir()
        settings = Settings(
            base_url=stub.url,
            model="stub",
            cache_dir=Path(tmp) / "cache",
            use_cache=True,
            sources_dir=sources,
            api_token=TOKEN,
            retry_wait=0.01,
        )
        bound = MAX_RUNNING_JOBS + settings.max_queued_jobs
        results: dict[str, Any] = {
            "requests_per_round": requests,
            "stub_latency_s": STUB_LATENCY,
            "queue_bound": bound,
            "memory_before_kib": memory_kib(),
            "rounds": [],
        }
        limits = httpx.Limits(max_connections=requests, max_keepalive_connections=requests)
        with ServerThread(create_app(settings), backlog=256, start_timeout=20) as service:
            async with httpx.AsyncClient(
                base_url=service.url, headers={"Authorization": f"Bearer {TOKEN}"}, limits=limits, timeout=120
            ) as client:
                for _ in range(rounds):
                    bodies = [request_body(rng, pool) for _ in range(requests)]
                    results["rounds"].append(await one_round(client, service, bodies))
                results["stub_calls"] = len(stub.requests)
                results["cache"] = await cache_check(client, stub, settings.cache_dir / CACHE_FILE, pool)
        results["memory_after_kib"] = memory_kib()
    problems = [p for r in results["rounds"] for p in r["problems"]]
    if any(r["max_queue_depth"] > bound for r in results["rounds"]):
        problems.append(f"the queue went past its bound of {bound}")
    cache = results["cache"]
    if cache["integrity_check"] != "ok":
        problems.append(f"cache integrity_check: {cache['integrity_check']}")
    if not cache["first_model_calls"]:
        problems.append(f"a request new to the cache made no model call: {cache}")
    if cache["repeat_status"] != 200 or cache["repeat_model_calls"] != 0 or cache["stub_calls_during_repeat"] != 0:
        problems.append(f"an identical request was not answered from the cache: {cache}")
    results["problems"] = problems
    return results


async def cache_check(client: httpx.AsyncClient, stub: StubServer, path: Path, pool: int) -> dict[str, Any]:
    """The cache file passes SQLite's integrity check; a request repeated is answered with no model call."""
    with sqlite3.connect(path) as db:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        rows = db.execute("SELECT count(*) FROM responses").fetchone()[0]
    db.close()
    body = {"articles": [dict(zip(("name", "text"), article(pool), strict=True))]}  # new to the cache
    first = await client.post("/v1/briefings", json=body)
    calls = len(stub.requests)
    again = await client.post("/v1/briefings", json=body)
    return {
        "integrity_check": integrity,
        "rows_after_rounds": rows,
        "first_status": first.status_code,
        "first_model_calls": first.json()["usage"]["model_calls"] if first.status_code == 200 else None,
        "repeat_status": again.status_code,
        "repeat_model_calls": again.json()["usage"]["model_calls"] if again.status_code == 200 else None,
        "repeat_cached_calls": again.json()["usage"]["cached_calls"] if again.status_code == 200 else None,
        "stub_calls_during_repeat": len(stub.requests) - calls,
    }


def table(results: dict[str, Any]) -> str:
    lines = [
        f"{'round':>5} {'wall s':>7} {'200':>4} {'429':>4} {'other':>5} {'queue':>5} {'in flight':>9} "
        f"{'model':>5} {'cached':>6} {'RSS MiB':>7} {'HWM MiB':>7}"
    ]
    for i, r in enumerate(results["rounds"], 1):
        s = r["statuses"]
        other = sum(v for k, v in s.items() if k not in ("200", "429"))
        m = r["memory_kib"]
        lines.append(
            f"{i:>5} {r['wall_s']:>7.2f} {s.get('200', 0):>4} {s.get('429', 0):>4} {other:>5} "
            f"{r['max_queue_depth']:>5} {r['peak_in_flight']:>9} {r['model_calls']:>5} {r['cached_calls']:>6} "
            f"{m['VmRSS'] / 1024:>7.1f} {m['VmHWM'] / 1024:>7.1f}"
        )
    c = results["cache"]
    lines.append(
        f"queue bound {results['queue_bound']}; cache: integrity {c['integrity_check']}, {c['rows_after_rounds']} "
        f"answers; a repeated request made {c['repeat_model_calls']} model calls "
        f"({c['repeat_cached_calls']} from the cache)"
    )
    problems = results["problems"]
    shown = "; ".join(p[:160] for p in problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
    lines.append("OK" if not problems else f"FAILED: {shown} (all in bench/load.json)")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50, help="concurrent requests per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pool", type=int, default=8, help="distinct articles the requests draw from")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "load.json")
    args = parser.parse_args()
    results = asyncio.run(run(args.requests, args.rounds, args.pool, args.seed))
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    return 1 if results["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
