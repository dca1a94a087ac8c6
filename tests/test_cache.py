"""The response cache: a corrupt file, a lock held too long, a full disk or a folder that cannot be written
turn it off with one warning and the run goes on; it stays under its size cap, evicting the least recently
used answers."""

from __future__ import annotations

import sqlite3
import types
from pathlib import Path

import httpx
import pytest

import briefing.model.cache as cache_module
from briefing.api import agenerate_briefing
from briefing.config import DEFAULT_CACHE_MAX_MB, Settings
from briefing.model.cache import ResponseCache
from briefing.surfaces.http import create_app

from .fakes import OpenAIStub, answer

ARTICLE = "Russia deployed 500 troops to Latakia on Monday. Sergei Lavrov said Russia backs the Syrian state.\n"


def put(cache: ResponseCache, key: str, content: str) -> None:
    cache.put(key, endpoint="e", model="m", content=content)


def corrupt(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database, it is garbage \x00\x01\x02" * 200)
    return path


def test_a_corrupt_cache_file_turns_the_cache_off_with_its_reason_instead_of_raising(tmp_path: Path) -> None:
    problems: list[str] = []
    cache = ResponseCache(corrupt(tmp_path / "responses.sqlite3"), on_problem=problems.append)
    assert not cache.usable
    assert problems == ["the response cache (responses.sqlite3) is off: file is not a database; answers are not cached"]
    put(cache, "k", "answer")
    assert cache.get("k") is None and len(cache) == 0
    assert len(problems) == 1  # one warning, however often it is used afterwards


def test_a_lock_held_by_another_process_turns_the_cache_off_after_the_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "responses.sqlite3"
    first = ResponseCache(path)
    put(first, "old", "kept answer")
    first.close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process writing, and not letting go
    try:
        problems: list[str] = []
        cache = ResponseCache(path, busy_timeout=0.05, on_problem=problems.append)
        assert cache.get("old") == "kept answer"  # WAL: readers are not blocked by a writer
        put(cache, "new", "another answer")  # the write waits 0.05 s, then the cache gives up
        assert problems == ["the response cache (responses.sqlite3) is off: database is locked; answers are not cached"]
        assert cache.get("old") is None  # off for the rest of its life: no more waiting on the lock
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_cache_folder_that_cannot_be_created_turns_the_cache_off(tmp_path: Path) -> None:
    """The suite runs as root, so a chmod'ed folder would still be writable: the folder's parent is a
    regular file instead, which nobody can create a folder in."""
    (tmp_path / "a-file").write_text("not a folder")
    cache = ResponseCache(tmp_path / "a-file" / "cache" / "responses.sqlite3")
    assert cache.problem is not None and cache.problem.endswith(": Not a directory; answers are not cached")
    assert cache.get("k") is None


def test_a_full_disk_turns_the_cache_off_and_keeps_what_was_there(tmp_path: Path) -> None:
    """SQLite's own page limit gives the error a full disk gives (SQLITE_FULL), on a real file."""
    path = tmp_path / "responses.sqlite3"
    cache = ResponseCache(path)
    put(cache, "small", "fits")
    assert cache._db is not None
    pages = cache._db.execute("PRAGMA page_count").fetchone()[0]
    cache._db.execute(f"PRAGMA max_page_count={pages}")  # the "disk" is now full
    put(cache, "big", "x" * 100_000)
    assert cache.problem == (
        "the response cache (responses.sqlite3) is off: database or disk is full; answers are not cached"
    )
    assert ResponseCache(path).get("small") == "fits"


def test_past_its_cap_the_cache_evicts_the_least_recently_used_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = iter(range(1, 1000))
    monkeypatch.setattr(cache_module, "time", types.SimpleNamespace(time=lambda: float(next(clock))))
    cache = ResponseCache(tmp_path / "responses.sqlite3", max_bytes=1000)
    for key in ("a", "b", "c"):
        put(cache, key, key * 300)
    assert cache.get("a") == "a" * 300  # a is used again: b is now the least recently used
    put(cache, "d", "d" * 300)  # 1,200 bytes > 1,000: evict down to 900
    assert [k for k in "abcd" if cache.get(k)] == ["a", "c", "d"]
    for i in range(20):
        put(cache, f"n{i}", "n" * 300)
    assert len(cache) == 3  # never more than fits under the cap
    assert cache.get("n19") is not None


def test_a_cache_file_from_before_the_cap_is_upgraded_and_keeps_its_answers(tmp_path: Path) -> None:
    path = tmp_path / "responses.sqlite3"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE responses (key TEXT PRIMARY KEY, endpoint TEXT NOT NULL, model TEXT NOT NULL, content TEXT "
        "NOT NULL, prompt_tokens INTEGER NOT NULL DEFAULT 0, completion_tokens INTEGER NOT NULL DEFAULT 0, "
        "created REAL NOT NULL)"
    )
    old.execute("INSERT INTO responses VALUES ('k', 'e', 'm', 'stored answer', 0, 0, 1.0)")
    old.commit()
    old.close()
    cache = ResponseCache(path, max_bytes=10_000)
    assert cache.usable and cache.get("k") == "stored answer"
    put(cache, "k2", "new answer")
    assert len(cache) == 2


def test_the_cap_is_a_setting_read_from_the_environment() -> None:
    assert Settings.from_env({}).cache_max_mb == DEFAULT_CACHE_MAX_MB
    assert Settings.from_env({"BRIEFING_CACHE_MAX_MB": "64"}).cache_max_mb == 64


@pytest.mark.model_requests
async def test_a_run_with_a_corrupt_cache_is_briefed_with_one_warning_and_the_service_still_starts(
    tmp_path: Path,
) -> None:
    corrupt(tmp_path / "cache" / "responses.sqlite3")
    with OpenAIStub(default=answer) as stub:
        settings = Settings(base_url=stub.url, model="alpha", cache_dir=tmp_path / "cache", api_token="t")
        briefing = await agenerate_briefing(articles=[("a.txt", ARTICLE)], settings=settings)
        assert briefing.usage.model_calls == 2 and briefing.summary
        assert briefing.warnings == [
            "the response cache (responses.sqlite3) is off: file is not a database; answers are not cached"
        ]

        app = create_app(settings, allowed_hosts=("service",))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            headers = {"Authorization": "Bearer t"}
            async with httpx.AsyncClient(transport=transport, base_url="http://service", headers=headers) as http:
                health = await http.get("/healthz")
                response = await http.post("/v1/briefings", json={"articles": [{"name": "a.txt", "text": ARTICLE}]})
    assert health.status_code == 200
    assert response.status_code == 200 and len(response.json()["warnings"]) == 1
