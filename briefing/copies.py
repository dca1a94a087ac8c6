"""Duplicates and wire copies: the same article twice is briefed once; one story in several outlets counts once.

* `text_key(text)` identifies an article's text with its whitespace normalised (and Unicode NFC): two
  inputs with the same key are the same article (the second is skipped as a duplicate of the first).
* `wire_copies(sources)` finds near-identical copies of one story carried by several outlets (an AP or
  Reuters story with another dateline, byline or closing paragraph): each article's words outside its
  boilerplate are cut into shingles of `SHINGLE_WORDS` words, and two articles whose shingle sets have a
  Jaccard similarity of at least `WIRE_COPY_JACCARD` are copies. The similarity is exact, counted through an
  inverted index (shingle -> articles), so only articles that share a shingle are ever compared: 5-word
  shingles of different stories rarely coincide, which keeps it near linear (MinHash would estimate what is
  counted here exactly). Copies are grouped transitively; the first of a group in input order is the one the
  others are copies of. Every copy is still briefed (a trailing paragraph may hold something the others
  lack), but an item backed by several copies of one story counts as backed by one source.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence

from .models import Source
from .text import subtract

SHINGLE_WORDS = 5
"""Words per shingle: long enough that two different stories rarely share one, short enough that a changed
word costs only the shingles around it."""
WIRE_COPY_JACCARD = 0.6
"""Two articles are copies of one story when this share of their shingles (Jaccard) is common to both.
Measured: a wire story against itself with another dateline and byline and one extra closing paragraph
(a fifth of its length) scores 0.8; different outlets' reports of one event (seeds/, the eval
clusters) at most 0.08."""
MIN_SHINGLES = 8
"""An article with fewer shingles than this (a one-line note) is never taken for a copy."""

_WORD = re.compile(r"\w+", re.UNICODE)


def text_key(text: str) -> str:
    """An article's identity: sha256 of its text in Unicode NFC with every run of whitespace one space."""
    normal = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def shingles(source: Source) -> set[str]:
    """The article's `SHINGLE_WORDS`-word shingles (lower-cased words), web boilerplate left out."""
    text = source.text
    spans = subtract([(0, len(text))], [(b.start, b.end) for b in source.boilerplate])
    words = [w.lower() for a, b in spans for w in _WORD.findall(text, a, b)]
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """|a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def wire_copies(sources: Sequence[Source], threshold: float = WIRE_COPY_JACCARD) -> dict[str, str]:
    """A copy's path -> the path of the first article (in `sources` order) of its group of copies."""
    sets = [shingles(s) for s in sources]
    index: dict[str, list[int]] = defaultdict(list)
    for i, found in enumerate(sets):
        for shingle in found:
            index[shingle].append(i)
    parent = list(range(len(sources)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, found in enumerate(sets):
        if len(found) < MIN_SHINGLES:
            continue
        shared: dict[int, int] = defaultdict(int)
        for shingle in found:
            for j in index[shingle]:
                if j > i:
                    shared[j] += 1
        for j, common in shared.items():
            if len(sets[j]) < MIN_SHINGLES:
                continue
            if common / (len(found) + len(sets[j]) - common) >= threshold:
                a, b = root(i), root(j)
                parent[max(a, b)] = min(a, b)  # the earlier article stays the group's first
    return {sources[i].path: sources[root(i)].path for i in range(len(sources)) if root(i) != i}


__all__ = ["MIN_SHINGLES", "SHINGLE_WORDS", "WIRE_COPY_JACCARD", "jaccard", "shingles", "text_key", "wire_copies"]
