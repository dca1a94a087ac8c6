"""Renderers: `Briefing` -> Markdown, Slack Block Kit, JSON, an HTML page. They import only the models."""

from .html import to_html
from .markdown import to_markdown


def to_json(briefing) -> str:  # noqa: ANN001 - a Briefing
    """The briefing as indented JSON that reads back as the same `Briefing`."""
    return briefing.model_dump_json(indent=2)


__all__ = ["to_html", "to_json", "to_markdown"]
