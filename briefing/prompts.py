"""Prompts are Jinja2 files in `prompts/`, rendered by one strict engine.

A template that uses a variable it was not given fails with the template's name (StrictUndefined),
never renders a silent blank. Templates produce chat messages: the text before a line
`### user` is the system message, the rest the user message.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from .errors import PromptError


def find_prompts_dir(candidates: list[Path] | None = None) -> Path:
    """`prompts/` beside the package (a checkout or editable install), else the copy a regular
    `pip install` puts under `<prefix>/share/briefing/prompts`."""
    candidates = candidates or [
        Path(__file__).resolve().parent.parent / "prompts",
        Path(sys.prefix) / "share" / "briefing" / "prompts",
    ]
    for folder in candidates:
        if (folder / "extract.j2").is_file():
            return folder
    return candidates[0]


PROMPTS_DIR = find_prompts_dir()
_SPLIT = "### user"


@lru_cache(maxsize=4)
def environment(directory: Path = PROMPTS_DIR) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(directory)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["data"] = as_data
    env.filters["attribute"] = as_attribute
    return env


_TAG = re.compile(r"<(/?)(article)", re.IGNORECASE)


def as_data(text: str) -> str:
    """Article text goes inside <article> delimiters: keep it from closing them early (in any case)."""
    return _TAG.sub(r"<\1 \2", str(text))  # str() of a StrictUndefined raises: the missing name is reported


def as_attribute(text: str) -> str:
    """A value inside a delimiter attribute (file name, title): no quote or angle bracket can break out."""
    return " ".join(str(text).split()).replace('"', "'").replace("<", "(").replace(">", ")")


def render(name: str, directory: Path = PROMPTS_DIR, **variables: Any) -> list[dict[str, str]]:
    """Render `prompts/<name>.j2` into chat messages."""
    try:
        template = environment(directory).get_template(f"{name}.j2")
        text = template.render(**variables)
    except jinja2.TemplateNotFound as exc:
        raise PromptError(f"prompt template {name}.j2 not found in {directory}") from exc
    except jinja2.UndefinedError as exc:
        raise PromptError(f"prompt template {name}.j2: {exc.message}") from exc
    except jinja2.TemplateError as exc:
        raise PromptError(f"prompt template {name}.j2 is broken: {exc}") from exc
    if _SPLIT not in text:
        return [{"role": "user", "content": text.strip()}]
    system, user = text.split(_SPLIT, 1)
    return [{"role": "system", "content": system.strip()}, {"role": "user", "content": user.strip()}]
