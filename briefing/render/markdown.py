"""Markdown: the briefing as one document, citations as footnotes with the file, offsets and exact words.

Headline, date, key points, one section per part, and a sources list with skipped files and why."""

from __future__ import annotations

import re

from ..models import Briefing, Changes, Citation, Cited

_ESCAPE = re.compile(r"([\\`*_\[\]<>|#])")


def esc(text: str) -> str:
    """Escape Markdown control characters in text that came from articles or the model."""
    return _ESCAPE.sub(r"\\\1", " ".join(text.split()))


class Footnotes:
    """Numbers citations in order of first use; the same span keeps its number.

    `mark` formats one reference: Markdown footnotes by default, `"[{}]"` for Slack.
    """

    def __init__(self, mark: str = "[^{}]") -> None:
        self.mark = mark
        self.order: list[Citation] = []
        self._index: dict[tuple[str, int, int], int] = {}

    def refs(self, item: Cited) -> str:
        marks = []
        for c in item.citations:
            key = (c.source, c.start, c.end)
            if key not in self._index:
                self.order.append(c)
                self._index[key] = len(self.order)
            marks.append(self.mark.format(self._index[key]))
        return "".join(marks)

    def render(self) -> list[str]:
        return [
            f'[^{i}]: `{c.source}` (characters {c.start}–{c.end}): "{esc(c.quote)}"'
            for i, c in enumerate(self.order, 1)
        ]


def _support(item: Cited) -> str:
    n = item.corroboration
    return f" _({n} sources)_" if n > 1 else ""


def to_markdown(briefing: Briefing) -> str:
    notes = Footnotes()
    b = briefing
    lines = [f"# {esc(b.title)}", ""]
    briefed = [s for s in b.sources if s.status == "briefed"]
    skipped = [s for s in b.sources if s.status == "skipped"]
    when = b.date or b.generated_at.strftime("%Y-%m-%d")
    meta = f"_{when} · generated {b.generated_at:%Y-%m-%d %H:%M} UTC · {len(briefed)} sources briefed"
    if skipped:
        meta += f", {len(skipped)} skipped"
    if b.usage.model:
        meta += f" · model `{b.usage.model}`"
    lines += [meta + "_", ""]

    def section(title: str, body: list[str], empty: str) -> None:
        lines.extend([f"## {title}", ""])
        lines.extend(body or [f"_{empty}_"])
        lines.append("")

    section(
        "Key points",
        [f"{i}. {esc(p.text)}{notes.refs(p)}" for i, p in enumerate(b.summary, 1)],
        "No key point could be grounded in the sources.",
    )
    if b.changes:
        _changes(b.changes, lines, notes)
    section(
        "Actors",
        [
            f"- **{esc(a.name)}** ({a.kind}){' — ' + esc(a.role) if a.role else ''}"
            + (f". Also: {', '.join(esc(x) for x in a.aliases)}" if a.aliases else "")
            + f"{_support(a)}{notes.refs(a)}"
            for a in b.actors
        ],
        "No actor could be grounded in the sources.",
    )
    section(
        "Positions",
        [f"- **{esc(p.actor)}**: {esc(p.stance)}{_support(p)}{notes.refs(p)}" for p in b.positions],
        "No position could be grounded in the sources.",
    )
    section(
        "Military movements",
        [f"- {_movement(m)}{_support(m)}{notes.refs(m)}" for m in b.military_movements],
        "No military movement could be grounded in the sources.",
    )
    section(
        "Open questions",
        [f"- {esc(q.question)}{notes.refs(q)}" for q in b.open_questions],
        "The sources raise no open question that could be grounded.",
    )
    disagreements: list[str] = []
    for d in b.discrepancies:
        disagreements.append(f"- **{esc(d.topic)}**")
        disagreements.extend(f"  - {esc(c.statement)}{notes.refs(c)}" for c in d.claims)
    section("Where sources disagree", disagreements, "No disagreement between sources was found.")

    src = []
    for s in b.sources:
        title = f" — {esc(s.title)}" if s.title else ""
        if s.status == "briefed":
            extra = f" ({esc(s.reason)})" if s.reason else ""
            src.append(f"- `{s.path}`{title}: briefed, {s.chunks} chunk{'s' if s.chunks != 1 else ''}{extra}")
        else:
            src.append(f"- `{s.path}`: **skipped** — {esc(s.reason or 'unknown reason')}")
    section("Sources", src, "No sources.")

    st, u = b.stats, b.usage
    lines += [
        "## How this briefing was made",
        "",
        f"{st.chunks} chunks summarized; {st.items_grounded} of {st.items_proposed} items the model proposed were "
        f"kept; {st.items_dropped} dropped because their quote is not in the source or does not back the claim"
        + (f"; {st.chunks_failed} chunk{'s' if st.chunks_failed != 1 else ''} failed" if st.chunks_failed else "")
        + f". {u.model_calls} model calls ({u.cached_calls} answered from cache), "
        f"{u.prompt_tokens:,} prompt + {u.completion_tokens:,} completion tokens, {u.seconds:.0f} s.",
        "",
    ]
    if notes.order:
        lines += ["## Citations", "", *notes.render(), ""]
    return "\n".join(lines)


def _movement(m) -> str:  # noqa: ANN001 - MilitaryMovement
    details = [x for x in (m.where, m.when, m.scale) if x]
    text = f"**{esc(m.actor)}**: {esc(m.what)}"
    return text + (f" ({'; '.join(esc(d) for d in details)})" if details else "")


def _changes(c: Changes, lines: list[str], notes: Footnotes) -> None:
    lines.extend([f"## Since {c.previous_date}", ""])
    parts = [
        ("New actors", [f"- **{esc(a.name)}** ({a.kind}){notes.refs(a)}" for a in c.new_actors]),
        ("Changed positions", [f"- **{esc(p.actor)}**: {esc(p.stance)}{notes.refs(p)}" for p in c.changed_positions]),
        ("New movements", [f"- {_movement(m)}{notes.refs(m)}" for m in c.new_movements]),
        ("Questions answered", [f"- {esc(q.question)}{notes.refs(q)}" for q in c.answered_questions]),
        ("Still open", [f"- {esc(q.question)}{notes.refs(q)}" for q in c.still_open]),
    ]
    any_change = False
    for title, body in parts:
        if body:
            any_change = True
            lines.extend([f"**{title}**", "", *body, ""])
    if not any_change:
        lines.extend(["_Nothing new since the previous briefing._", ""])
