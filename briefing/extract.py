"""Map step: chunks -> `ChunkNotes` (one model call per batch of chunks), then grounded items.

Boilerplate splits an article into several chunks; adjacent chunks of one source that fit together
within the token limit go to the model in one call (a *batch*), so cutting out a newsletter prompt
does not cost an extra call. Each note's quote is grounded only inside its batch's chunks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .aliases import TITLES, known_kind, mention_terms
from .grounding import content_stems, context_of, find_mention, ground, mentions, supports
from .llm import ModelClient
from .models import (
    Actor,
    Chunk,
    ChunkNotes,
    Citation,
    Fact,
    MilitaryMovement,
    OpenQuestion,
    Position,
    Source,
)
from .prompts import render

NOTES_MAX_TOKENS = 1200
# How much of a claim its quote must contain (content words, actor's name aside): half for facts and
# movements (what moved must be in the quote), a third for stances, which paraphrase more.
STANCE_SUPPORT = 1 / 3


@dataclass
class Batch:
    """Adjacent chunks of one source that go to the model together."""

    source: Source
    chunks: list[Chunk]

    @property
    def text(self) -> str:
        return "\n\n".join(c.text for c in self.chunks)

    @property
    def spans(self) -> list[tuple[int, int]]:
        return [(c.start, c.end) for c in self.chunks]

    @property
    def tokens(self) -> int:
        return sum(c.tokens for c in self.chunks)


def make_batches(sources: list[Source], chunks: list[Chunk], max_tokens: int) -> list[Batch]:
    by_path = {s.path: s for s in sources}
    batches: list[Batch] = []
    for chunk in chunks:
        last = batches[-1] if batches else None
        if last and last.source.path == chunk.source and last.tokens + chunk.tokens <= max_tokens:
            last.chunks.append(chunk)
        else:
            batches.append(Batch(by_path[chunk.source], [chunk]))
    return batches


def extract_messages(batch: Batch) -> list[dict[str, str]]:
    return render("extract", source=batch.source.path, title=batch.source.title, text=batch.text)


async def extract_notes(client: ModelClient, batch: Batch) -> ChunkNotes:
    return await client.structured(extract_messages(batch), ChunkNotes, max_tokens=NOTES_MAX_TOKENS)


@dataclass
class Grounded:
    """Items whose quotes were found in the source, each with exactly one citation so far."""

    facts: list[Fact] = field(default_factory=list)
    actors: list[Actor] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    movements: list[MilitaryMovement] = field(default_factory=list)
    questions: list[OpenQuestion] = field(default_factory=list)
    proposed: int = 0
    dropped: int = 0

    def extend(self, other: Grounded) -> None:
        self.facts += other.facts
        self.actors += other.actors
        self.positions += other.positions
        self.movements += other.movements
        self.questions += other.questions
        self.proposed += other.proposed
        self.dropped += other.dropped


def ground_notes(notes: ChunkNotes, batch: Batch) -> Grounded:
    """Keep each note whose quote is in the batch's text; drop (and count) the rest."""
    out = Grounded()

    def cite(quote: str) -> list[Citation] | None:
        out.proposed += 1
        citation = ground(quote, batch.source, batch.spans)
        if citation is None:
            out.dropped += 1
            return None
        return [citation]

    def backed(claim: str, citations: list[Citation] | None, actor: str = "", share: float = 0.5
               ) -> list[Citation] | None:
        """The quote exists; does it say enough of the claim, and is the actor named there (or in the
        sentence before)? Else the item is dropped: a small model pairs claims with unrelated sentences."""
        if not citations:
            return None
        named = not actor or mentions(context_of(citations[0], batch.source, batch.spans), mention_terms(actor))
        if not named or not supports(citations[0].quote, claim, actor, share):
            out.dropped += 1
            return None
        return citations

    for f in notes.facts:
        if f.text.strip() and not _placeholder(f.text) and (c := backed(f.text, cite(f.quote))):
            out.facts.append(Fact(text=f.text.strip(), citations=c))
    for a in notes.actors:
        if not a.name.strip() or _placeholder(a.name, a.role):
            continue
        c = cite(a.quote)
        terms = mention_terms(a.name)
        if c and not mentions(c[0].quote, terms):
            # The quote is real but does not name the actor: cite the first sentence that does, if any.
            mention = find_mention(terms, batch.source, batch.spans)
            c = [mention] if mention else None
            if c is None:
                out.dropped += 1
        if c:
            out.actors.append(Actor(name=a.name.strip(), kind=known_kind(a.name) or a.kind, role=a.role.strip(),
                                    citations=c))
    roles = {a.name.strip().casefold(): a.role for a in notes.actors}
    for p in notes.positions:
        if _only_a_title(p.stance, p.actor, roles.get(p.actor.strip().casefold(), "")):
            out.proposed += 1
            out.dropped += 1
            continue
        if (p.actor.strip() and p.stance.strip() and not _placeholder(p.stance)
                and (c := backed(p.stance, cite(p.quote), p.actor, STANCE_SUPPORT))):
            out.positions.append(Position(actor=p.actor.strip(), stance=p.stance.strip(), citations=c))
    for m in notes.movements:
        if (m.actor.strip() and m.what.strip() and not _placeholder(m.what)
                and (c := backed(m.what, cite(m.quote), m.actor))):
            out.movements.append(
                MilitaryMovement(
                    actor=m.actor.strip(), what=m.what.strip(), where=_detail(m.where), when=_detail(m.when),
                    scale=_detail(m.scale), citations=c,
                )
            )
    for q in notes.open_questions:
        if q.question.strip() and not _placeholder(q.question) and (c := cite(q.quote)):
            question = q.question.strip()
            out.questions.append(OpenQuestion(question=question if question.endswith("?") else question + "?",
                                              citations=c))
    return out


# Layout words a small model sometimes copies instead of filling in: such items say nothing.
_PLACEHOLDERS = {
    "one key fact in one sentence", "exact words", "full name as written", "name", "kind",
    "who they are in this story", "exact words naming them", "what they say or want, in one sentence",
    "what they say or want", "whose forces", "what is deployed, sent or attacked", "place", "time", "numbers",
    "a question the article leaves open", "exact words that raise it", "empty", "none", "n/a", "unknown",
    "not specified", "not stated",
    # earlier wordings of the layout, still seen in answers of small models
    "one-sentence key fact", "full name", "who they are here", "what is deployed or done", "place or empty",
    "time or empty", "numbers or empty",
}


def _placeholder(*texts: str) -> bool:
    return any(t.strip().strip("<>.?").strip().casefold() in _PLACEHOLDERS for t in texts)


_TITLE_WORDS = " ".join(TITLES) + " chief policy affairs foreign security head leader ally long-time longtime country"


def _only_a_title(stance: str, actor: str, role: str) -> bool:
    """A 'stance' that only restates who the actor is ('President of Russia', 'long-time ally') says nothing."""
    return not (content_stems(stance) - content_stems(f"{actor} {role} {_TITLE_WORDS}"))


def _detail(text: str) -> str:
    """A movement's where/when/scale, blank when the model wrote a placeholder."""
    return "" if _placeholder(text) else text.strip()
