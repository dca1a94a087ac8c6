"""Grounding: a model's quote -> a `Citation` of the exact source words, or nothing.

Small models paraphrase, swap quote marks and change case, so alignment is tolerant but the stored
citation is always the source's own substring (`quote == text[start:end]`):

1. exact: the quote occurs verbatim in one of the allowed spans;
2. normalised: after folding curly quotes, dashes, whitespace and case (an index map leads back to the
   original characters);
3. fuzzy: the best-matching window of source words, kept only when it covers at least
   `MIN_COVERAGE` of the quote's words in order (difflib) and is not much longer than the quote;
   the citation is then the source span, snapped to whole words.

Only text inside the allowed spans (the chunks the notes came from, never boilerplate) can be cited.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from .models import Citation, Source
from .text import FOLD_TABLE, WORD, fold, sentences

MIN_QUOTE_CHARS = 12
"""A quote shorter than this (after trimming) cites nothing: too short to be anyone's words."""
MIN_COVERAGE = 0.8
"""Fuzzy alignment: share of the quote's words the source window must hold, in order."""
_TRIM = " \t\r\n\"'“”‘’.,;:…"


def _clean(quote: str) -> str:
    quote = quote.strip().strip(_TRIM)
    return quote.replace("...", " ").replace("…", " ")


def _find_whole(hay: str, needle: str, lo: int, hi: int) -> int:
    """First occurrence of `needle` in hay[lo:hi] that starts and ends on word boundaries, else the first
    occurrence at all (snapped to whole words by the caller), else -1."""
    first = at = hay.find(needle, lo, hi)
    while at >= 0:
        starts = at == 0 or not (hay[at - 1].isalnum() and hay[at].isalnum())
        end = at + len(needle)
        ends = end >= len(hay) or not (hay[end - 1].isalnum() and hay[end].isalnum())
        if starts and ends:
            return at
        at = hay.find(needle, at + 1, hi)
    return first


def _snap(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """Widen [start, end) to whole words, within [lo, hi), and trim surrounding spaces."""
    while start > lo and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < hi and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def ground(quote: str, source: Source, spans: list[tuple[int, int]]) -> Citation | None:
    """Find `quote` inside `spans` of `source` (see the module docstring); None when it is not there."""
    text = source.text
    wanted = _clean(quote)
    if len(wanted) < MIN_QUOTE_CHARS:
        return None

    def cite(a: int, b: int) -> Citation:
        return Citation(source=source.path, start=a, end=b, quote=text[a:b])

    for lo, hi in spans:  # 1. exact, preferring a match of whole words ("solution" is not in "resolution")
        at = _find_whole(text, wanted, lo, hi)
        if at >= 0:
            return cite(*_snap(text, at, at + len(wanted), lo, hi))

    needle = fold(wanted).text
    for lo, hi in spans:  # 2. normalised
        hay = fold(text[lo:hi], lo)
        at = _find_whole(hay.text, needle, 0, len(hay.text))
        if at >= 0:
            a, b = hay.index[at], hay.index[at + len(needle) - 1] + 1
            return cite(*_snap(text, a, b, lo, hi))

    q_words = [w.casefold() for w in WORD.findall(wanted.translate(FOLD_TABLE))]
    if len(q_words) < 3:
        return None
    best: tuple[float, int, int, int, int] | None = None  # 3. fuzzy, sentence by sentence
    for lo, hi in spans:
        parts = sentences(text, lo, hi)
        windows = parts + [(a, d) for (a, _), (_, d) in zip(parts, parts[1:], strict=False)]
        for w_lo, w_hi in windows:
            found = _align(text, q_words, w_lo, w_hi)
            if found and (best is None or found[0] > best[0]):
                best = (*found, lo, hi)
    if best is None:
        return None
    _, a, b, lo, hi = best
    return cite(*_snap(text, a, b, lo, hi))


def _align(text: str, q_words: list[str], lo: int, hi: int) -> tuple[float, int, int] | None:
    """Best (coverage, start, end) of the quote's words inside text[lo:hi], or None below the bar."""
    # Fold before splitting into words, as the quote was (`FOLD_TABLE` maps one character to one: offsets hold).
    window = text[lo:hi].translate(FOLD_TABLE)
    matches = [(lo + m.start(), lo + m.end(), m.group().casefold()) for m in WORD.finditer(window)]
    if not matches:
        return None
    words = [w for _, _, w in matches]
    blocks = [blk for blk in SequenceMatcher(None, q_words, words, autojunk=False).get_matching_blocks() if blk.size]
    if not blocks:
        return None
    covered = sum(blk.size for blk in blocks)
    coverage = covered / len(q_words)
    first, last = blocks[0].b, blocks[-1].b + blocks[-1].size - 1
    if coverage < MIN_COVERAGE or (last - first + 1) > len(q_words) * 1.6 + 3:
        return None
    return coverage, matches[first][0], matches[last][1]


def find_mention(terms: list[str], source: Source, spans: list[tuple[int, int]]) -> Citation | None:
    """The first sentence inside `spans` that names any of `terms` (whole words, any case)."""
    terms = [t for t in terms if len(t.strip()) >= 2]
    if not terms:
        return None
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + r")(?!\w)", re.IGNORECASE
    )
    text = source.text
    for lo, hi in spans:
        for a, b in sentences(text, lo, hi):
            if pattern.search(text, a, b):
                a, b = _snap(text, a, b, lo, hi)
                return Citation(source=source.path, start=a, end=b, quote=text[a:b])
    return None


def context_of(citation: Citation, source: Source, spans: list[tuple[int, int]]) -> str:
    """The sentence holding a citation plus the one before it (where 'He added:' finds its 'he')."""
    for lo, hi in spans:
        if lo <= citation.start < hi:
            parts = sentences(source.text, lo, hi)
            for i, (a, b) in enumerate(parts):
                if a <= citation.start < b or (
                    b <= citation.start and i + 1 < len(parts) and citation.start < parts[i + 1][0]
                ):
                    first = parts[max(0, i - 1)][0]
                    last = max(b, citation.end)
                    return source.text[first:last]
    return citation.quote


def verify(citation: Citation, text: str) -> bool:
    """The invariant every rendered citation satisfies."""
    return 0 <= citation.start < citation.end <= len(text) and text[citation.start : citation.end] == citation.quote
