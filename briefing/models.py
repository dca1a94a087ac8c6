"""Pydantic schemas: what flows between the stages, what the model must answer, and the Briefing.

Three groups:
* inputs  - `Source` (a decoded article) and `Chunk` (a slice of one, with exact offsets);
* notes   - `ChunkNotes`: what the model writes about one chunk. Its quotes are *claims*, not yet
            checked; the grounding stage turns each into a `Citation` or drops the item;
* output  - `Briefing`: every item that states something carries `citations`, each verified so
            that `quote == source_text[start:end]` (Python string indices into the decoded text).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# --------------------------------------------------------------------------- inputs


def file_name(path: str) -> str:
    """The last part of a source's path, for labels ('seeds/01.txt' -> '01.txt')."""
    return path.replace("\\", "/").rsplit("/", 1)[-1]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


PublishedFrom = Literal["metadata", "dateline", "feed", "mtime"]
"""Where a source's publication date was read: the page's own metadata, a dateline in the text, the feed
entry that listed it, or (last resort) the file's modification time."""


def page_of(pages: list[int] | None, offset: int) -> int | None:
    """The 1-based page holding character `offset`, given the page start offsets (None: not paged)."""
    if not pages:
        return None
    return bisect_right(pages, offset) or 1


class Span(Strict):
    """A half-open character range `[start, end)` in a source's decoded text."""

    start: int = Field(ge=0, description="First character (Python string index).")
    end: int = Field(ge=0, description="One past the last character.")


PublishedFrom = Literal["metadata", "dateline", "feed", "mtime"]
"""Where a publication date came from: the page's metadata, a dateline in the text, the feed entry, or (last
resort, saying nothing of the story) the file's modification time."""


class Source(Strict):
    """One article as loaded: the decoded text, untouched, plus what later stages must ignore."""

    path: str = Field(description="The path as the user gave it (or the name of an inline article).")
    text: str = Field(description="The decoded text, exactly as in the file.")
    sha256: str = Field(description="sha256 of the file's raw bytes.")
    encoding: str = Field(
        description="The encoding the bytes were decoded with (utf-8, utf-16/32 by BOM, cp1252 or latin-1)."
    )
    title: str | None = Field(default=None, description="The first non-empty line when it reads as a headline.")
    boilerplate: list[Span] = Field(
        default_factory=list, description="Spans of web boilerplate (sign-up prompts, comment widgets, captions)."
    )
    published: str | None = Field(default=None, description="Publication date (see `SourceRecord.published`).")
    published_from: PublishedFrom | None = Field(default=None, description="Where `published` was read.")
    url: str | None = Field(default=None, description="The article's canonical URL, or the URL it was fetched from.")
    author: str | None = Field(default=None, description="The author, when the page or feed names one.")
    site: str | None = Field(default=None, description="The site or outlet, when the page or feed names it.")
    extracted_by: str | None = Field(
        default=None,
        description="What turned the raw bytes into `text` (e.g. 'trafilatura 2.3.1', 'pypdf 7.1.0'); None when "
        "the text is the file's own decoded bytes. Extracted text is stored with the briefing.",
    )
    pages: list[int] | None = Field(
        default=None, description="PDF only: where each page starts in `text` (page 1 at offset 0)."
    )


class Chunk(Strict):
    """A token-bounded slice of one source: `source_text[start:end] == text`."""

    source: str = Field(description="Path of the source this chunk was cut from.")
    index: int = Field(ge=0, description="Position of the chunk within its source.")
    start: int = Field(ge=0, description="Start offset in the source's decoded text.")
    end: int = Field(ge=0, description="End offset (exclusive) in the source's decoded text.")
    text: str = Field(description="The chunk's text (boilerplate lines removed only at the edges).")
    tokens: int = Field(ge=0, description="Token count of `text`.")


# --------------------------------------------------------------------------- model notes (map step)

ActorKind = Literal["person", "state", "organisation", "armed group", "other"]


# List bounds the model is told through the JSON schema (llama.cpp turns maxItems into its grammar, so a
# small model cannot loop in a list). Longer lists from other endpoints are trimmed, not rejected.
# (maxLength on strings was measured too: it made llama.cpp's grammar so large a chunk took 4x longer.)
MAX_ITEMS = {"facts": 3, "actors": 6, "open_questions": 2}


class NoteFact(Strict):
    text: str = Field(description="One key fact stated in the article, in one short sentence.")
    quote: str = Field(description="The exact words from the article that state it (copied verbatim).")


class NoteActor(Strict):
    name: str = Field(description="The actor's name as written, e.g. 'Vladimir Putin', 'Russia', 'Islamic State'.")
    kind: ActorKind = Field(description="person, state, organisation, armed group or other.")
    role: str = Field(description="Who they are in this story, e.g. 'Russian president'.")
    quote: str = Field(description="Exact words from the article that mention the actor in that role.")


class NoteQuestion(Strict):
    question: str = Field(description="A question the article leaves open, phrased as a question.")
    quote: str = Field(description="The exact words from the article that raise it.")


class ChunkNotes(BaseModel):
    """The map step's answer for one chunk. Every list may be empty.

    Positions and military movements are not asked of the model: code reads them from the sentences
    (`candidates`). Keys a model adds anyway (an older prompt, another endpoint) are ignored, not an error.
    """

    model_config = ConfigDict(extra="ignore")

    facts: list[NoteFact] = Field(
        default_factory=list,
        description="Key facts, most important first.",
        json_schema_extra={"maxItems": MAX_ITEMS["facts"]},
    )
    actors: list[NoteActor] = Field(
        default_factory=list,
        description="People, states, organisations, armed groups.",
        json_schema_extra={"maxItems": MAX_ITEMS["actors"]},
    )
    open_questions: list[NoteQuestion] = Field(
        default_factory=list,
        description="Questions left open.",
        json_schema_extra={"maxItems": MAX_ITEMS["open_questions"]},
    )

    @model_validator(mode="before")
    @classmethod
    def _trim(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = {k: v[: MAX_ITEMS[k]] if k in MAX_ITEMS and isinstance(v, list) else v for k, v in data.items()}
        return data


# --------------------------------------------------------------------------- the briefing


class Citation(Strict):
    """Exact words of one source: `quote == decoded_text_of(source)[start:end]`."""

    source: str = Field(description="Path of the cited file, as given.")
    start: int = Field(ge=0, description="Start offset of the quote in the decoded text.")
    end: int = Field(ge=0, description="End offset (exclusive).")
    quote: str = Field(description="The cited words, exactly as in the source.")


class Cited(Strict):
    citations: list[Citation] = Field(min_length=1, description="Where the sources say it; at least one.")

    @property
    def corroboration(self) -> int:
        """How many distinct sources support the item."""
        return len({c.source for c in self.citations})

    def sources_counted(self, origin: Mapping[str, str]) -> int:
        """How many distinct sources support the item, near-identical copies of one story (a wire story in
        several outlets) counted once: `origin` maps a copy's path to the path of the input it copies."""
        return len({origin.get(c.source, c.source) for c in self.citations})


Precision = Literal["day", "week", "month", "year"]


class When(Strict):
    """When an item happened, read in code from its cited sentence (never from the model)."""

    date: str = Field(description="ISO date YYYY-MM-DD; for a week, month or year, its first day.")
    precision: Precision = Field(description="How much of the date is known: day, week, month or year.")
    text: str = Field(
        default="", description="The source's words that give it ('on Monday', 'Sept. 10'); '' for a report date."
    )
    basis: Literal["stated", "relative", "report"] = Field(
        description="stated: a calendar date with its year in the sentence; relative: words such as 'on Monday', "
        "'last week' or 'Sept. 10' resolved against the source's publication date; report: the sentence gives "
        "no date and its source's publication date stands in (statements only)."
    )
    source: str = Field(description="Path of the source whose sentence (or publication date) gives it.")


class Dated(Cited):
    dated: When | None = Field(default=None, description="When it happened, when its cited sentence says.")


class KeyPoint(Cited):
    text: str = Field(description="One key point of the briefing.")


class Fact(Dated):
    text: str = Field(description="A grounded fact from one or more sources.")


class Actor(Cited):
    name: str = Field(description="Canonical name, e.g. 'Vladimir Putin'.")
    kind: ActorKind = Field(description="person, state, organisation, armed group or other.")
    role: str = Field(description="Who they are in this story.")
    aliases: list[str] = Field(default_factory=list, description="Other names the sources use.")


ItemStatus = Literal["reported", "claimed", "denied", "planned", "hypothetical"]


class Attributed(Dated):
    """An item whose standing depends on who says it: read from its cited sentence, never from the model."""

    status: ItemStatus = Field(
        default="reported", description="How the source puts it: reported, claimed, denied, planned or hypothetical."
    )
    attributed_to: str = Field(default="", description="Who says so ('' when the article itself reports it).")


class Position(Attributed):
    actor: str = Field(description="Canonical name of who holds the position.")
    stance: str = Field(description="The stance: the source's own sentence.")


class MilitaryMovement(Attributed):
    actor: str = Field(description="Canonical name of whose forces move.")
    what: str = Field(description="What is deployed, sent, struck or withdrawn.")
    where: str = Field(default="", description="Place, if stated.")
    when: str = Field(default="", description="Time, if stated.")
    scale: str = Field(default="", description="Numbers or size, if stated.")


class OpenQuestion(Cited):
    question: str = Field(description="A question the sources leave open.")


class Claim(Cited):
    statement: str = Field(description="What one side of the disagreement says.")


class Discrepancy(Strict):
    topic: str = Field(description="What the sources disagree about.")
    claims: list[Claim] = Field(min_length=2, description="The conflicting claims, each cited.")


class TimelineEvent(Cited):
    """One dated event (a movement, a statement, an incident or fact) on the briefing's timeline."""

    when: When = Field(description="When it happened, with its precision and the words that say so.")
    kind: Literal["movement", "statement", "fact"] = Field(description="What the event is.")
    actor: str = Field(default="", description="Whose forces move or who speaks ('' for a fact).")
    text: str = Field(description="What happened: the movement, the stance or the fact.")


@dataclass
class Items:
    """The item lists the stages pass on (grounded notes, merged items): one container, so a new kind of
    item is added here and in the stage that makes it, not in every stage between."""

    facts: list[Fact] = field(default_factory=list)
    actors: list[Actor] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    movements: list[MilitaryMovement] = field(default_factory=list)
    questions: list[OpenQuestion] = field(default_factory=list)

    def extend(self, other: Items) -> None:
        """Append `other`'s items to these, kind by kind."""
        for f in fields(Items):
            getattr(self, f.name).extend(getattr(other, f.name))


class SourceRecord(Strict):
    path: str = Field(description="The path as given.")
    title: str | None = Field(default=None, description="Headline, when the file starts with one.")
    sha256: str | None = Field(default=None, description="sha256 of the raw bytes (absent when unreadable).")
    encoding: str | None = Field(default=None, description="Encoding used to decode the file.")
    status: Literal["briefed", "skipped"] = Field(description="Whether the file went into the briefing.")
    reason: str | None = Field(default=None, description="Why the file was skipped.")
    chunks: int = Field(default=0, description="How many chunks were cut from it.")
    copies: list[str] = Field(
        default_factory=list, description="Other inputs that carry a near-identical copy of it (a wire story)."
    )
    copy_of: str | None = Field(
        default=None, description="The input it is a near-identical copy of: counted with it as one source."
    )
    lead: Fact | None = Field(
        default=None, description="The article's opening sentences as written: what it reports first."
    )
    published: str | None = Field(
        default=None, description='Publication date: ISO date "YYYY-MM-DD" or a full ISO datetime, when known.'
    )
    published_from: PublishedFrom | None = Field(
        default=None, description="Where `published` was read: metadata, dateline, feed or mtime."
    )
    url: str | None = Field(default=None, description="The article's canonical URL, or the URL it was fetched from.")
    author: str | None = Field(default=None, description="The author, when the page or feed names one.")
    site: str | None = Field(default=None, description="The site or outlet, when the page or feed names it.")
    extracted_by: str | None = Field(
        default=None, description="What extracted the text from the raw bytes (HTML, PDF); None for plain text."
    )
    text: str | None = Field(
        default=None,
        description="The extracted text citations index into, stored when it is not the file's own decoded "
        "bytes (HTML, PDF, fetched pages), so every citation stays verifiable without the extractor.",
    )
    pages: list[int] | None = Field(default=None, description="PDF only: where each page starts in `text`.")

    def page_of(self, offset: int) -> int | None:
        """The 1-based PDF page holding character `offset` of the text (None for sources without pages)."""
        return page_of(self.pages, offset)


class Usage(Strict):
    model: str = Field(default="", description="Model name used.")
    endpoint: str = Field(
        default="",
        description="Which kind of endpoint answered: openai, custom endpoint or embedded (never its address).",
    )
    model_calls: int = Field(default=0, description="Live calls that reached the model.")
    cached_calls: int = Field(default=0, description="Calls answered from the local cache.")
    retries: int = Field(default=0, description="Retried attempts (rate limits, errors, invalid JSON).")
    prompt_tokens: int = Field(default=0, description="Prompt tokens of live calls.")
    completion_tokens: int = Field(default=0, description="Completion tokens of live calls.")
    seconds: float = Field(default=0.0, description="Wall-clock seconds of the whole run.")


class Stats(Strict):
    chunks: int = Field(default=0, description="Chunks summarized.")
    items_proposed: int = Field(default=0, description="Items the model proposed (before grounding).")
    items_grounded: int = Field(default=0, description="Items kept: quote found in the source and backing the item.")
    items_dropped: int = Field(
        default=0, description="Items dropped: quote not in the source, not backing the claim, or only a title."
    )
    chunks_failed: int = Field(default=0, description="Chunks whose notes could not be obtained.")
    summary_calls_failed: int = Field(
        default=0, description="Key-point calls that failed (their points were filled from the statements)."
    )


class Changes(Strict):
    """What changed since the previous daily briefing (computed from the two JSON files)."""

    previous_date: str = Field(description="Date of the previous briefing, YYYY-MM-DD.")
    new_actors: list[Actor] = Field(default_factory=list, description="Actors not in the previous briefing.")
    changed_positions: list[Position] = Field(
        default_factory=list, description="Positions of known actors that were not stated before."
    )
    new_movements: list[MilitaryMovement] = Field(default_factory=list, description="Movements not reported before.")
    answered_questions: list[OpenQuestion] = Field(
        default_factory=list, description="Previous open questions no longer open."
    )
    still_open: list[OpenQuestion] = Field(default_factory=list, description="Previous open questions still open.")


class Briefing(Strict):
    """The product: one briefing across all sources, every statement cited."""

    title: str = Field(description="Headline of the briefing.")
    generated_at: datetime = Field(description="When the briefing was generated (UTC).")
    date: str | None = Field(default=None, description="The day it covers (daily briefings), YYYY-MM-DD.")
    summary: list[KeyPoint] = Field(default_factory=list, description="3-6 key points, each cited.")
    actors: list[Actor] = Field(default_factory=list, description="Who is involved.")
    positions: list[Position] = Field(default_factory=list, description="Who holds which stance.")
    military_movements: list[MilitaryMovement] = Field(default_factory=list, description="Forces and equipment moved.")
    open_questions: list[OpenQuestion] = Field(default_factory=list, description="What the sources leave open.")
    discrepancies: list[Discrepancy] = Field(default_factory=list, description="Where sources disagree.")
    facts: list[Fact] = Field(default_factory=list, description="Grounded key facts the summary draws on.")
    withheld: list[Citation] = Field(
        default_factory=list,
        description="Sentences written to a language model (instructions, role-play, fake JSON or citations): "
        "never cited or used, listed so a reader can check them.",
    )
    sources: list[SourceRecord] = Field(default_factory=list, description="Every input, briefed or skipped.")
    usage: Usage = Field(default_factory=Usage, description="Model calls, tokens and time.")
    stats: Stats = Field(default_factory=Stats, description="Grounding and chunk counts.")
    changes: Changes | None = Field(default=None, description="Since the previous daily briefing, when there is one.")
    warnings: list[str] = Field(
        default_factory=list,
        description="What went wrong around the briefing without stopping it (e.g. the response cache was off).",
    )
    timeline: list[TimelineEvent] = Field(
        default_factory=list, description="Dated events (movements, statements, facts), ordered by event date."
    )

    def origins(self) -> dict[str, str]:
        """A wire copy's path -> the path of the input it copies (`SourceRecord.copy_of`): counted as one."""
        return {r.path: r.copy_of for r in self.sources if r.copy_of}

    def citations(self) -> list[Citation]:
        """Every citation in the briefing, in reading order."""
        items: list[Cited] = [
            *self.summary,
            *self.actors,
            *self.positions,
            *self.military_movements,
            *self.open_questions,
            *self.facts,
            *self.timeline,
        ]
        for d in self.discrepancies:
            items.extend(d.claims)
        if self.changes:
            c = self.changes
            items.extend([*c.new_actors, *c.changed_positions, *c.new_movements, *c.answered_questions, *c.still_open])
        items.extend(s.lead for s in self.sources if s.lead)
        return [cit for item in items for cit in item.citations]
