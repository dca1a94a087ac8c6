"""Renderers: `Briefing` -> Markdown, Slack Block Kit, JSON. They import only the models."""

from .markdown import to_markdown


def to_json(briefing) -> str:  # noqa: ANN001 - a Briefing
    """The briefing as indented JSON that reads back as the same `Briefing`."""
    return briefing.model_dump_json(indent=2)


__all__ = ["to_json", "to_markdown"]
