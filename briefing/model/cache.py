"""A response cache in SQLite (stdlib, WAL): a re-run over unchanged input makes no model call.

Keyed on (endpoint identity, model, full request body). Each answer is committed as soon as it is
validated, so a run killed at any moment keeps every answer it already paid for.

The cache is an optimisation, never a reason to fail: when the file is corrupt, the disk is full, the
folder cannot be written or another process holds a lock for longer than `BUSY_TIMEOUT` seconds, the
cache turns itself off for the rest of its life, records why in `problem`, and calls `on_problem` once;
every later `get` misses and every `put` is dropped, and the run goes on with the model.

It holds at most `max_bytes` of answers: past that, the least recently used answers are evicted (down to
`EVICT_TO` of the cap), and the freed pages are given back to the file system (incremental vacuum).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BUSY_TIMEOUT = 5.0
"""Seconds to wait for a lock another process holds before giving up on the cache (not on the run)."""
EVICT_TO = 0.9
"""Eviction frees answers down to this fraction of the cap, so the next few answers do not evict again."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    endpoint TEXT NOT NULL,
    model TEXT NOT NULL,
    content TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    last_used REAL NOT NULL DEFAULT 0,
    size INTEGER NOT NULL DEFAULT 0
)
"""
# Columns added since the first version: an older cache file gets them (and their values) on open.
_ADDED = {"last_used": "REAL NOT NULL DEFAULT 0", "size": "INTEGER NOT NULL DEFAULT 0"}


def cache_key(endpoint: str, model: str, body: dict[str, Any]) -> str:
    payload = json.dumps({"endpoint": endpoint, "model": model, "body": body}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ResponseCache:
    """Answers by key, bounded to `max_bytes` (None: unbounded); degrades to no cache instead of failing."""

    def __init__(
        self,
        path: Path,
        *,
        max_bytes: int | None = None,
        busy_timeout: float = BUSY_TIMEOUT,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.problem: str | None = None
        self._on_problem = on_problem
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._touched: dict[str, float] = {}  # key -> when a hit last used it, not yet written
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            new = not path.exists() or path.stat().st_size == 0
            self._db = sqlite3.connect(path, check_same_thread=False, timeout=busy_timeout, isolation_level=None)
            if new:  # freed pages go back to the file system; settable only before the first table
                self._db.execute("PRAGMA auto_vacuum=INCREMENTAL")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(SCHEMA)
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            self._give_up(exc)

    def _migrate(self) -> None:
        assert self._db is not None
        have = {row[1] for row in self._db.execute("PRAGMA table_info(responses)")}
        for column, decl in _ADDED.items():
            if column not in have:
                self._db.execute(f"ALTER TABLE responses ADD COLUMN {column} {decl}")
        if not have >= set(_ADDED):
            self._db.execute("UPDATE responses SET size = length(content), last_used = created")

    def _give_up(self, exc: BaseException) -> None:
        """Turn the cache off (once), saying why; the caller's run goes on without it."""
        if self.problem is not None:
            return
        what = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
        self.problem = f"the response cache ({self.path.name}) is off: {what}; answers are not cached"
        db, self._db = self._db, None
        if db is not None:
            try:
                db.close()
            except sqlite3.Error:
                pass
        if self._on_problem is not None:
            self._on_problem(self.problem)

    @property
    def usable(self) -> bool:
        """False once the cache has turned itself off (see `problem`)."""
        return self._db is not None

    def get(self, key: str) -> str | None:
        with self._lock:
            if self._db is None:
                return None
            try:
                row = self._db.execute("SELECT content FROM responses WHERE key = ?", (key,)).fetchone()
            except sqlite3.Error as exc:
                self._give_up(exc)
                return None
            if row is not None:  # remembered, written with the next put or at close: a hit never writes
                self._touched[key] = time.time()
        return row[0] if row else None

    def put(
        self, key: str, *, endpoint: str, model: str, content: str, prompt_tokens: int = 0, completion_tokens: int = 0
    ) -> None:
        now = time.time()
        size = len(content.encode("utf-8"))
        with self._lock:
            if self._db is None:
                return
            try:
                self._flush_touched()
                self._db.execute(
                    "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (key, endpoint, model, content, prompt_tokens, completion_tokens, now, now, size),
                )
                if self.max_bytes is not None:
                    self._evict(self.max_bytes)
            except sqlite3.Error as exc:
                self._give_up(exc)

    def _flush_touched(self) -> None:
        assert self._db is not None
        if self._touched:
            touched = [(when, key) for key, when in self._touched.items()]
            self._touched.clear()
            self._db.executemany("UPDATE responses SET last_used = ? WHERE key = ?", touched)

    def _evict(self, cap: int) -> None:
        """Drop the least recently used answers until what is left fits in EVICT_TO of `cap`."""
        assert self._db is not None
        total = self._db.execute("SELECT COALESCE(SUM(size), 0) FROM responses").fetchone()[0]
        if total <= cap:
            return
        target = total - int(cap * EVICT_TO)
        doomed: list[str] = []
        oldest_first = self._db.execute("SELECT key, size FROM responses ORDER BY last_used, created")
        for key, size in oldest_first:
            doomed.append(key)
            target -= size
            if target <= 0:
                break
        oldest_first.close()
        self._db.executemany("DELETE FROM responses WHERE key = ?", [(k,) for k in doomed])
        self._db.execute("PRAGMA incremental_vacuum")

    def __len__(self) -> int:
        with self._lock:
            if self._db is None:
                return 0
            try:
                return self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
            except sqlite3.Error as exc:
                self._give_up(exc)
                return 0

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                try:
                    self._flush_touched()
                except sqlite3.Error:
                    pass  # when answers were last used is a hint for eviction, never worth failing over
                self._db.close()
                self._db = None
