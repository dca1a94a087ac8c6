"""The error hierarchy.

Library code raises these; only the edges (CLI, Slack, HTTP) turn them into user text.
Every message says what went wrong and, where there is one, the fix.
"""

from __future__ import annotations


class BriefingError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigError(BriefingError):
    """The configuration is incomplete or contradictory (flags, environment)."""


class SourceError(BriefingError):
    """An input file or folder cannot be read as an article."""


class PromptError(BriefingError):
    """A prompt template is missing or uses a variable it was not given."""


class ModelError(BriefingError):
    """A model call failed for good (after retries), or its answer never validated."""


class LocalModelError(ModelError):
    """The embedded model could not be assembled, verified or started."""


class BudgetExceeded(ModelError):
    """The next model call would exceed the configured token budget."""


class NothingToBrief(BriefingError):
    """No input survived loading: every file was skipped (the reasons are attached)."""

    def __init__(self, message: str, skipped: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.skipped = skipped or []
