"""Text matching: the one home for "are these two texts the same?" and every threshold that decides it.

* `fold` normalises text for comparison (quote marks, dashes, spaces, case) and keeps an index back to
  the original characters, so a match in folded text is a span of the source; `fold_name` does the
  same for an actor's name (possessives and punctuation dropped);
* `sentences` splits a span of text into sentence spans; `sentence_around` finds the one holding a match;
* `words` (every word but the function words), `content_stems` (content words cut to a 5-letter stem);
* `similarity` (shared words over the shorter text) says whether two items say the same thing;
  `coverage` (share of a claim's content stems found in the evidence) whether evidence backs a claim.

The thresholds are named here, once, with what they were set against.
"""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass
from functools import lru_cache

# --------------------------------------------------------------------------- thresholds

SIMILAR = 0.5
"""`similarity` at which a statement is close enough to a key point to back it (with `BACKING`)."""
SAME = 0.7
"""`similarity` at which two items of one kind, same actor, are one item (merge; "since yesterday")."""
NEAR_DUPLICATE = 0.8
"""`similarity` at which two key points say the same thing."""
CLAIM_SUPPORT = 0.5
"""Share of a fact's or movement's content stems (actor's name aside) its quote must hold: what moved
must be in the quote. A small model pairs claims with unrelated real sentences."""
STANCE_SUPPORT = 1 / 3
"""The same share for a stance, which paraphrases more."""
BACKING = 0.5
"""Share of a key point's content stems that the statements it cites must hold."""

WORD_CACHE = 16384
"""Texts whose `words` and `content_stems` (and terms whose whole-word pattern) are remembered, least recently
used going first. The same sentence is compared with many others (grounding, merging, discrepancies), so
each is split once; a few MB at most."""

# --------------------------------------------------------------------------- folding

# Every quote mark folds to one: small models swap “ ” for ‘ ’ as well as curly for straight.
FOLD_TABLE = str.maketrans({
    "“": "'", "”": "'", "„": "'", "‟": "'", "«": "'", "»": "'", '"': "'",
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "`": "'", "´": "'",
    "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-",
    "\u00a0": " ",
})  # fmt: skip
WORD = re.compile(r"\w+(?:['-]\w+)*", re.UNICODE)  # quote marks and dashes around a word are not part of it


@dataclass(frozen=True)
class Folded:
    """Normalised text plus, for each of its characters, the index of the original character."""

    text: str
    index: list[int]


def fold(text: str, offset: int = 0) -> Folded:
    """Quote marks, dashes and runs of white space folded, case folded; `index` maps back (plus `offset`).

    White space at either end is dropped; a run inside becomes one space, mapped to the run's last character.
    A text whose case folding keeps every character one character (nearly all news text) is folded with
    string methods; one with a character that folds to several ("ß" -> "ss") character by character."""
    translated = text.translate(FOLD_TABLE)
    folded = translated.casefold()
    if len(folded) != len(translated):  # casefold never drops a character: equal lengths mean one for one
        return _fold_by_character(translated, offset)
    out: list[str] = []
    index: list[int] = []
    pos = 0
    for gap in _SPACE_RUN.finditer(translated):  # white space as it was before case folding
        if gap.start() > pos:
            if out:
                out.append(" ")
                index.append(offset + pos - 1)
            out.append(folded[pos : gap.start()])
            index.extend(range(offset + pos, offset + gap.start()))
        pos = gap.end()
    if pos < len(folded):
        if out:
            out.append(" ")
            index.append(offset + pos - 1)
        out.append(folded[pos:])
        index.extend(range(offset + pos, offset + len(folded)))
    return Folded("".join(out), index)


def fold_text(text: str) -> str:
    """`fold(text).text` without the index (for comparing words, not citing): the same string, faster."""
    return _SPACE_RUN.sub(" ", text.translate(FOLD_TABLE).strip()).casefold()


# White space as `str.isspace` has it (`\s` in a str pattern is the same set of characters).
_SPACE_RUN = re.compile(r"\s+")


def _fold_by_character(translated: str, offset: int) -> Folded:
    """`fold` of an already translated text, one character at a time (its case folding changes lengths)."""
    out: list[str] = []
    index: list[int] = []
    pending_space = False
    for i, ch in enumerate(translated):
        if ch.isspace():
            pending_space = bool(out)
            continue
        if pending_space:
            out.append(" ")
            index.append(offset + i - 1)
            pending_space = False
        for c in ch.casefold():
            out.append(c)
            index.append(offset + i)
    return Folded("".join(out), index)


_POSSESSIVE = re.compile(r"['’]s\b")
_NAME_TOKEN = re.compile(r"[\w.-]+", re.UNICODE)


def fold_name(name: str) -> str:
    """An actor's name for comparison: case, quote marks and possessives folded, punctuation dropped."""
    name = name.replace("’", "'").replace("‘", "'")
    name = _POSSESSIVE.sub("", name)
    return " ".join(_NAME_TOKEN.findall(name.casefold())).strip(" .")


def mentions(text: str, terms: list[str]) -> bool:
    """Whether `text` names any of `terms` as whole words (folded)."""
    folded = fold_text(text)
    return any(_whole_word(fold_text(t)).search(folded) for t in terms if t.strip())


@lru_cache(maxsize=WORD_CACHE)
def _whole_word(folded: str) -> re.Pattern[str]:
    """A folded term as a whole-word pattern, compiled once (`re`'s own cache is small and shared)."""
    return re.compile(r"(?<!\w)" + re.escape(folded) + r"(?!\w)")


# --------------------------------------------------------------------------- sentences

# A sentence ends at . ! ? (closing quotes or brackets after it) before a space and what can open a sentence
# (a capital, a digit, a quotation mark or a bracket), or at a line break: "U.S. dollars" and "p.m. today"
# run on. The rule the gold annotations are scored by (../shared/gold/README.md).
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[A-Z0-9\"'“‘(\[])|\n+")


def sentences(text: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans of text[lo:hi]: a sentence ends at . ! ? (and closing quotes) before a space and a
    capital, a digit or a quotation mark, or at a line break. The separators belong to no sentence."""
    hi = len(text) if hi is None else hi
    out, pos = [], lo
    for m in _SENTENCE_END.finditer(text, lo, hi):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if pos < hi:
        out.append((pos, hi))
    return out


def subtract(spans: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`spans` with every `holes` range cut out (both lists of half-open ranges)."""
    out: list[tuple[int, int]] = []
    for lo, hi in spans:
        pos = lo
        for a, b in sorted(holes):
            if b <= pos or a >= hi:
                continue
            if a > pos:
                out.append((pos, a))
            pos = max(pos, b)
        if pos < hi:
            out.append((pos, hi))
    return out


def sentence_around(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """The span of the sentence of text[lo:hi] that holds text[start:end]: back to the previous sentence
    end (or line break), forward to the next `.`, `!`, `?` or line break (kept)."""
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


# --------------------------------------------------------------------------- words and overlap

STOP_WORDS = frozenset({
    "the", "a", "an", "of", "to", "in", "on", "and", "or", "for", "is", "are", "was", "were", "be", "has",
    "have", "had", "that", "this", "with", "by", "at", "as", "its", "it", "from", "will", "would", "said",
    "says", "been", "their", "they", "there", "which", "about", "into", "also", "than", "more", "some",
    "what", "when", "where", "after",
})  # fmt: skip
_ANY_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=WORD_CACHE)
def words(text: str) -> frozenset[str]:
    """The folded words of `text`, function words left out (remembered: the set is shared, so frozen)."""
    return frozenset(w for w in _ANY_WORD.findall(fold_text(text)) if w not in STOP_WORDS)


@lru_cache(maxsize=WORD_CACHE)
def content_stems(text: str) -> frozenset[str]:
    """Content words (4+ letters) cut to 5 letters, so 'supports' meets 'support', 'deployed' 'deploying'."""
    return frozenset(w[:5] for w in words(text) if len(w) >= 4)


def similarity(a: str, b: str) -> float:
    """Shared words over the shorter text's words (0 when either has none)."""
    return word_similarity(words(a), words(b))


def word_similarity(wa: Set[str], wb: Set[str]) -> float:
    """`similarity` of two texts by their `words`: for callers that compare one text with many."""
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def coverage(claim: str, evidence: str, *, leave_out: str = "") -> float:
    """Share of the claim's content stems (those of `leave_out`, e.g. the actor's name, aside) that the
    evidence holds; 0 when the claim has none."""
    wanted = content_stems(claim) - content_stems(leave_out)
    return len(wanted & content_stems(evidence)) / len(wanted) if wanted else 0.0


def supports(quote: str, claim: str, actor: str = "", share: float = CLAIM_SUPPORT) -> bool:
    """Whether a quote says enough of a claim: at least `share` of its content stems, the actor's name
    aside, and at least one."""
    share_held = coverage(claim, quote, leave_out=actor)
    return share_held > 0 and share_held >= share
