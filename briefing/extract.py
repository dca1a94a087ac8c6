"""Map step: chunks -> `ChunkNotes` (one model call per batch of chunks), then grounded items.

Boilerplate splits an article into several chunks; adjacent chunks of one source that fit together
within the token limit go to the model in one call (a *batch*), so cutting out a newsletter prompt
does not cost an extra call. Each note's quote is grounded only inside its batch's chunks.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from typing import Any

from .candidates import Candidate, find_candidates
from .aliases import known_kind, mention_terms
from .faithful import check_claim
from .grounding import context_of, find_mention, ground
from .model import ModelClient
from .models import (
    Actor,
    Chunk,
    ChunkNotes,
    Citation,
    Fact,
    Items,
    MilitaryMovement,
    NoteActor,
    NoteFact,
    NoteQuestion,
    OpenQuestion,
    Position,
    Source,
)
from .prompts import render
from .text import CLAIM_SUPPORT, content_stems, mentions, subtract, supports

NOTES_MAX_TOKENS = 1200


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
    """Adjacent chunks of one source, together while they fit `max_tokens`, in source order."""
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
    """The map prompt for one batch (`prompts/extract.j2`)."""
    return render("extract", source=batch.source.path, title=batch.source.title, text=batch.text)


async def extract_notes(client: ModelClient, batch: Batch) -> ChunkNotes:
    """The model's notes on one batch (one call)."""
    return await client.structured(extract_messages(batch), ChunkNotes, max_tokens=NOTES_MAX_TOKENS)


@dataclass
class Grounded(Items):
    """Items whose quotes were found in the source and back them, each with one citation so far, and the
    count of items the model proposed and of those dropped."""

    proposed: int = 0
    dropped: int = 0
    planted: list[Citation] = field(default_factory=list)  # sentences written to a model: never cited

    def extend(self, other: Items) -> None:
        super().extend(other)
        if isinstance(other, Grounded):
            self.proposed += other.proposed
            self.dropped += other.dropped
            self.planted += other.planted


def ground_notes(notes: ChunkNotes, batch: Batch) -> Grounded:
    """The batch's items: positions and movements found in code (`candidates`), and each model note
    whose quote is in the batch's text and backs it (one policy per kind, below); the rest are dropped
    and counted. Sentences written to a model are never cited, and are listed in `Grounded.planted`."""
    found, planted = find_candidates(batch.source, batch.spans)
    policy = _Policy(batch, subtract(batch.spans, planted))
    out = Grounded(
        facts=[x for f in notes.facts if (x := policy.fact(f))],
        actors=[x for a in notes.actors if (x := policy.actor(a))],
        positions=[_position(c) for c in found if c.kind == "position"],
        movements=[_movement(c) for c in found if c.kind == "movement"],
        questions=[x for q in notes.open_questions if (x := policy.question(q))],
    )
    out.proposed, out.dropped = policy.proposed, policy.dropped
    out.planted = [_cite(batch.source, a, b) for a, b in planted]
    return out


def _cite(source: Source, start: int, end: int) -> Citation:
    return Citation(source=source.path, start=start, end=end, quote=source.text[start:end])


def _position(c: Candidate) -> Position:
    """A stance found in code: the speaker and the source's own sentence."""
    return Position(actor=c.actor, stance=c.text, **_standing(c))


def _movement(c: Candidate) -> MilitaryMovement:
    """Forces acting, found in code: whose forces and the source's own sentence."""
    return MilitaryMovement(actor=c.actor, what=c.text, **_standing(c))


def _standing(c: Candidate) -> dict[str, Any]:
    """What both kinds take from a candidate: status, who says so, and its sentence as the citation."""
    return {
        "status": c.status,
        "attributed_to": c.attributed_to,
        "citations": [Citation(source=c.source, start=c.start, end=c.end, quote=c.text)],
    }


class _Policy:
    """What it takes for each kind of note to be shown, for one batch; counts what it drops."""

    def __init__(self, batch: Batch, allowed: list[tuple[int, int]]) -> None:
        self.batch = batch
        self.spans = allowed  # the batch's chunks, less the sentences written to a model
        self.proposed = 0
        self.dropped = 0

    def _cite(self, quote: str) -> list[Citation] | None:
        """The quote grounded in the batch's chunks, or None (counted as dropped)."""
        self.proposed += 1
        citation = ground(quote, self.batch.source, self.spans)
        if citation is None:
            self.dropped += 1
            return None
        return [citation]

    def _backed(self, claim: str, quote: str, actor: str = "", share: float = CLAIM_SUPPORT) -> list[Citation] | None:
        """The quote exists; does it say enough of the claim, and is the actor named there (or in the
        sentence before)? Else the item is dropped: a small model pairs claims with unrelated sentences."""
        citations = self._cite(quote)
        if not citations:
            return None
        context = context_of(citations[0], self.batch.source, self.spans)
        named = not actor or mentions(context, mention_terms(actor))
        if not named or not supports(citations[0].quote, claim, actor, share):
            self.dropped += 1
            return None
        return citations

    def fact(self, f: NoteFact) -> Fact | None:
        """A fact: its quote holds half its content words, and `faithful.check_claim` finds nothing in it
        that the cited sentence does not say (numbers, names, polarity)."""
        if not f.text.strip() or _placeholder(f.text) or not (c := self._backed(f.text, f.quote)):
            return None
        sentence = context_of(c[0], self.batch.source, self.spans)
        if not check_claim(f.text, sentence).backed:
            self.dropped += 1
            return None
        return Fact(text=f.text.strip(), citations=c)

    def actor(self, a: NoteActor) -> Actor | None:
        """An actor: cited where the batch names them (the model's quote, else the first naming sentence)."""
        if not a.name.strip() or _placeholder(a.name, a.role):
            return None
        c = self._cite(a.quote)
        terms = mention_terms(a.name)
        if c and not mentions(c[0].quote, terms):
            # The quote is real but does not name the actor: cite the first sentence that does, if any.
            mention = find_mention(terms, self.batch.source, self.spans)
            c = [mention] if mention else None
            if c is None:
                self.dropped += 1
        if not c:
            return None
        return Actor(name=a.name.strip(), kind=known_kind(a.name) or a.kind, role=a.role.strip(), citations=c)

    def question(self, q: NoteQuestion) -> OpenQuestion | None:
        """An open question: its quote exists and leaves something open (`_OPEN` cues: unclear, whether,
        may, disputed, ...), and the question names something that sentence names (a name or a number):
        "What is the current situation?" asks nothing."""
        if not q.question.strip() or _placeholder(q.question) or not (c := self._cite(q.quote)):
            return None
        sentence = context_of(c[0], self.batch.source, self.spans)
        specific = (content_stems(q.question) - _GENERIC_QUESTION) & content_stems(sentence)
        if not _OPEN.search(sentence) or len(specific) < 2:
            self.dropped += 1
            return None
        question = q.question.strip()
        return OpenQuestion(question=question if question.endswith("?") else question + "?", citations=c)


# What leaves a question open in a sentence: uncertainty, dispute, something not yet known or decided.
_OPEN = re.compile(
    r"\b(?:unclear|unknown|not known|not yet|uncertain|whether|may|might|could|remains? to be|unconfirmed|"
    r"disputed|contested|denied|allegedly|reportedly|believed|suspected|investigat\w*|inquiry|questions?|"
    r"expected|plans?|considering|undecided|pending|awaiting|if)\b",
    re.IGNORECASE,
)


# Words of a question that asks nothing in particular ("What is the current status of ...?").
_GENERIC_QUESTION = content_stems(
    "current status situation latest future impact outcome happen happens next going state overall general "
    "developments update role effect effects consequences response reaction"
)


# Layout words a small model sometimes copies instead of filling in: such items say nothing.
_PLACEHOLDERS = {
    "one key fact in one sentence",
    "exact words",
    "full name as written",
    "name",
    "kind",
    "who they are in this story",
    "exact words naming them",
    "what they say or want, in one sentence",
    "what they say or want",
    "whose forces",
    "what is deployed, sent or attacked",
    "place",
    "time",
    "numbers",
    "a question the article leaves open",
    "exact words that raise it",
    "empty",
    "none",
    "n/a",
    "unknown",
    "not specified",
    "not stated",
    # earlier wordings of the layout, still seen in answers of small models
    "one-sentence key fact",
    "full name",
    "who they are here",
    "what is deployed or done",
    "place or empty",
    "time or empty",
    "numbers or empty",
}


def _placeholder(*texts: str) -> bool:
    return any(t.strip().strip("<>.?").strip().casefold() in _PLACEHOLDERS for t in texts)
