"""Sources: files and folders -> `Source` (decoded text, sha256, title, boilerplate spans).

The decoded text is never altered: later stages cite offsets into it. Web boilerplate is not cut out but
*marked* as spans, found by rules a reader can check:

1. whole lines matching a known pattern (`BOILERPLATE_LINES`: sign-up prompts, comment widgets,
   photo credits, "Picture: AP" captions, log-in nags);
2. repeated lines: a line of at least `REPEAT_MIN_CHARS` characters whose text already appeared earlier
   in the article (repeated captions, pull quotes).

Files that cannot be read as text are not errors for the whole run: they come back as skipped
`SourceRecord`s with the reason, and the rest go on. So do links that lead out of the folder being read,
symlink loops, paths over `MAX_PATH_CHARS`, folders deeper than `MAX_FOLDER_DEPTH` (the walk is iterative,
so no depth can crash it), a NUL anywhere in the text, and a second copy of an article already loaded
(briefed once, both listed): the same text, that is, once whitespace is normalised (`copies.text_key`). UTF-16/32 text is recognised by its byte-order mark. Each article gets its publication date
(`dates.publication`): its dateline, else the file's modification time.

Saved web pages (`.html`, `.htm`) and PDFs (by their `%PDF-` header, whatever their name) are reduced to
their text by `documents`; that text, not the file's bytes, is what chunks and citations index into, and
the briefing stores it (`SourceRecord.text`). The boilerplate rules apply to it as to any text.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import documents
from . import dates
from .copies import text_key
from .models import Source, SourceRecord, Span

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
PDF_SUFFIXES = {".pdf"}
ARTICLE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES
"""What a folder is searched for: plain text, saved web pages and PDFs (see `documents` for the last two)."""
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
    """What `load_sources` found: the articles that can be briefed, and the files skipped with reasons.

    Every entry has its own path: a second article under a name already taken (two inline articles both
    called "wire.txt") is renamed "wire (2).txt", never dropped. An article whose bytes equal one already
    loaded (whitespace aside: `copies.text_key`) is briefed once: the copy is listed as skipped, naming the one
    it repeats."""

    sources: list[Source] = field(default_factory=list)
    skipped: list[SourceRecord] = field(default_factory=list)
    _paths: set[str] = field(default_factory=set, init=False, repr=False)
    _by_hash: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._paths = {s.path for s in self.sources} | {r.path for r in self.skipped}
        self._by_hash = {text_key(s.text): s.path for s in reversed(self.sources)}

    def add(self, result: Source | SourceRecord) -> None:
        """File a loaded article, or a skipped file with its reason."""
        if result.path in self._paths:
            if isinstance(result, SourceRecord) and result in self.skipped:
                return  # the same unreadable file named twice: listed once
            result = result.model_copy(update={"path": _free_name(result.path, self._paths)})
        self._paths.add(result.path)
        if isinstance(result, Source):
            first = self._by_hash.setdefault(text_key(result.text), result.path)
            if first == result.path:
                self.sources.append(result)
                return
            result = SourceRecord(
                path=result.path,
                title=result.title,
                sha256=result.sha256,
                encoding=result.encoding,
                status="skipped",
                reason=f"duplicate of {first} (the same text; briefed once, under that name)",
            )
        self.skipped.append(result)

    @property
    def records(self) -> list[SourceRecord]:
        briefed = [record_of(s) for s in self.sources]
        return sorted([*briefed, *self.skipped], key=lambda r: r.path)


METADATA = ("published", "published_from", "url", "author", "site", "extracted_by", "pages")
"""What a `Source` says about itself that its `SourceRecord` keeps."""


def record_of(source: Source) -> SourceRecord:
    """The briefed record of a loaded source: its metadata, and its text when that was extracted (HTML, PDF,
    a fetched page) rather than decoded from the file, so citations into it can be checked later."""
    return SourceRecord(
        path=source.path,
        title=source.title,
        sha256=source.sha256,
        encoding=source.encoding,
        status="briefed",
        text=source.text if source.extracted_by else None,
        **{name: getattr(source, name) for name in METADATA},
    )


def source_of(record: SourceRecord) -> Source | None:
    """A briefed record's stored text as a `Source` again (None when the record stores no text)."""
    if record.text is None or not record.sha256:
        return None
    return Source(
        path=record.path,
        text=record.text,
        sha256=record.sha256,
        encoding=record.encoding or "utf-8",
        title=record.title,
        boilerplate=find_boilerplate(record.text),
        **{name: getattr(record, name) for name in METADATA},
    )


def _free_name(name: str, taken: set[str]) -> str:
    """`name` with " (2)", " (3)", ... before its suffix: the first such name not in `taken`."""
    stem, suffix = os.path.splitext(name)
    n = 2
    while f"{stem} ({n}){suffix}" in taken:
        n += 1
    return f"{stem} ({n}){suffix}"


_BOMS = (  # longest first: the UTF-32 little-endian mark begins with the UTF-16 one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(raw: bytes) -> tuple[str, str]:
    """Decode bytes: by their byte-order mark (UTF-16/32), else UTF-8, else cp1252, else latin-1 (which
    always succeeds). Returns (text, encoding).

    A byte-order mark is dropped (encoding 'utf-8-sig', 'utf-16', 'utf-32'): offsets index the decoded text.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError:
                break  # not really UTF-16/32: the usual rules decide
    candidates = [("utf-8-sig", raw[3:])] if raw.startswith(b"\xef\xbb\xbf") else [("utf-8", raw)]
    candidates.append(("cp1252", raw))
    for encoding, data in candidates:
        try:
            return data.decode("utf-8" if encoding.startswith("utf-8") else encoding), encoding
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"


def binary_reason(text: str) -> str | None:
    """Why a decoded text is not an article (a NUL anywhere, or mostly control characters), or None."""
    if "\x00" in text:
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


def source_from_bytes(path: str, raw: bytes, *, mtime: float | None = None) -> Source | SourceRecord:
    """Decode one article; a `SourceRecord` with status 'skipped' says why it cannot be used. Its publication
    date is its dateline's, else `mtime`'s (the file's modification time), else unknown.

    A PDF (by its header) and a saved web page (by its suffix) are reduced to their text first."""
    sha = hashlib.sha256(raw).hexdigest()
    if not raw.strip():
        return SourceRecord(path=path, sha256=sha, status="skipped", reason="empty file")
    if documents.is_pdf(raw):
        return _extracted(path, sha, documents.extract_pdf, raw, mtime)
    if os.path.splitext(path)[1].lower() in HTML_SUFFIXES:
        return _extracted(path, sha, documents.extract_html, raw, mtime)
    text, encoding = decode(raw)
    reason = binary_reason(text)
    if reason:
        return SourceRecord(path=path, sha256=sha, status="skipped", reason=reason)
    boilerplate = find_boilerplate(text)
    if not _has_content(text, boilerplate):
        return SourceRecord(path=path, sha256=sha, encoding=encoding, status="skipped", reason="only boilerplate")
    published = dates.publication(text, mtime)
    return Source(
        path=path,
        text=text,
        sha256=sha,
        encoding=encoding,
        title=title_of(text),
        boilerplate=boilerplate,
        published=published[0] if published else None,
        published_from=published[1] if published else None,
    )


def source_from_document(
    path: str, sha: str, extracted: documents.Extracted, *, published_from: str = "metadata", mtime: float | None = None
) -> Source | SourceRecord:
    """A source from a document's extracted text and metadata (boilerplate rules applied to the text). With
    no date in its metadata, its dateline's, else `mtime`'s (`dates.publication`)."""
    text = extracted.text
    boilerplate = find_boilerplate(text)
    if not _has_content(text, boilerplate):
        return SourceRecord(
            path=path, sha256=sha, encoding=extracted.encoding, status="skipped", reason="only boilerplate"
        )
    own = None if extracted.published else dates.publication(text, mtime)
    return Source(
        path=path,
        text=text,
        sha256=sha,
        encoding=extracted.encoding,
        title=extracted.title or title_of(text),
        boilerplate=boilerplate,
        published=extracted.published or (own[0] if own else None),
        published_from=published_from if extracted.published else (own[1] if own else None),
        url=extracted.url,
        author=extracted.author,
        site=extracted.site,
        extracted_by=extracted.extracted_by,
        pages=extracted.pages,
    )


def _extracted(path: str, sha: str, extract, raw: bytes, mtime: float | None) -> Source | SourceRecord:  # noqa: ANN001
    try:
        return source_from_document(path, sha, extract(raw), mtime=mtime)
    except documents.Unreadable as exc:
        return SourceRecord(path=path, sha256=sha, status="skipped", reason=str(exc))


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


MAX_PATH_CHARS = 4096
"""A path longer than this (characters) is not looked up: Linux's PATH_MAX; it is skipped with its reason."""
MAX_FOLDER_DEPTH = 64
"""Folders nested deeper than this below a folder given are not walked (skipped with the reason): the walk is
iterative, so depth cannot crash it, but a tree that deep is not a pile of articles."""


def _skip(path: str, reason: str) -> SourceRecord:
    return SourceRecord(path=path, status="skipped", reason=reason)


def os_reason(exc: OSError) -> str:
    """An OS error as a skip reason: a symlink loop, a name too long, no permission, ..."""
    if exc.errno == errno.ELOOP:
        return "symlink loop (too many levels of symbolic links)"
    if exc.errno == errno.ENAMETOOLONG:
        return "path too long"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "no such file or folder"
    return f"cannot read: {exc.strerror or exc}"


def _inside(path: str, real_root: str) -> bool:
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _is_article(name: str) -> bool:
    return not name.startswith(".") and os.path.splitext(name)[1].lower() in ARTICLE_SUFFIXES


def expand(paths: Iterable[str | Path], *, root: str | Path | None = None) -> tuple[list[str], list[SourceRecord]]:
    """Files named directly, plus .txt/.md/.html/.htm/.pdf files found in folders (sorted, dot-files and hidden folders
    ignored), and a skipped record for everything that could not be looked at, with its reason.

    Folders are walked iteratively without following links to folders. A file link found in a folder is
    read only when it points inside that folder; with `root` (the articles folder of the daily run, Slack
    and the service) every file, named directly or found, must lie inside `root` once links are resolved.
    """
    files: list[str] = []
    skipped: list[SourceRecord] = []
    real_root = os.path.realpath(root) if root is not None else None
    for given in paths:
        name = str(given)
        if len(name) > MAX_PATH_CHARS:
            skipped.append(_skip(name[:80] + "…", f"path too long ({len(name):,} characters > {MAX_PATH_CHARS:,})"))
            continue
        try:
            st = os.stat(name)
        except OSError as exc:
            skipped.append(_skip(name, os_reason(exc)))
            continue
        if stat.S_ISDIR(st.st_mode):
            container = real_root or os.path.realpath(name)
            found, problems = _walk(str(Path(name)), container)
            files.extend(found)
            skipped.extend(problems)
        elif stat.S_ISREG(st.st_mode):
            if real_root is not None and not _inside(name, real_root):
                skipped.append(_skip(name, "links outside the articles folder: not read"))
            else:
                files.append(name)
        else:
            skipped.append(_skip(name, "not a regular file"))
    # The same file named twice (or via a folder and directly, however spelled) is read once,
    # under the first spelling given.
    unique: dict[str, str] = {}
    for f in files:
        unique.setdefault(os.path.realpath(f), f)
    return list(unique.values()), skipped


def _walk(top: str, real_container: str) -> tuple[list[str], list[SourceRecord]]:
    """Article files under `top` (sorted) and what was skipped there; an explicit stack, never recursion."""
    found: list[str] = []
    skipped: list[SourceRecord] = []
    stack: list[tuple[str, int]] = [(top, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            skipped.append(_skip(folder, os_reason(exc)))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = os.path.join(folder, entry.name)
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=False)
                if is_dir:
                    if depth + 1 > MAX_FOLDER_DEPTH:
                        skipped.append(_skip(path, f"folder nested more than {MAX_FOLDER_DEPTH} levels deep: not read"))
                    else:
                        stack.append((path, depth + 1))
                    continue
                if not _is_article(entry.name):
                    continue
                if not entry.is_file():  # follows a link: a link to a folder, a broken link, a loop
                    os.stat(path)  # raises for a broken link or a loop, with its reason
                    continue
            except OSError as exc:
                if _is_article(entry.name):
                    skipped.append(_skip(path, os_reason(exc)))
                continue
            if is_link and not _inside(path, real_container):
                skipped.append(_skip(path, "links outside the articles folder: not read"))
                continue
            found.append(path)
    found.sort(key=lambda p: p.split(os.sep))  # the order `sorted(Path.rglob(...))` gave: part by part
    return found, skipped


def load_sources(paths: Iterable[str | Path], *, max_bytes: int = MAX_BYTES, root: str | Path | None = None) -> Loaded:
    """Load every article under `paths`. One bad file never costs the good ones.

    With `root` (the articles folder), nothing outside it is read, links included, and every path in the
    result is relative to it: a briefing never shows where the server keeps its files."""
    files, skipped = expand(paths, root=root)
    loaded = Loaded()
    for record in skipped:
        loaded.add(record.model_copy(update={"path": _shown(record.path, root)}))
    for path in files:
        shown = _shown(path, root)
        try:
            st = os.stat(path)
            size = st.st_size
            if size > max_bytes:
                loaded.add(_skip(shown, f"too large ({size:,} bytes > {max_bytes:,})"))
                continue
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError as exc:
            loaded.add(_skip(shown, os_reason(exc)))
            continue
        loaded.add(source_from_bytes(shown, raw, mtime=st.st_mtime))
    return loaded


def reread(records: Iterable[SourceRecord], *, within: Path | None = None, max_bytes: int = MAX_BYTES) -> list[Source]:
    """The briefed sources among `records` read again from their files, for a page that shows their text.

    A record that stores its extracted text (HTML, PDF, a fetched page) gives that text, file or no file.

    A path relative to `within` (as briefings made with an articles root show them) is read there. A file
    is returned only when its bytes still hash to the recorded sha256, so every citation's offsets
    still point at its words; one that changed, moved, cannot be read, or (with `within`) lies outside that
    folder is left out, and the page shows its quotes without their context."""
    root = within.resolve() if within is not None else None
    found: list[Source] = []
    for record in records:
        if record.status != "briefed" or not record.sha256:
            continue
        stored = source_of(record)
        if stored is not None:  # extracted text (HTML, PDF, a fetched page) travels with the briefing
            found.append(stored)
            continue
        try:
            path = Path(record.path)
            path = (within / path if within is not None and not path.is_absolute() else path).resolve()
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


def _shown(path: str, root: str | Path | None) -> str:
    """`path` as a briefing shows it: relative to `root` when one is given (and it lies inside)."""
    if root is None:
        return path
    rel = os.path.relpath(path, root)
    return Path(rel).as_posix() if not rel.startswith("..") else Path(path).name
