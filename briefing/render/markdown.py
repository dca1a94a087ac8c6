"""Markdown: the briefing as one document, citations as footnotes with the file, offsets and exact words.

Headline, date, then the sections of `sections.outline` (an empty one says so), then the footnotes."""

from __future__ import annotations

import re

from ..models import Briefing, Citation
from .sections import Markup, Section, outline

_ESCAPE = re.compile(r"([\\`*_\[\]<>|#])")


def esc(text: str) -> str:
    """Escape Markdown control characters in text that came from articles or the model."""
    return _ESCAPE.sub(r"\\\1", " ".join(text.split()))


_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
_TICKS = re.compile(r"`+")


def code(text: str) -> str:
    """Untrusted text (a file name, a model id) as one inline code span: nothing in it is Markdown.

    Control characters and line breaks become U+FFFD (a name with a newline cannot start a heading on the
    next line), and the fence is one backtick longer than the longest run inside (CommonMark), so a
    backtick in a name cannot close it early."""
    text = _LINE_BREAKS.sub("\ufffd", text)
    fence = "`" * (max((len(m) for m in _TICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


MARKDOWN = Markup(
    escape=esc,
    strong=lambda text: f"**{text}**",
    emphasis=lambda text: f"_{text}_",
    path=code,
    bullets=("- ", "  - "),
    refs=lambda numbers: "".join(f"[^{n}]" for n in numbers),
)


def footnote(n: int, c: Citation, page: int | None = None) -> str:
    """Footnote `n`: the cited file, the character offsets (and the page, in a PDF) and the exact words."""
    where = f"characters {c.start}–{c.end}" + (f", page {page}" if page else "")
    return f'[^{n}]: {code(c.source)} ({where}): "{esc(c.quote)}"'


def _body(s: Section) -> list[str]:
    if s.is_empty:
        return [f"_{s.empty}_"]
    lines = [MARKDOWN.line(line, s.form, i) for i, line in enumerate(s.lines, 1)]
    for sub in s.subsections:
        lines += [*([""] if lines else []), f"**{sub.title}**", "", *_body(sub)]
    return lines


def to_markdown(briefing: Briefing) -> str:
    """Render `briefing` as one Markdown document, every citation a footnote."""
    b = briefing
    lines = [f"# {esc(b.title)}", ""]
    briefed = [s for s in b.sources if s.status == "briefed"]
    skipped = [s for s in b.sources if s.status == "skipped"]
    when = b.date or b.generated_at.strftime("%Y-%m-%d")
    meta = f"_{when} · generated {b.generated_at:%Y-%m-%d %H:%M} UTC · {len(briefed)} sources briefed"
    if skipped:
        meta += f", {len(skipped)} skipped"
    if b.usage.model:
        meta += f" · model {code(b.usage.model)}"
    lines += [meta + "_", ""]

    doc = outline(b)
    for s in doc.sections:
        lines += [f"## {s.title}", "", *_body(s), ""]
    if doc.citations:
        paged = {s.path: s for s in b.sources if s.pages}
        notes = [
            footnote(n, c, paged[c.source].page_of(c.start) if c.source in paged else None)
            for n, c in enumerate(doc.citations, 1)
        ]
        lines += ["## Citations", "", *notes, ""]
    return "\n".join(lines)
