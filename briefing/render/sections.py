"""Sections: what a briefing says, part by part, free of markup, its citations numbered once for every renderer.

`outline(briefing)` is the one place that decides what a reader is shown and in which order: key points,
what changed since the previous briefing (when there is one), actors, positions, military movements, the
timeline (dated events in event order), open questions, where sources disagree, the sources (each with its
publication date and where it came from, and the outlets carrying a copy of it), and how the briefing was
made. "n sources" counts near-identical copies of one wire story once. Each `Section` holds
`Line`s made of `Part`s (words from the articles or the model, a name to emphasize, a file path, or the
briefing's own words and punctuation), with the item's citation numbers and, where the briefing shows it,
how many sources back it. A section with no line says so with its `empty` text; the "Since" section
leaves out its empty sub-sections. Citations are numbered in order of first use (the same span keeps its
number), so every renderer gives the same statement the same number.

A renderer decides the markup: its `Markup` says how to escape untrusted text, emphasize, show a path
and mark citations, and `Markup.line` writes one line with it. Headings, layout and limits stay in the
renderer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from ..models import (
    Attributed,
    Briefing,
    Changes,
    Citation,
    Cited,
    MilitaryMovement,
    Position,
    SourceRecord,
    TimelineEvent,
    When,
)

Style = Literal["text", "strong", "path", "fixed"]
"""How a part is shown: `text` - words from the articles or the model (untrusted, escaped); `strong` - the
same, emphasized (an actor, a topic); `path` - a file path as given; `fixed` - the briefing's own words and
punctuation, shown exactly as they are."""

Form = Literal["numbered", "bullets", "prose"]


@dataclass(frozen=True)
class Part:
    """A run of text within a line, with how it is to be shown."""

    text: str
    style: Style = "text"


@dataclass(frozen=True)
class Line:
    """One item as a line: its parts, the numbers of its citations, and how many sources back it.

    `corroboration` is set only where the briefing shows it (0 otherwise); `level` 1 is a line nested
    under the line before it (a claim under its disagreement)."""

    parts: tuple[Part, ...]
    refs: tuple[int, ...] = ()
    corroboration: int = 0
    level: int = 0


@dataclass(frozen=True)
class Section:
    """One part of the briefing: a title, its lines (or sub-sections), and what to say when it has none."""

    title: str
    lines: tuple[Line, ...] = ()
    empty: str = ""
    form: Form = "bullets"
    subsections: tuple[Section, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when the section has neither lines nor sub-sections: renderers show `empty` instead."""
        return not self.lines and not self.subsections


@dataclass(frozen=True)
class Outline:
    """A briefing's sections in reading order, and its citations: number `n` is `citations[n - 1]`."""

    sections: tuple[Section, ...]
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Markup:
    """How one renderer writes a `Line`: escaping, emphasis, paths, list marks and citation marks."""

    escape: Callable[[str], str]
    strong: Callable[[str], str]
    emphasis: Callable[[str], str]
    path: Callable[[str], str]
    bullets: tuple[str, str]
    refs: Callable[[tuple[int, ...]], str]

    def part(self, part: Part) -> str:
        """One part in this markup (untrusted text escaped)."""
        if part.style == "fixed":
            return part.text
        if part.style == "path":
            return self.path(part.text)
        text = self.escape(part.text)
        return self.strong(text) if part.style == "strong" else text

    def line(self, line: Line, form: Form = "bullets", number: int = 1) -> str:
        """One line in this markup: list mark, parts, "(n sources)" when more than one, citation marks."""
        mark = f"{number}. " if form == "numbered" else self.bullets[line.level] if form == "bullets" else ""
        support = f" {self.emphasis(f'({line.corroboration} sources)')}" if line.corroboration > 1 else ""
        return mark + "".join(self.part(p) for p in line.parts) + support + self.refs(line.refs)


class _Numbers:
    """Numbers citations in order of first use; the same span (file, start, end) keeps its number."""

    def __init__(self) -> None:
        self.order: list[Citation] = []
        self._index: dict[tuple[str, int, int], int] = {}

    def __call__(self, item: Cited) -> tuple[int, ...]:
        numbers = []
        for c in item.citations:
            key = (c.source, c.start, c.end)
            if key not in self._index:
                self.order.append(c)
                self._index[key] = len(self.order)
            numbers.append(self._index[key])
        return tuple(numbers)


def _text(text: str) -> Part:
    return Part(text, "text")


def _strong(text: str) -> Part:
    return Part(text, "strong")


def _fixed(text: str) -> Part:
    return Part(text, "fixed")


def _listed(texts: list[str], sep: str) -> list[Part]:
    """Untrusted texts joined by `sep` (each escaped on its own)."""
    parts: list[Part] = []
    for i, text in enumerate(texts):
        parts += [_fixed(sep), _text(text)] if i else [_text(text)]
    return parts


def _standing(item: Attributed, actor: str) -> list[Part]:
    """How the source puts it, when not as plain fact: '(denied by X)', '(claimed by X)', '(planned)',
    '(hypothetical)', or '(according to X)' when someone other than the actor says so."""
    by = item.attributed_to
    if item.status == "reported":
        return [_fixed(" (according to "), _text(by), _fixed(")")] if by and by != actor else []
    if not by:
        return [_fixed(f" ({item.status})")]
    if item.status in ("denied", "claimed"):
        return [_fixed(f" ({item.status} by "), _text(by), _fixed(")")]
    return [_fixed(f" ({item.status}, according to "), _text(by), _fixed(")")]


def _position(p: Position) -> list[Part]:
    return [_strong(p.actor), _fixed(": "), _text(p.stance), *_standing(p, p.actor)]


def _movement(m: MilitaryMovement) -> list[Part]:
    details = [x for x in (m.where, m.when, m.scale) if x]
    parts = [_strong(m.actor), _fixed(": "), _text(m.what)]
    parts += [_fixed(" ("), *_listed(details, "; "), _fixed(")")] if details else []
    return parts + _standing(m, m.actor)


def outline(briefing: Briefing) -> Outline:
    """The briefing as sections in reading order, its citations numbered in order of first use."""
    b = briefing
    number = _Numbers()

    origin = b.origins()

    def item(parts: list[Part], of: Cited, *, support: bool = False, level: int = 0) -> Line:
        return Line(tuple(parts), number(of), of.sources_counted(origin) if support else 0, level)

    sections = [
        Section(
            "Key points",
            tuple(item([_text(p.text)], p) for p in b.summary),
            "No key point could be grounded in the sources.",
            form="numbered",
        )
    ]
    if b.changes:
        sections.append(_changes(b.changes, item))
    sections += [
        Section(
            "Actors",
            tuple(
                item(
                    [_strong(a.name), _fixed(f" ({a.kind})")]
                    + ([_fixed(" — "), _text(a.role)] if a.role else [])
                    + ([_fixed(". Also: "), *_listed(a.aliases, ", ")] if a.aliases else []),
                    a,
                    support=True,
                )
                for a in b.actors
            ),
            "No actor could be grounded in the sources.",
        ),
        Section(
            "Positions",
            tuple(item(_position(p), p, support=True) for p in b.positions),
            "No position could be grounded in the sources.",
        ),
        Section(
            "Military movements",
            tuple(item(_movement(m), m, support=True) for m in b.military_movements),
            "No military movement could be grounded in the sources.",
        ),
        Section(
            "Timeline",
            tuple(item(_event(e), e, support=True) for e in b.timeline),
            "No event is dated in the sentences cited.",
        ),
        Section(
            "Open questions",
            tuple(item([_text(q.question)], q) for q in b.open_questions),
            "The sources raise no open question that could be grounded.",
        ),
        Section(
            "Where sources disagree",
            tuple(
                line
                for d in b.discrepancies
                for line in [
                    Line((_strong(d.topic),)),
                    *(item([_text(c.statement)], c, level=1) for c in d.claims),
                ]
            ),
            "No disagreement between sources was found.",
        ),
        *([_withheld(b)] if b.withheld else []),
        _sources(b, item),
        _how_made(b),
    ]
    return Outline(tuple(sections), tuple(number.order))


_PUBLISHED_FROM = {
    "metadata": "from the page's metadata",
    "dateline": "from its dateline",
    "feed": "from the feed",
    "mtime": "the file's date: no date in the text",
}


def when_text(w: When) -> str:
    """A date as precise as it is known: '2015-09-07', 'week of 2015-08-31', '2015-09', '2015'."""
    if w.precision == "week":
        return f"week of {w.date}"
    if w.precision == "month":
        return w.date[:7]
    if w.precision == "year":
        return w.date[:4]
    return w.date


def _event(e: TimelineEvent) -> list[Part]:
    """'2015-09-07 (“on Monday”): Russia: ...'; a statement dated by its report: '2015-09-28 (date of report)'."""
    how = (
        [_fixed(" (date of report)")] if e.when.basis == "report" else [_fixed(" (“"), _text(e.when.text), _fixed("”)")]
    )
    what = [_strong(e.actor), _fixed(": "), _text(e.text)] if e.actor else [_text(e.text)]
    return [_fixed(when_text(e.when)), *how, _fixed(" — "), *what]


def _published(s: SourceRecord) -> list[Part]:
    """'; published 2015-09-28 (from its dateline)', or nothing when the date is unknown."""
    if not s.published:
        return []
    where = _PUBLISHED_FROM.get(s.published_from or "", "")
    return [_fixed("; published "), _text(s.published), _fixed(f" ({where})" if where else "")]


def _copies(s: SourceRecord) -> list[Part]:
    """'; also in: a.txt, b.txt' (the first of a wire story) or '; a copy of a.txt (counted with it)'."""
    if s.copies:
        return [
            _fixed("; also in: "),
            *(p for i, c in enumerate(s.copies) for p in ([_fixed(", ")] if i else []) + [Part(c, "path")]),
        ]
    if s.copy_of:
        return [_fixed("; a copy of "), Part(s.copy_of, "path"), _fixed(" (counted with it as one source)")]
    return []


def _changes(c: Changes, item: Callable[..., Line]) -> Section:
    parts = [
        ("New actors", [item([_strong(a.name), _fixed(f" ({a.kind})")], a) for a in c.new_actors]),
        (
            "Changed positions",
            [item(_position(p), p) for p in c.changed_positions],
        ),
        ("New movements", [item(_movement(m), m) for m in c.new_movements]),
        ("Questions answered", [item([_text(q.question)], q) for q in c.answered_questions]),
        ("Still open", [item([_text(q.question)], q) for q in c.still_open]),
    ]
    return Section(
        f"Since {c.previous_date}",
        empty="Nothing new since the previous briefing.",
        subsections=tuple(Section(title, tuple(lines)) for title, lines in parts if lines),
    )


def _withheld(b: Briefing) -> Section:
    """Sentences written to a language model: never cited, shown here so a reader can check them."""
    lines = [Line((Part(c.source, "path"), _fixed(": "), _text(c.quote))) for c in b.withheld]
    return Section("Held back: text addressed to an AI model", tuple(lines), "")


def about(s: SourceRecord) -> list[str]:
    """What a source says about itself, as a reader wants it: outlet, author, publication date (when known;
    a file's modification time, the weakest evidence of one, is marked as such)."""
    published = f"{s.published} (file date)" if s.published and s.published_from == "mtime" else s.published
    return [x for x in (s.site, f"by {s.author}" if s.author else None, published) if x]


def _about(s: SourceRecord) -> list[Part]:
    """`about` as parts (the outlet's and author's names are untrusted text), then the article's URL."""
    parts: list[Part] = []
    for i, x in enumerate(about(s)):
        parts += [_fixed(" · " if i else " ("), _text(x)]
    if s.url:
        parts += [_fixed(" · " if parts else " ("), Part(s.url, "path")]
    return [*parts, _fixed(")")] if parts else []


def _sources(b: Briefing, item: Callable[..., Line]) -> Section:
    """Every input: briefed (with its title, outlet, author, date and URL when known, and its lead, cited)
    or skipped with the reason."""
    lines = []
    for s in b.sources:
        parts = [Part(s.path, "path")]
        if s.status == "briefed":
            parts += [_fixed(" — "), _text(s.title)] if s.title else []
            parts += _about(s)
            parts.append(_fixed(f": briefed, {s.chunks} chunk{'s' if s.chunks != 1 else ''}"))
            parts += [_fixed(" ("), _text(s.reason), _fixed(")")] if s.reason else []
            parts += _published(s) + _copies(s)
        else:
            parts += [_fixed(": "), _strong("skipped"), _fixed(" — "), _text(s.reason or "unknown reason")]
        lines.append(Line(tuple(parts)))
        if s.status == "briefed" and s.lead:
            lines.append(item([_fixed("Lead: "), _text(s.lead.text)], s.lead, level=1))
    return Section("Sources", tuple(lines), "No sources.")


def _how_made(b: Briefing) -> Section:
    st, u = b.stats, b.usage
    failed = f"; {st.chunks_failed} chunk{'s' if st.chunks_failed != 1 else ''} failed" if st.chunks_failed else ""
    text = (
        f"{st.chunks} chunks summarized; {st.items_grounded} of {st.items_proposed} items the model proposed were "
        f"kept; {st.items_dropped} dropped because their quote is not in the source or does not back the claim"
        f"{failed}. {u.model_calls} model calls ({u.cached_calls} answered from cache), "
        f"{u.prompt_tokens:,} prompt + {u.completion_tokens:,} completion tokens, {u.seconds:.0f} s."
    )
    warnings = tuple(Line((_fixed(" Warning: "), _text(w))) for w in b.warnings)
    return Section("How this briefing was made", (Line((_fixed(text),)), *warnings), form="prose")


__all__ = ["Line", "Markup", "Outline", "Part", "Section", "about", "outline", "when_text"]
