"""Settings: the one place that reads environment variables.

Everything else receives a `Settings` (or plain arguments). The rule for choosing a model endpoint:

* `api_key` and no `base_url`  -> OpenAI itself, model `DEFAULT_OPENAI_MODEL` unless one is named;
* a `base_url`                 -> that OpenAI-compatible server (vLLM, Ollama, llama.cpp, Azure ...);
                                  the model is `model`, or the first one the server lists;
* neither                      -> the embedded local model, started on loopback on demand.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

import platformdirs

from .errors import ConfigError

T = TypeVar("T")

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
MAX_CONCURRENCY = 64
"""Model calls in flight at most (`--concurrency`, `BRIEFING_CONCURRENCY`): past it a run only opens more sockets."""
LOCAL_MODEL_ALIAS = "local"
DEFAULT_TIMEOUT = 600.0
"""Seconds one HTTP request to the model may take in all, connect to last byte (BRIEFING_TIMEOUT); each
retry gets its own. The embedded model on 2 cores writes a 1,200-token answer in 40-400 s."""
DEFAULT_MAX_ATTEMPTS = 4
"""Attempts of one request on a transient failure (BRIEFING_MAX_ATTEMPTS): rate limit, 5xx, timeout, drop."""
DEFAULT_RETRY_WAIT = 1.0
"""Seconds before the first retry (BRIEFING_RETRY_WAIT); doubled each time, with jitter, up to 30 s. A
server's Retry-After wins."""
DEFAULT_CACHE_MAX_MB = 512
"""The response cache's size cap (BRIEFING_CACHE_MAX_MB): past it, the least recently used answers go."""

BATCH_POLL_INTERVAL = 30.0
"""Seconds between the first checks of a batch (BRIEFING_BATCH_POLL_INTERVAL, `--batch`); each wait is
`BATCH_POLL_GROWTH` times the last, up to `BATCH_POLL_MAX_FACTOR` times this (so 5 minutes by default)."""
BATCH_POLL_GROWTH = 1.5
BATCH_POLL_MAX_FACTOR = 10.0
BATCH_DEADLINE = 25 * 3600.0
"""Seconds one run waits for its batch (BRIEFING_BATCH_DEADLINE, `--batch-deadline`). OpenAI's completion
window is 24 h, after which the batch expires; the hour more covers finalizing. A run that gives up leaves
the batch running and its id saved: the same command later resumes waiting."""

EndpointKind = Literal["openai", "custom", "local"]

# Limits of the long-running surfaces (HTTP service, Slack app); each can be changed in `Settings`.
MAX_QUEUED_JOBS = 8
"""Briefing jobs that may wait for a free worker slot; one more request gets 429 with Retry-After."""
JOB_DEADLINE_SECONDS = 1800.0
"""A job (queue wait included) still running after this long is stopped: 504. The embedded model took
~10 min for a 10-article cluster on 2 cores (docs/NOTES), so 30 min leaves room without holding a slot forever."""
MAX_REQUEST_FILES = 200
"""Articles (inline plus files found under `paths`) one HTTP request may brief; more is 413."""
MAX_REQUEST_BYTES = 20 * 1024 * 1024
"""Bytes of article text (inline plus files under `paths`) one HTTP request may brief; more is 413. The
same as one file's limit in `sources`, so any file `briefing run` accepts can be sent on its own."""

# Fetching URLs and feeds (`briefing.fetch`, docs/inputs.md); each can be changed in `Settings`.
FETCH_TIMEOUT = 30.0
"""Seconds one page or feed request may take in all, connect to last byte (BRIEFING_FETCH_TIMEOUT)."""
FETCH_CONNECT_TIMEOUT = 10.0
"""Seconds to wait for a connection to a news site."""
FETCH_READ_TIMEOUT = 15.0
"""Seconds a response may go without sending a byte before it is given up."""
FETCH_MAX_BYTES = 5 * 1024 * 1024
"""Bytes one fetched page or feed may have (BRIEFING_FETCH_MAX_BYTES): a news page is well under 1 MB."""
FETCH_PER_HOST = 2
"""Requests to one host at a time (BRIEFING_FETCH_PER_HOST): polite to a news site listing 50 entries."""
FETCH_USER_AGENT = "briefing/0.1 (news briefing tool; +https://pypi.org/project/briefing/)"
"""The User-Agent every fetch sends (BRIEFING_USER_AGENT): it names the tool, as sites ask crawlers to."""


def _or(value: Any, default: Any) -> Any:
    """`value` unless it is unset (None): a 0 given on purpose is kept, and checked."""
    return default if value is None else value


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("briefing"))


@dataclass(frozen=True)
class Settings:
    """Everything a run can be told. Build with `Settings.from_env()` at an edge, or directly."""

    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    model: str | None = None
    cache_dir: Path = field(default_factory=default_cache_dir)
    use_cache: bool = True
    cache_max_mb: int = DEFAULT_CACHE_MAX_MB  # BRIEFING_CACHE_MAX_MB: the response cache's size cap
    concurrency: int | None = None  # None: fitted to the endpoint (see `effective_concurrency`)
    local_model_path: Path | None = None  # any GGUF instead of the bundled Qwen2.5-Coder-1.5B
    local_threads: int | None = None
    max_tokens_budget: int | None = None
    # Send the pydantic schema inside {"type": "json_object", "schema": ...}: llama.cpp servers then constrain
    # the answer to it (compact JSON, bounded lists; about half the time). Always on for the embedded model.
    schema_hint: bool = False
    request_timeout: float = DEFAULT_TIMEOUT  # BRIEFING_TIMEOUT: total seconds per request, not per read
    max_attempts: int = DEFAULT_MAX_ATTEMPTS  # BRIEFING_MAX_ATTEMPTS
    retry_wait: float = DEFAULT_RETRY_WAIT  # BRIEFING_RETRY_WAIT: first backoff, seconds
    chunk_tokens: int = 900
    chunk_overlap: int = 0
    # Surfaces
    sources_dir: Path | None = None  # BRIEFING_SOURCES: the articles folder for Slack and the service
    daily_dir: Path | None = None  # BRIEFING_DAILY_DIR: where `briefing daily` writes
    api_token: str | None = field(default=None, repr=False)  # BRIEFING_API_TOKEN: bearer token for the HTTP service
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str | None = None
    slack_channel: str | None = None  # BRIEFING_SLACK_CHANNEL: also post with chat.postMessage
    public_url: str | None = None  # BRIEFING_PUBLIC_URL: the HTTP service's address, for links from Slack
    allowed_hosts: tuple[str, ...] = ()  # BRIEFING_ALLOWED_HOSTS: Host headers the service answers (comma list)
    slack_allowed_channels: tuple[str, ...] = ()  # BRIEFING_SLACK_ALLOWED_CHANNELS: channel IDs /briefing answers in
    slack_allowed_users: tuple[str, ...] = ()  # BRIEFING_SLACK_ALLOWED_USERS: user IDs who may use /briefing
    max_queued_jobs: int = MAX_QUEUED_JOBS  # BRIEFING_MAX_QUEUED_JOBS
    job_deadline: float = JOB_DEADLINE_SECONDS  # BRIEFING_JOB_DEADLINE: seconds
    max_request_files: int = MAX_REQUEST_FILES  # BRIEFING_MAX_REQUEST_FILES
    max_request_bytes: int = MAX_REQUEST_BYTES  # BRIEFING_MAX_REQUEST_BYTES
    # The map phase through the OpenAI Batch API (`briefing run --batch`, `briefing daily --batch`)
    batch: bool = False
    batch_poll_interval: float = BATCH_POLL_INTERVAL  # BRIEFING_BATCH_POLL_INTERVAL: seconds
    batch_deadline: float = BATCH_DEADLINE  # BRIEFING_BATCH_DEADLINE: seconds one run waits for its batch
    # Fetching URLs and feeds (briefing.fetch)
    fetch_timeout: float = FETCH_TIMEOUT  # BRIEFING_FETCH_TIMEOUT: total seconds per request
    fetch_connect_timeout: float = FETCH_CONNECT_TIMEOUT
    fetch_read_timeout: float = FETCH_READ_TIMEOUT
    fetch_max_bytes: int = FETCH_MAX_BYTES  # BRIEFING_FETCH_MAX_BYTES
    fetch_per_host: int = FETCH_PER_HOST  # BRIEFING_FETCH_PER_HOST
    fetch_user_agent: str = FETCH_USER_AGENT  # BRIEFING_USER_AGENT
    fetch_private: bool = False  # BRIEFING_FETCH_PRIVATE=1: also fetch from loopback and private addresses
    feeds_file: Path | None = None  # BRIEFING_FEEDS: the TOML file whose `feeds` list `briefing daily` fetches

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read the environment, then apply explicit overrides (CLI flags win; None means unset)."""
        env = os.environ if env is None else env

        def path(name: str) -> Path | None:
            value = env.get(name)
            return Path(value).expanduser() if value else None

        def number(name: str, convert: Callable[[str], T], what: str) -> T | None:
            value = env.get(name)
            if not value:
                return None
            try:
                return convert(value)
            except ValueError:
                raise ConfigError(f"{name} must be {what}, got {value!r}") from None

        def integer(name: str) -> int | None:
            return number(name, int, "a whole number")

        def seconds(name: str) -> float | None:
            return number(name, float, "a number of seconds")

        def names(name: str) -> tuple[str, ...]:
            """A comma-separated list; blanks dropped."""
            return tuple(n.strip() for n in env.get(name, "").split(",") if n.strip())

        values: dict[str, Any] = {
            "api_key": env.get("OPENAI_API_KEY") or None,
            "base_url": env.get("OPENAI_BASE_URL") or None,
            "model": env.get("BRIEFING_MODEL") or None,
            "cache_dir": path("BRIEFING_CACHE_DIR") or default_cache_dir(),
            "cache_max_mb": integer("BRIEFING_CACHE_MAX_MB") or DEFAULT_CACHE_MAX_MB,
            "concurrency": integer("BRIEFING_CONCURRENCY"),
            "local_model_path": path("BRIEFING_LOCAL_MODEL"),
            "local_threads": integer("BRIEFING_LOCAL_THREADS"),
            "max_tokens_budget": integer("BRIEFING_MAX_TOKENS_BUDGET"),
            "request_timeout": _or(seconds("BRIEFING_TIMEOUT"), DEFAULT_TIMEOUT),
            "max_attempts": _or(integer("BRIEFING_MAX_ATTEMPTS"), DEFAULT_MAX_ATTEMPTS),
            "retry_wait": _or(seconds("BRIEFING_RETRY_WAIT"), DEFAULT_RETRY_WAIT),
            "batch_poll_interval": _or(seconds("BRIEFING_BATCH_POLL_INTERVAL"), BATCH_POLL_INTERVAL),
            "batch_deadline": _or(seconds("BRIEFING_BATCH_DEADLINE"), BATCH_DEADLINE),
            "sources_dir": path("BRIEFING_SOURCES"),
            "daily_dir": path("BRIEFING_DAILY_DIR"),
            "api_token": (env.get("BRIEFING_API_TOKEN") or "").strip() or None,  # blank is no token, never "open"
            "slack_signing_secret": env.get("SLACK_SIGNING_SECRET") or None,
            "slack_bot_token": env.get("SLACK_BOT_TOKEN") or None,
            "slack_app_token": env.get("SLACK_APP_TOKEN") or None,
            "slack_api_url": env.get("SLACK_API_URL") or None,
            "slack_channel": env.get("BRIEFING_SLACK_CHANNEL") or None,
            "public_url": (env.get("BRIEFING_PUBLIC_URL") or "").rstrip("/") or None,
            "allowed_hosts": names("BRIEFING_ALLOWED_HOSTS"),
            "slack_allowed_channels": names("BRIEFING_SLACK_ALLOWED_CHANNELS"),
            "slack_allowed_users": names("BRIEFING_SLACK_ALLOWED_USERS"),
        }
        for name, key in [
            ("BRIEFING_MAX_QUEUED_JOBS", "max_queued_jobs"),
            ("BRIEFING_MAX_REQUEST_FILES", "max_request_files"),
            ("BRIEFING_MAX_REQUEST_BYTES", "max_request_bytes"),
            ("BRIEFING_FETCH_MAX_BYTES", "fetch_max_bytes"),
            ("BRIEFING_FETCH_PER_HOST", "fetch_per_host"),
        ]:
            if (value := integer(name)) is not None:
                values[key] = value
        if (value := seconds("BRIEFING_FETCH_TIMEOUT")) is not None:
            values["fetch_timeout"] = value
        if env.get("BRIEFING_USER_AGENT", "").strip():
            values["fetch_user_agent"] = env["BRIEFING_USER_AGENT"].strip()
        if env.get("BRIEFING_FETCH_PRIVATE", "").lower() in {"1", "true", "yes"}:
            values["fetch_private"] = True
        if (feeds := path("BRIEFING_FEEDS")) is not None:
            values["feeds_file"] = feeds
        if env.get("BRIEFING_JOB_DEADLINE"):
            try:
                values["job_deadline"] = float(env["BRIEFING_JOB_DEADLINE"])
            except ValueError:
                raise ConfigError(
                    f"BRIEFING_JOB_DEADLINE must be a number of seconds, got {env['BRIEFING_JOB_DEADLINE']!r}"
                ) from None
        if env.get("BRIEFING_NO_CACHE", "").lower() in {"1", "true", "yes"}:
            values["use_cache"] = False
        if env.get("BRIEFING_SCHEMA_HINT", "").lower() in {"1", "true", "yes"}:
            values["schema_hint"] = True
        known = {f.name for f in fields(cls)}
        for key, value in overrides.items():
            if key not in known:
                raise ConfigError(f"unknown setting {key!r}")
            if value is not None:
                values[key] = Path(value).expanduser() if key.endswith(("_dir", "_path")) else value
        return cls(**values).validated()

    def validated(self) -> Settings:
        if self.concurrency is not None and not 1 <= self.concurrency <= MAX_CONCURRENCY:
            raise ConfigError(
                f"concurrency (--concurrency, BRIEFING_CONCURRENCY) must be between 1 and {MAX_CONCURRENCY}, "
                f"not {self.concurrency}"
            )
        if self.chunk_tokens < 50:
            raise ConfigError("chunk size must be at least 50 tokens")
        if not 0 <= self.chunk_overlap < self.chunk_tokens // 2:
            raise ConfigError("chunk overlap must be between 0 and half the chunk size")
        if not 0 < self.request_timeout <= 86400:
            raise ConfigError(
                f"the timeout (BRIEFING_TIMEOUT or --timeout) must be 0-86400 s, got {self.request_timeout:g}"
            )
        if not 1 <= self.max_attempts <= 20:
            raise ConfigError(f"BRIEFING_MAX_ATTEMPTS must be 1-20, got {self.max_attempts}")
        if not 0 <= self.retry_wait <= 60:
            raise ConfigError(f"BRIEFING_RETRY_WAIT must be 0-60 s, got {self.retry_wait:g}")
        if self.cache_max_mb < 1:
            raise ConfigError("BRIEFING_CACHE_MAX_MB must be at least 1 (or set BRIEFING_NO_CACHE=1)")
        if self.max_tokens_budget is not None and self.max_tokens_budget < 1:
            raise ConfigError("--max-tokens-budget must be positive")
        if self.max_queued_jobs < 0:
            raise ConfigError("BRIEFING_MAX_QUEUED_JOBS must be 0 or more")
        if not self.job_deadline > 0:
            raise ConfigError("BRIEFING_JOB_DEADLINE must be a positive number of seconds")
        if self.max_request_files < 1 or self.max_request_bytes < 1:
            raise ConfigError("BRIEFING_MAX_REQUEST_FILES and BRIEFING_MAX_REQUEST_BYTES must be positive")
        if not 0 < self.batch_poll_interval <= 3600:
            raise ConfigError(f"BRIEFING_BATCH_POLL_INTERVAL must be 0-3600 s, got {self.batch_poll_interval:g}")
        if not self.batch_deadline > 0:
            raise ConfigError("the batch deadline (BRIEFING_BATCH_DEADLINE or --batch-deadline) must be positive")
        if self.batch and self.endpoint_kind == "local":
            raise ConfigError(
                "--batch sends the map phase through the OpenAI Batch API, which the embedded model does not "
                "have: set OPENAI_API_KEY (or --base-url of a server with /v1/batches), or run without --batch"
            )
        if not all(0 < t <= 3600 for t in (self.fetch_timeout, self.fetch_connect_timeout, self.fetch_read_timeout)):
            raise ConfigError(f"BRIEFING_FETCH_TIMEOUT must be 0-3600 s, got {self.fetch_timeout:g}")
        if self.fetch_max_bytes < 1 or self.fetch_per_host < 1:
            raise ConfigError("BRIEFING_FETCH_MAX_BYTES and BRIEFING_FETCH_PER_HOST must be positive")
        if not self.fetch_user_agent.isprintable():
            raise ConfigError("BRIEFING_USER_AGENT must be one line of printable characters")
        if self.base_url and not self.base_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"base URL (OPENAI_BASE_URL or --base-url) must start with http:// or https://, got {self.base_url!r}"
            )
        return self

    @property
    def endpoint_kind(self) -> EndpointKind:
        if self.base_url:
            return "custom"
        if self.api_key:
            return "openai"
        return "local"

    @property
    def effective_concurrency(self) -> int:
        """An explicit value wins; the embedded model on 2 cores gains nothing past 1."""
        if self.concurrency:
            return self.concurrency
        return {"local": 1, "custom": 4, "openai": 8}[self.endpoint_kind]

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes).validated()
