"""Settings: the one place that reads environment variables.

Everything else receives a `Settings` (or plain arguments). The rule for choosing a model endpoint:

* `api_key` and no `base_url`  -> OpenAI itself, model `DEFAULT_OPENAI_MODEL` unless one is named;
* a `base_url`                 -> that OpenAI-compatible server (vLLM, Ollama, llama.cpp, Azure ...);
                                  the model is `model`, or the first one the server lists;
* neither                      -> the embedded local model, started on loopback on demand.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

import platformdirs

from .errors import ConfigError

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
LOCAL_MODEL_ALIAS = "local"
DEFAULT_CACHE_MAX_MB = 512
"""The response cache's size cap (BRIEFING_CACHE_MAX_MB): past it, the least recently used answers go."""

EndpointKind = Literal["openai", "custom", "local"]


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
    request_timeout: float = 600.0
    max_attempts: int = 4
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

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read the environment, then apply explicit overrides (CLI flags win; None means unset)."""
        env = os.environ if env is None else env

        def path(name: str) -> Path | None:
            value = env.get(name)
            return Path(value).expanduser() if value else None

        def integer(name: str) -> int | None:
            value = env.get(name)
            if not value:
                return None
            try:
                return int(value)
            except ValueError:
                raise ConfigError(f"{name} must be a whole number, got {value!r}") from None

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
            "sources_dir": path("BRIEFING_SOURCES"),
            "daily_dir": path("BRIEFING_DAILY_DIR"),
            "api_token": (env.get("BRIEFING_API_TOKEN") or "").strip() or None,  # blank is no token, never "open"
            "slack_signing_secret": env.get("SLACK_SIGNING_SECRET") or None,
            "slack_bot_token": env.get("SLACK_BOT_TOKEN") or None,
            "slack_app_token": env.get("SLACK_APP_TOKEN") or None,
            "slack_api_url": env.get("SLACK_API_URL") or None,
            "slack_channel": env.get("BRIEFING_SLACK_CHANNEL") or None,
            "public_url": (env.get("BRIEFING_PUBLIC_URL") or "").rstrip("/") or None,
            "allowed_hosts": tuple(h.strip() for h in env.get("BRIEFING_ALLOWED_HOSTS", "").split(",") if h.strip()),
        }
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
        if self.concurrency is not None and self.concurrency < 1:
            raise ConfigError("--concurrency must be at least 1")
        if self.chunk_tokens < 50:
            raise ConfigError("chunk size must be at least 50 tokens")
        if not 0 <= self.chunk_overlap < self.chunk_tokens // 2:
            raise ConfigError("chunk overlap must be between 0 and half the chunk size")
        if self.cache_max_mb < 1:
            raise ConfigError("BRIEFING_CACHE_MAX_MB must be at least 1 (or set BRIEFING_NO_CACHE=1)")
        if self.max_tokens_budget is not None and self.max_tokens_budget < 1:
            raise ConfigError("--max-tokens-budget must be positive")
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
