"""Reduce step: grounded notes from every chunk -> one set of briefing items.

* aliases resolved (`aliases.AliasResolver`), duplicates merged keeping the union of citations;
* corroboration = the number of distinct sources behind an item; items are ordered by it;
* discrepancies are surfaced, never smoothed: numbers that differ between sources for the same thing
  (found in the cited source sentences by `numeric_discrepancies`), plus the disagreements the model
  points out between statements of different sources (`summarize` validates each);
* key points come from the model, but each may only point at numbered statements: its citations are
  the union of theirs, so the merge never invents a citation. When the statements would not fit one
  call, they are summarized in groups and the group points summarized again (hierarchical reduce).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, Field

from .aliases import AliasResolver
from .chunking import count_tokens
from .errors import BudgetExceeded, ModelError
from .extract import Grounded
from .grounding import coverage, fold
from .llm import ModelClient
from .models import (
    Actor,
    Citation,
    Cited,
    Claim,
    Discrepancy,
    Fact,
    KeyPoint,
    MilitaryMovement,
    OpenQuestion,
    Position,
    Source,
)
from .prompts import render

C = TypeVar("C", bound=Cited)
SIMILAR = 0.5
SUMMARY_MAX_TOKENS = 700
STATEMENTS_BUDGET = 2500  # prompt tokens of statements per summarize call
_WORDS = re.compile(r"\w+", re.UNICODE)
_STOP = {"the", "a", "an", "of", "to", "in", "on", "and", "or", "for", "is", "are", "was", "were", "be", "has",
         "have", "had", "that", "this", "with", "by", "at", "as", "its", "it", "from", "will", "would", "said"}


def words(text: str) -> set[str]:
    return {w for w in _WORDS.findall(fold(text).text) if w not in _STOP}


def similarity(a: str, b: str) -> float:
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def union_citations(*groups: Iterable[Citation]) -> list[Citation]:
    """Citations in first-seen order, without duplicates or spans nested in another from the same source."""
    out: list[Citation] = []
    for c in (c for g in groups for c in g):
        if any(o.source == c.source and o.start <= c.start and c.end <= o.end for o in out):
            continue
        out = [o for o in out if not (o.source == c.source and c.start <= o.start and o.end <= c.end)]
        out.append(c)
    return out


def overlaps(a: Cited, b: Cited) -> bool:
    return any(x.source == y.source and x.start < y.end and y.start < x.end for x in a.citations for y in b.citations)


def dedupe(items: list[C], same: Callable[[C, C], bool], combine: Callable[[C, C], C]) -> list[C]:
    """Merge items judged the same; keep first-seen order, then sort by corroboration (stable)."""
    merged: list[C] = []
    for item in items:
        for i, existing in enumerate(merged):
            if same(existing, item):
                merged[i] = combine(existing, item)
                break
        else:
            merged.append(item)
    return sorted(merged, key=lambda x: -x.corroboration)


def _with(item: C, other: Cited) -> C:
    return item.model_copy(update={"citations": union_citations(item.citations, other.citations)})


@dataclass
class Merged:
    actors: list[Actor]
    positions: list[Position]
    movements: list[MilitaryMovement]
    questions: list[OpenQuestion]
    facts: list[Fact]


def merge(notes: Grounded) -> Merged:
    resolver = AliasResolver()
    for a in notes.actors:
        resolver.learn(a.name, a.kind, a.role)
    for name in [a.name for a in notes.actors] + [p.actor for p in notes.positions] + [m.actor for m in notes.movements]:
        resolver.note_display(name)

    groups: dict[str, list[Actor]] = defaultdict(list)
    for a in notes.actors:
        groups[resolver.key(a.name)].append(a)
    actors = []
    for key, group in groups.items():
        name = resolver.display(key)
        kinds = Counter(a.kind for a in group)
        roles = Counter(a.role for a in group if a.role)
        aliases = sorted({a.name for a in group if a.name != name}, key=str.casefold)
        actors.append(
            Actor(
                name=name,
                kind=kinds.most_common(1)[0][0],
                role=roles.most_common(1)[0][0] if roles else "",
                aliases=aliases,
                citations=union_citations(*(a.citations for a in group)),
            )
        )
    actors.sort(key=lambda a: -a.corroboration)

    positions = dedupe(
        [p.model_copy(update={"actor": resolver.display(resolver.key(p.actor))}) for p in notes.positions],
        lambda x, y: resolver.key(x.actor) == resolver.key(y.actor)
        and (overlaps(x, y) or similarity(x.stance, y.stance) >= SIMILAR + 0.2),
        _with,
    )
    movements = dedupe(
        [m.model_copy(update={"actor": resolver.display(resolver.key(m.actor))}) for m in notes.movements],
        lambda x, y: resolver.key(x.actor) == resolver.key(y.actor)
        and (overlaps(x, y) or similarity(f"{x.what} {x.where}", f"{y.what} {y.where}") >= SIMILAR + 0.2),
        _with,
    )
    questions = dedupe(
        notes.questions, lambda x, y: overlaps(x, y) or similarity(x.question, y.question) >= SIMILAR + 0.2, _with
    )
    facts = dedupe(notes.facts, lambda x, y: overlaps(x, y) or similarity(x.text, y.text) >= SIMILAR + 0.2, _with)
    return Merged(actors, positions, movements, questions, facts)


# --------------------------------------------------------------------------- discrepancies from numbers

_NUMBER = re.compile(
    r"(?P<num>(?:more than |over |nearly |almost |about |some |at least )?"
    r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?: (?:million|thousand))?|thousands|hundreds|dozens)"
    r"(?P<gap>(?: [\w-]+){0,2}?) (?P<unit>troops|soldiers|servicemen|personnel|lives|dead|deaths|"
    r"fighter jets|fighter aircraft|aircraft|jets|planes|warplanes|tanks|helicopters|refugees)\b",
    re.IGNORECASE,
)
UNITS = {
    "troops": "troop numbers", "soldiers": "troop numbers", "servicemen": "troop numbers", "personnel": "troop numbers",
    "lives": "the death toll", "dead": "the death toll", "deaths": "the death toll",
    "fighter jets": "aircraft numbers", "fighter aircraft": "aircraft numbers", "aircraft": "aircraft numbers",
    "jets": "aircraft numbers", "planes": "aircraft numbers", "warplanes": "aircraft numbers",
    "tanks": "tank numbers", "helicopters": "helicopter numbers", "refugees": "refugee numbers",
}
_GAP_OK = re.compile(r"^(?: (?:russian|syrian|us|american|british|french|iranian|more|additional|new|extra|"
                     r"combat|ground|military|of))*$", re.IGNORECASE)


def numeric_discrepancies(sources: list[Source], spans: dict[str, list[tuple[int, int]]]) -> list[Discrepancy]:
    """Different figures for the same kind of thing (troops, death toll, aircraft) in different sources.

    Scans the sentences of the chunked (non-boilerplate) text; each claim cites the exact figure and its
    context. Only topics where at least two sources give *different* figures are reported.
    """
    found: dict[str, dict[str, tuple[str, Citation]]] = defaultdict(dict)
    for source in sources:
        for lo, hi in spans.get(source.path, []):
            for m in _NUMBER.finditer(source.text, lo, hi):
                if not _GAP_OK.match(m.group("gap")):
                    continue
                topic = UNITS.get(" ".join(m.group("unit").lower().split()))
                if topic is None:
                    continue
                if source.path in found[topic]:
                    continue
                a, b = _sentence_around(source.text, m.start(), m.end(), lo, hi)
                found[topic][source.path] = (
                    " ".join(m.group(0).split()),
                    Citation(source=source.path, start=a, end=b, quote=source.text[a:b]),
                )
    out = []
    for topic, by_source in found.items():
        figures = {_figure_key(f) for f, _ in by_source.values()}  # "500 troops" vs "thousands of soldiers"
        if len(by_source) >= 2 and len(figures) >= 2:
            claims = [
                Claim(statement=f"{_figure_text(fig)} ({_short_path(path)})", citations=[cit])
                for path, (fig, cit) in by_source.items()
            ]
            out.append(Discrepancy(topic=f"Sources give different figures for {topic}", claims=claims))
    return out


def _figure_key(figure: str) -> str:
    """The number alone: qualifiers and units do not make two figures differ."""
    m = _NUMBER.match(figure)
    number = m.group("num").lower() if m else figure.lower()
    return re.sub(r"^(more than|over|nearly|almost|about|some|at least) ", "", number)


def _figure_text(figure: str) -> str:
    return figure[0].upper() + figure[1:]


def _short_path(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _sentence_around(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    a = start
    while a > lo and not (text[a - 1] in ".!?\n" and (a == start or text[a].isspace() or text[a - 1] == "\n")):
        a -= 1
    b = end
    while b < hi and text[b] not in ".!?\n":
        b += 1
    if b < hi and text[b] in ".!?":
        b += 1
    while a < b and text[a].isspace():
        a += 1
    return a, b


# --------------------------------------------------------------------------- key points (model)


class PointOut(BaseModel):
    text: str = Field(description="One key point, one sentence.")
    ids: list[int] = Field(default_factory=list, description="Numbers of the statements it is built from.")


class DisagreementOut(BaseModel):
    topic: str = Field(description="What the statements disagree about.")
    ids: list[int] = Field(default_factory=list, description="Numbers of the conflicting statements.")


class SummaryOut(BaseModel):
    # minItems/maxItems reach llama.cpp's grammar (schema hint): without a floor the small model stopped
    # after one key point. Other endpoints only read them as guidance; the code checks the result anyway.
    key_points: list[PointOut] = Field(default_factory=list, description="Key points, most important first.",
                                       json_schema_extra={"minItems": 3, "maxItems": 6})
    disagreements: list[DisagreementOut] = Field(default_factory=list, description="Conflicting statements.",
                                                 json_schema_extra={"maxItems": 4})


@dataclass
class Statement:
    id: int
    source: str
    text: str
    citations: list[Citation]


def statements_of(merged: Merged) -> list[Statement]:
    items: list[tuple[str, list[Citation]]] = []
    items += [(f.text, f.citations) for f in merged.facts]
    items += [(f"{p.actor}: {p.stance}", p.citations) for p in merged.positions]
    items += [
        (f"{m.actor}: {m.what}" + (f" ({m.scale})" if m.scale else "") + (f" in {m.where}" if m.where else ""),
         m.citations)
        for m in merged.movements
    ]
    return [
        Statement(i + 1, ", ".join(sorted({_short_path(c.source) for c in cits})), text, cits)
        for i, (text, cits) in enumerate(items)
    ]


async def summarize(
    client: ModelClient,
    statements: list[Statement],
    *,
    min_points: int = 3,
    max_points: int = 6,
    grouped: bool = True,
) -> tuple[list[KeyPoint], list[Discrepancy]]:
    """Key points and model-spotted disagreements, each cited through the statements it names.

    `grouped=False` makes one call whatever the size (the hierarchy's last resort, see below).
    """
    if not statements:
        return [], []
    groups = _groups(statements) if grouped else [statements]
    if len(groups) > 1:  # hierarchical: points per group, then points of the points
        firsts: list[Statement] = []
        disagreements: list[Discrepancy] = []
        for group in groups:
            points, found = await summarize(client, group, min_points=2, max_points=4)
            disagreements += found
            firsts += [Statement(0, _sources_label(p.citations), p.text, p.citations) for p in points]
        for i, s in enumerate(firsts):
            s.id = i + 1
        # A level that did not shrink the statements would recurse for ever (one model call per group each
        # time): then the points are summarized in one call.
        points, found = await summarize(client, firsts, min_points=min_points, max_points=max_points,
                                        grouped=len(firsts) < len(statements))
        return points, disagreements + found

    messages = render("summarize", statements=statements, min_points=min_points, max_points=max_points)
    try:
        out = await client.structured(messages, SummaryOut, max_tokens=SUMMARY_MAX_TOKENS)
    except BudgetExceeded:
        raise
    except ModelError:
        out = SummaryOut()
    by_id = {s.id: s for s in statements}
    points = []
    for p in out.key_points:
        cited = [by_id[i] for i in dict.fromkeys(p.ids) if i in by_id]
        # A small model sometimes names the wrong statements: keep only those that back the point's words,
        # else look for the statements that do; a point nothing backs is dropped.
        backed = [s for s in cited if _backs(s, p.text)]
        if not backed:
            backed = [s for s in statements if _backs(s, p.text) and similarity(s.text, p.text) >= SIMILAR]
        if p.text.strip() and backed:
            points.append(KeyPoint(text=p.text.strip(), citations=union_citations(*(s.citations for s in backed))))
    points = dedupe(points, lambda x, y: similarity(x.text, y.text) >= 0.8, _with)[:max_points]
    if len(points) < min_points:  # the model gave too few usable points: fill from the best-supported statements
        ranked = sorted(statements, key=lambda s: -len({c.source for c in s.citations}))
        for s in ranked:
            if len(points) >= min_points:
                break
            if all(similarity(s.text, p.text) < 0.8 for p in points):
                points.append(KeyPoint(text=s.text, citations=s.citations))
    disagreements = []
    for d in out.disagreements:
        cited = [by_id[i] for i in dict.fromkeys(d.ids) if i in by_id]
        if len(cited) >= 2 and len({c.source for s in cited for c in s.citations}) >= 2 and d.topic.strip():
            disagreements.append(
                Discrepancy(topic=d.topic.strip(), claims=[Claim(statement=s.text, citations=s.citations) for s in cited])
            )
    return points, disagreements


BACKING = 0.5  # share of a key point's content words its statement must contain


def _backs(statement: Statement, point: str) -> bool:
    return coverage(point, " ".join([statement.text, *(c.quote for c in statement.citations)])) >= BACKING


def _sources_label(citations: list[Citation]) -> str:
    return ", ".join(sorted({_short_path(c.source) for c in citations}))


def _groups(statements: list[Statement]) -> list[list[Statement]]:
    groups: list[list[Statement]] = [[]]
    size = 0
    for s in statements:
        n = count_tokens(s.text) + 12
        if groups[-1] and size + n > STATEMENTS_BUDGET:
            groups.append([])
            size = 0
        groups[-1].append(s)
        size += n
    return groups
