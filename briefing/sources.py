"""Sources: files and folders -> `Source` (decoded text, sha256, title, boilerplate spans).

The decoded text is never altered: later stages cite offsets into it. Web boilerplate is not cut out but
*marked* as spans, found by rules a reader can check:

1. whole lines matching a known pattern (`BOILERPLATE_LINES`: sign-up prompts, comment widgets,
   photo credits, "Picture: AP" captions, log-in nags);
2. repeated lines: a line of at least `REPEAT_MIN_CHARS` characters whose text already appeared earlier
   in the article (repeated captions, pull quotes).

Files that cannot be read as text are not errors for the whole run: they come back as skipped
`SourceRecord`s with the reason, and the rest go on.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .models import Source, SourceRecord, Span

TEXT_SUFFIXES = {".txt", ".md"}
MAX_BYTES = 20 * 1024 * 1024
REPEAT_MIN_CHARS = 25

BOILERPLATE_LINES = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"sign up (to|for) (our|the) .{0,60}newsletter.*",
        r"no comments:?",
        r"post a comment",
        r"note: only a member of this blog may post a comment\.?",
        r"join (our|the) commenting forum",
        r"join thought-provoking conversations.*",
        r"please refresh the page.*",
        r"please refresh your browser.*",
        r"thank you for registering",
        r"comments?( \(\d+\))?",
        r"(show|load|view) (more )?comments",
        r"share (this|on) .{0,40}",
        r"(read more|related|advertisement|sponsored)( content)?:?",
        r"additional reporting by .{1,80}",
        r"\(.{0,120}(getty images|/ap|reuters|afp|photo agency|epa)\)",
        r".{0,300}\bpicture: [a-z .]{1,40}",
        r"(photo|image|credit): .{1,80}",
    )
]

_NON_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


@dataclass
class Loaded:
    """What `load_sources` found: the articles that can be briefed, and the files skipped with reasons."""

    sources: list[Source] = field(default_factory=list)
    skipped: list[SourceRecord] = field(default_factory=list)

    def add(self, result: Source | SourceRecord) -> None:
        """File a loaded article, or a skipped file with its reason."""
        if isinstance(result, Source):
            self.sources.append(result)
        else:
            self.skipped.append(result)

    @property
    def records(self) -> list[SourceRecord]:
        briefed = [
            SourceRecord(path=s.path, title=s.title, sha256=s.sha256, encoding=s.encoding, status="briefed")
            for s in self.sources
        ]
        return sorted([*briefed, *self.skipped], key=lambda r: r.path)


def decode(raw: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8, else cp1252, else latin-1 (which always succeeds). Returns (text, encoding).

    A UTF-8 byte-order mark is dropped (encoding 'utf-8-sig'): offsets index the decoded text.
    """
    candidates = [("utf-8-sig", raw[3:])] if raw.startswith(b"\xef\xbb\xbf") else [("utf-8", raw)]
    candidates.append(("cp1252", raw))
    for encoding, data in candidates:
        try:
            return data.decode("utf-8" if encoding.startswith("utf-8") else encoding), encoding
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"


def binary_reason(raw: bytes, text: str) -> str | None:
    """Why these bytes are not an article, or None when they read as text."""
    if b"\x00" in raw[:65536]:
        return "binary file (contains NUL bytes)"
    sample = text[:65536]
    if sample and len(_NON_TEXT.findall(sample)) / len(sample) > 0.05:
        return "binary file (mostly control characters, not text)"
    return None


def title_of(text: str) -> str | None:
    """The first non-empty line, when it reads as a headline: short and not ending like a sentence."""
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        words = line.split()
        if len(words) <= 20 and not line.endswith((".", ":", ",", ";")):
            return line
        return None
    return None


def _lines(text: str) -> Iterable[tuple[int, int, str]]:
    """(start, end, stripped_text) of every line; end excludes the line break."""
    pos = 0
    for raw_line in text.splitlines(keepends=True):
        body = raw_line.rstrip("\r\n")
        yield pos, pos + len(body), body.strip()
        pos += len(raw_line)


def find_boilerplate(text: str) -> list[Span]:
    """Spans of whole lines that are web boilerplate (see the module docstring for the rules)."""
    spans: list[Span] = []
    seen: set[str] = set()
    for start, end, line in _lines(text):
        if not line:
            continue
        key = " ".join(line.split()).lower()
        if any(p.fullmatch(line) for p in BOILERPLATE_LINES):
            spans.append(Span(start=start, end=end))
        elif len(key) >= REPEAT_MIN_CHARS and (key in seen or _earlier(text, line, start)):
            spans.append(Span(start=start, end=end))
        seen.add(key)
    return spans


PULL_QUOTE_WINDOW = 20_000
"""How far back (characters) a pull quote's original is looked for: a page repeats its own nearby words.
Bounding it keeps loading linear (a 20 MB file loads in seconds); exact repeated lines count anywhere."""


def _earlier(text: str, line: str, start: int) -> bool:
    """True when the whole line already appeared inside an earlier line nearby (a pull quote)."""
    core = line.strip(" \"'“”‘’")
    return len(core) >= REPEAT_MIN_CHARS and text.find(core, max(0, start - PULL_QUOTE_WINDOW), start) >= 0


def source_from_bytes(path: str, raw: bytes) -> Source | SourceRecord:
    """Decode one article; a `SourceRecord` with status 'skipped' says why it cannot be used."""
    sha = hashlib.sha256(raw).hexdigest()
    if not raw.strip():
        return SourceRecord(path=path, sha256=sha, status="skipped", reason="empty file")
    text, encoding = decode(raw)
    reason = binary_reason(raw, text)
    if reason:
        return SourceRecord(path=path, sha256=sha, status="skipped", reason=reason)
    boilerplate = find_boilerplate(text)
    if not _has_content(text, boilerplate):
        return SourceRecord(path=path, sha256=sha, encoding=encoding, status="skipped", reason="only boilerplate")
    return Source(path=path, text=text, sha256=sha, encoding=encoding, title=title_of(text), boilerplate=boilerplate)


def source_from_text(name: str, text: str) -> Source | SourceRecord:
    """An inline article (HTTP service): same rules, UTF-8 bytes for the hash."""
    return source_from_bytes(name, text.encode("utf-8"))


def _has_content(text: str, boilerplate: list[Span]) -> bool:
    """True when some non-whitespace character lies outside every boilerplate span."""
    pos = 0
    for span in sorted(boilerplate, key=lambda s: s.start):
        if text[pos : span.start].strip():
            return True
        pos = max(pos, span.end)
    return bool(text[pos:].strip())


def expand(paths: Iterable[str | Path]) -> tuple[list[str], list[SourceRecord]]:
    """Files named directly, plus .txt/.md files found recursively in folders (sorted, dot-files ignored)."""
    files: list[str] = []
    missing: list[SourceRecord] = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            found = [
                f
                for f in p.rglob("*")
                if f.is_file()
                and f.suffix.lower() in TEXT_SUFFIXES
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            ]
            files.extend(str(f) for f in sorted(found))
        elif p.is_file():
            files.append(str(given))
        else:
            missing.append(SourceRecord(path=str(given), status="skipped", reason="no such file or folder"))
    # The same file named twice (or via a folder and directly, however spelled) is read once,
    # under the first spelling given.
    unique: dict[str, str] = {}
    for f in files:
        unique.setdefault(os.path.realpath(f), f)
    return list(unique.values()), missing


def load_sources(paths: Iterable[str | Path], *, max_bytes: int = MAX_BYTES) -> Loaded:
    """Load every article under `paths`. One bad file never costs the good ones."""
    files, skipped = expand(paths)
    loaded = Loaded(skipped=skipped)
    for path in files:
        try:
            size = Path(path).stat().st_size
            if size > max_bytes:
                loaded.skipped.append(
                    SourceRecord(path=path, status="skipped", reason=f"too large ({size:,} bytes > {max_bytes:,})")
                )
                continue
            raw = Path(path).read_bytes()
        except OSError as exc:
            loaded.skipped.append(SourceRecord(path=path, status="skipped", reason=f"cannot read: {exc.strerror}"))
            continue
        loaded.add(source_from_bytes(path, raw))
    return loaded


def reread(records: Iterable[SourceRecord], *, within: Path | None = None, max_bytes: int = MAX_BYTES) -> list[Source]:
    """The briefed sources among `records` read again from their files, for a page that shows their text.

    A file is returned only when its bytes still hash to the recorded sha256, so every citation's offsets
    still point at its words; one that changed, moved, cannot be read, or (with `within`) lies outside that
    folder is left out, and the page shows its quotes without their context."""
    root = within.resolve() if within is not None else None
    found: list[Source] = []
    for record in records:
        if record.status != "briefed" or not record.sha256:
            continue
        try:
            path = Path(record.path).resolve()
            if root is not None and not path.is_relative_to(root):
                continue
            if path.stat().st_size > max_bytes:
                continue
            raw = path.read_bytes()
        except OSError:
            continue
        if hashlib.sha256(raw).hexdigest() != record.sha256:
            continue
        source = source_from_bytes(record.path, raw)
        if isinstance(source, Source):
            found.append(source)
    return found
