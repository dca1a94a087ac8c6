"""Key points: one model call over numbered grounded statements; code decides what is kept.

Each point may only point at numbered statements: its citations are the union of theirs, so a key
point never carries a citation no statement had. A point whose statements do not hold enough of its
words (`text.BACKING`) is re-cited to statements that do, or dropped; too few points are filled from
the best-corroborated statements. When the statements would not fit one call they are summarized in
groups and the group points summarized again (hierarchical reduce). The model may also point out
disagreements; one is kept only when it names statements of at least two sources.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from pydantic import BaseModel, Field

from .chunking import clip_tokens, count_tokens
from .errors import ModelError
from .faithful import check_claim
from .merge import dedupe, union_citations, with_citations_of
from .model import ModelClient
from .models import Citation, Claim, Discrepancy, Items, KeyPoint, file_name
from .prompts import render
from .text import BACKING, NEAR_DUPLICATE, SIMILAR, coverage, similarity

SUMMARY_MAX_TOKENS = 700
STATEMENTS_BUDGET = 2500  # prompt tokens of statements per summarize call
POINT_IDS = 4
"""Statements a key point may name. Unbounded, the embedded model listed every statement for every point (656
completion tokens for six points on the seeds, most of them numbers); the code keeps only those that back the
point's words anyway (`_backs`)."""
STATEMENT_SHARE = 8
"""A statement is shown with at most 1/8 of the budget's tokens (a longer one is cut, with an ellipsis): every
group then holds several statements, so each level of the hierarchical reduce shrinks and no call's
statements pass the budget (a source sentence can be a whole paragraph)."""


class PointOut(BaseModel):
    text: str = Field(description="One key point, one sentence.")
    ids: list[int] = Field(
        default_factory=list,
        description="Numbers of the statements it is built from.",
        json_schema_extra={"maxItems": POINT_IDS},
    )


class DisagreementOut(BaseModel):
    topic: str = Field(description="What the statements disagree about.")
    ids: list[int] = Field(default_factory=list, description="Numbers of the conflicting statements.")


class SummaryOut(BaseModel):
    # minItems/maxItems reach llama.cpp's grammar (schema hint): without a floor the small model stopped
    # after one key point. Other endpoints only read them as guidance; the code checks the result anyway.
    key_points: list[PointOut] = Field(
        default_factory=list,
        description="Key points, most important first.",
        json_schema_extra={"minItems": 3, "maxItems": 6},
    )
    disagreements: list[DisagreementOut] = Field(
        default_factory=list, description="Conflicting statements.", json_schema_extra={"maxItems": 4}
    )


@dataclass
class Statement:
    """A numbered line the summarize prompt shows: an item's text, its sources, its citations."""

    id: int
    source: str
    text: str
    citations: list[Citation]


MAX_STATEMENTS = 24
"""Statements a key-point call sees at most: the facts, then the best-corroborated positions and movements.
Positions are whole source sentences now; all of them made a 3,000-token prompt (47 s of prefill on the
embedded model) for 3-6 key points."""


def statements_of(merged: Items, origin: Mapping[str, str] | None = None) -> list[Statement]:
    """Facts, then positions and movements by corroboration (copies of one wire story counting once:
    `origin` maps a copy's path to the path it copies), as numbered statements (`MAX_STATEMENTS`)."""
    origin = origin or {}
    items: list[tuple[str, list[Citation]]] = [(f.text, f.citations) for f in merged.facts]
    said = [(f"{p.actor}: {p.stance}", p.citations) for p in merged.positions]
    said += [
        (
            f"{m.actor}: {m.what}" + (f" ({m.scale})" if m.scale else "") + (f" in {m.where}" if m.where else ""),
            m.citations,
        )
        for m in merged.movements
    ]
    said.sort(key=lambda item: -len({origin.get(c.source, c.source) for c in item[1]}))  # stable: corroborated first
    items = (items + said)[:MAX_STATEMENTS]
    return [
        Statement(i + 1, ", ".join(sorted({file_name(c.source) for c in cits})), text, cits)
        for i, (text, cits) in enumerate(items)
    ]


@dataclass
class Summary:
    """What `summarize` gives: key points, model-spotted disagreements, and how many calls failed."""

    points: list[KeyPoint] = field(default_factory=list)
    disagreements: list[Discrepancy] = field(default_factory=list)
    failed_calls: int = 0


async def summarize(
    client: ModelClient,
    statements: list[Statement],
    *,
    min_points: int = 3,
    max_points: int = 6,
    budget: int | None = None,
) -> Summary:
    """Key points and model-spotted disagreements, each cited through the statements it names.

    Statements that do not fit one call (`budget` tokens, each shown with at most 1/`STATEMENT_SHARE` of
    it) are summarized in groups, and the group points summarized again, until one call holds them all.
    A level that does not shrink would loop for ever: then the last call gets the statements that fit.
    No call's statements pass `budget`. A failed call is counted (`Summary.failed_calls`) and its points
    are filled from the best-corroborated statements.
    """
    summary = Summary()
    if not statements:
        return summary
    budget = budget or STATEMENTS_BUDGET
    level = statements
    while len(groups := _groups(level, budget)) > 1:
        points: list[KeyPoint] = []
        for group in groups:
            points += await _summarize_once(client, group, 2, 4, summary, budget)
        shrank = len(points) < len(level)
        level = [Statement(i + 1, _sources_label(p.citations), p.text, p.citations) for i, p in enumerate(points)]
        if not shrank:
            level = _groups(level, budget)[0]
            break
    summary.points = await _summarize_once(client, level, min_points, max_points, summary, budget)
    return summary


async def _summarize_once(
    client: ModelClient,
    statements: list[Statement],
    min_points: int,
    max_points: int,
    summary: Summary,
    budget: int = STATEMENTS_BUDGET,
) -> list[KeyPoint]:
    """One model call: its checked key points; its disagreements go into `summary`."""
    shown = [_shown(s, budget) for s in statements]
    messages = render("summarize", statements=shown, min_points=min_points, max_points=max_points, point_ids=POINT_IDS)
    try:
        out = await client.structured(messages, SummaryOut, max_tokens=SUMMARY_MAX_TOKENS)
    except ModelError:  # the briefing goes on; the points are filled from statements below
        out = SummaryOut()
        summary.failed_calls += 1
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
    points = dedupe(points, lambda x, y: similarity(x.text, y.text) >= NEAR_DUPLICATE, with_citations_of)[:max_points]
    if len(points) < min_points:  # the model gave too few usable points: fill from the best-supported statements
        ranked = sorted(statements, key=lambda s: -len({c.source for c in s.citations}))
        for s in ranked:
            if len(points) >= min_points:
                break
            if all(similarity(s.text, p.text) < NEAR_DUPLICATE for p in points):
                points.append(KeyPoint(text=s.text, citations=s.citations))
    for d in out.disagreements:
        cited = [by_id[i] for i in dict.fromkeys(d.ids) if i in by_id]
        if len(cited) >= 2 and len({c.source for s in cited for c in s.citations}) >= 2 and d.topic.strip():
            claims = [Claim(statement=s.text, citations=s.citations) for s in cited]
            summary.disagreements.append(Discrepancy(topic=d.topic.strip(), claims=claims))
    return points


def _backs(statement: Statement, point: str) -> bool:
    """The statement and its quotes hold enough of the point's words (`BACKING`) and nothing the point
    says against them: no number, name or polarity of its own (`faithful.check_claim`)."""
    evidence = " ".join([statement.text, *(c.quote for c in statement.citations)])
    return coverage(point, evidence) >= BACKING and check_claim(point, evidence).backed


def _sources_label(citations: list[Citation]) -> str:
    return ", ".join(sorted({file_name(c.source) for c in citations}))


def _cap(budget: int) -> int:
    return max(1, budget // STATEMENT_SHARE)


def _shown(statement: Statement, budget: int) -> Statement:
    """The statement as the prompt shows it: its text cut to `_cap(budget)` tokens, when longer."""
    cap = _cap(budget)
    if count_tokens(statement.text) <= cap:
        return statement
    return replace(statement, text=clip_tokens(statement.text, cap - 1) + "…")


def _groups(statements: list[Statement], budget: int) -> list[list[Statement]]:
    """Statements in order, in groups whose shown text (12 tokens of numbering and sources each) fits `budget`."""
    groups: list[list[Statement]] = [[]]
    size = 0
    for s in statements:
        n = min(count_tokens(s.text), _cap(budget)) + 12
        if groups[-1] and size + n > budget:
            groups.append([])
            size = 0
        groups[-1].append(s)
        size += n
    return groups
