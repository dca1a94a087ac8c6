"""The error hierarchy, and the one table that says what each error means to a user.

Library code raises these; only the edges (CLI, Slack, HTTP) turn them into user text, and they all do
it through `outcome_of`, so an error means the same thing on every surface. Every message says what went
wrong and, where there is one, the fix. Errors carry data (`ModelError.status`, `.endpoint`,
`.retryable`; `NothingToBrief.skipped`), not only text.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass


class BriefingError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigError(BriefingError):
    """The configuration is incomplete or contradictory (flags, environment, a missing optional extra)."""


class SourceError(BriefingError):
    """An input file or folder cannot be read as an article, or an output cannot be written."""


class PromptError(BriefingError):
    """A prompt template is missing or uses a variable it was not given."""


class ModelError(BriefingError):
    """A model call failed for good (after retries), or its answer never validated.

    `status` is the HTTP status the endpoint last answered (None when it never answered), `endpoint`
    the base URL called, `retryable` whether trying again later may help (rate limits, 5xx, timeouts).
    """

    def __init__(
        self, message: str, *, status: int | None = None, endpoint: str | None = None, retryable: bool = False
    ) -> None:
        super().__init__(message)
        self.status = status
        self.endpoint = endpoint
        self.retryable = retryable


class LocalModelError(ModelError):
    """The embedded model could not be assembled, verified or started."""


class BudgetExceeded(BriefingError):
    """The next model call would exceed the configured token budget (a stop the user asked for, not a
    model failure: nothing may swallow it as one)."""

    def __init__(self, message: str, *, budget: int = 0, used: int = 0) -> None:
        super().__init__(message)
        self.budget = budget
        self.used = used


class Busy(BriefingError):
    """The service already holds as many briefing jobs as it may (running and queued): try again later.
    `retry_after` is the number of seconds to suggest (HTTP `Retry-After`)."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DeadlineExceeded(BriefingError):
    """A briefing job ran past its deadline and was stopped (its remaining model calls never ran)."""


class ShuttingDown(BriefingError):
    """The service is stopping: the job was cancelled (or refused) and can be sent again once it is back."""


class NothingToBrief(BriefingError):
    """No input survived loading: every file was skipped (the reasons are attached)."""

    def __init__(self, message: str, skipped: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.skipped = skipped or []


def missing_extra(extra: str, what: str, module: str | None = None) -> ConfigError:
    """The error for an optional dependency that is not installed: names the extra to install."""
    found = f" ({module} is missing)" if module else ""
    return ConfigError(f"{what} needs the '{extra}' extra{found}: pip install 'briefing[{extra}]'")


# --------------------------------------------------------------------------- error -> what the user gets


@dataclass(frozen=True)
class Outcome:
    """What one kind of error becomes on each surface."""

    exit_code: int  # `briefing ...` exit status
    http_status: int  # the HTTP service's status code
    internal: bool = False  # a bug: the user gets a reference, the log gets the traceback


INTERNAL = Outcome(exit_code=2, http_status=500, internal=True)

# First match wins, most specific first. Whose fault: 422 the request's (nothing to brief, a budget
# it set, a path or setting it gave), 502 the model endpoint's, 500 ours; 429, 503 and 504 are the
# service's limits (full queue, shutting down, deadline), not anybody's mistake.
OUTCOMES: tuple[tuple[type[BaseException], Outcome], ...] = (
    (Busy, Outcome(exit_code=1, http_status=429)),
    (ShuttingDown, Outcome(exit_code=1, http_status=503)),
    (DeadlineExceeded, Outcome(exit_code=1, http_status=504)),
    (NothingToBrief, Outcome(exit_code=1, http_status=422)),
    (BudgetExceeded, Outcome(exit_code=1, http_status=422)),
    (ConfigError, Outcome(exit_code=1, http_status=422)),
    (SourceError, Outcome(exit_code=1, http_status=422)),
    (ModelError, Outcome(exit_code=1, http_status=502)),
    (BriefingError, Outcome(exit_code=1, http_status=500)),
)


def outcome_of(exc: BaseException) -> Outcome:
    """The row of `OUTCOMES` for `exc`; anything that is not a `BriefingError` is an internal error."""
    for kind, outcome in OUTCOMES:
        if isinstance(exc, kind):
            return outcome
    return INTERNAL


_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s'\"<>]+", re.IGNORECASE)
_LOG_PATH = re.compile(r" \(log: [^)]*\)")


def redacted(message: str) -> str:
    """`message` without what only the server's operator should see: URLs (the model endpoint, whose
    host and port say where the server's model runs) become "the endpoint", and the embedded model's log
    path and the log lines quoted after it are cut. For text that leaves the server: HTTP answers, the
    reasons stored in a briefing."""
    message = message.split("; last lines:", 1)[0]
    message = _LOG_PATH.sub("", message)
    return _URL.sub("the endpoint", message).strip()


def public_detail(exc: BriefingError, reference: str) -> str:
    """What a remote user is told about `exc` (the server log keeps the whole message under `reference`):
    a model endpoint's failure without its address or the embedded model's log; other errors as they are."""
    if isinstance(exc, LocalModelError):
        return f"the embedded model could not be used; the details are in the server log (ref {reference})"
    if isinstance(exc, ModelError):
        return f"{redacted(str(exc))} (ref {reference}; the details are in the server log)"
    return str(exc)


def error_reference() -> str:
    """A short random reference that ties an internal error's user message to its log entry."""
    return secrets.token_hex(4)
