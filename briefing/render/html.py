"""HTML: the briefing as one self-contained page where every citation opens its source, the quote highlighted.

`to_html(briefing, sources)` renders the sections of `sections.outline` (the same items, the same citation
numbers as the Markdown) into one file that needs nothing else: no CDN, no font, no request of any kind.
Each citation is a link; with scripts on it opens the cited source beside the briefing (below it on a
phone), the quoted words in a `<mark>` scrolled into view and web boilerplate greyed; without scripts, or
on paper, it leads to a numbered list of the citations with their file, offsets and exact words.

The source text comes from `sources` (the loaded `Source`s; a renderer reads no file). A source is shown only
when its sha256 is the one the briefing recorded and a citation is linked to it only when its quote is at
its offsets in that text: the page never highlights words the briefing did not cite. Offsets are converted
from Python's code points to the UTF-16 units a browser counts in.

Safety: the template is autoescaped, so no text from an article or the model becomes markup; source texts
travel as JSON in a non-executable `<script type="application/json">` (Jinja's `tojson` escapes `<`, `>`,
`&` and `'`), and the script only ever inserts them with `textContent`. The page's own stylesheet and script
are inline and allowed by their sha256 in a Content-Security-Policy that forbids everything else (`CSP`).
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import jinja2

from ..models import Briefing, Citation, Source, SourceRecord, file_name
from .sections import Line, Section, about, outline

ASSETS = Path(__file__).resolve().parent / "assets"


@dataclass(frozen=True)
class Assets:
    """The page's inline stylesheet and script, and the Content-Security-Policy that allows exactly them."""

    css: str
    js: str

    @property
    def csp(self) -> str:
        """Nothing may load or run but this stylesheet and this script (by hash); no form, no base, no frame."""
        return (
            f"default-src 'none'; style-src '{_sha256(self.css)}'; script-src '{_sha256(self.js)}'; "
            "img-src 'none'; base-uri 'none'; form-action 'none'"
        )


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@lru_cache(maxsize=1)
def assets() -> Assets:
    """The stylesheet and script shipped beside this module."""
    return Assets(
        css=(ASSETS / "briefing.css").read_text(encoding="utf-8"),
        js=(ASSETS / "briefing.js").read_text(encoding="utf-8"),
    )


CSP_HEADER_EXTRA = "; frame-ancestors 'none'"
"""Added to the policy when it is sent as an HTTP header (a `<meta>` policy cannot say it)."""


def csp_header() -> str:
    """The Content-Security-Policy header value for a page this module rendered."""
    return assets().csp + CSP_HEADER_EXTRA


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ASSETS)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


# --------------------------------------------------------------------------- what the page shows


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class Utf16:
    """Python string indices into one text -> the UTF-16 offsets a browser uses (a character beyond U+FFFF
    counts twice). Such characters are found once, so converting many offsets stays linear."""

    def __init__(self, text: str) -> None:
        self._astral = [m.start() for m in _ASTRAL.finditer(text)]

    def __call__(self, index: int) -> int:
        return index + bisect.bisect_left(self._astral, index)


@dataclass
class ShownSource:
    """One input as the page lists it: its label (S1, S2, ...), record, and text when the page has it."""

    label: str
    record: SourceRecord
    source: Source | None
    missing: str  # why the text is not shown ('' when it is)

    @cached_property
    def units(self) -> Utf16:
        return Utf16(self.source.text if self.source else "")

    def data(self) -> dict[str, Any]:
        """What the page's script needs: text and boilerplate spans, offsets in UTF-16 units."""
        s = self.source
        return {
            "label": self.label,
            "path": self.record.path,
            "title": self.record.title or "",
            "encoding": self.record.encoding or "",
            "about": " · ".join(about(self.record)),
            "text": s.text if s else None,
            "boilerplate": [[self.units(b.start), self.units(b.end)] for b in s.boilerplate] if s else [],
            "missing": self.missing,
        }


def _shown_sources(briefing: Briefing, sources: Iterable[Source]) -> list[ShownSource]:
    by_path = {s.path: s for s in sources}
    shown = []
    for i, record in enumerate(briefing.sources, 1):
        source = by_path.get(record.path)
        missing = ""
        if record.status != "briefed":
            source, missing = None, "This file was skipped."
        elif source is None:
            missing = "The source text was not available when this page was made."
        elif record.sha256 and source.sha256 != record.sha256:
            source, missing = None, "The file has changed since the briefing was made."
        shown.append(ShownSource(f"S{i}", record, source, missing))
    return shown


def _citation_data(n: int, c: Citation, shown: dict[str, tuple[int, ShownSource]]) -> dict[str, Any]:
    index, src = shown.get(c.source, (-1, None))
    verified = bool(src and src.source and src.source.text[c.start : c.end] == c.quote)
    return {
        "n": n,
        "source": index if verified else -1,
        "path": c.source,
        "start": c.start,
        "end": c.end,
        "page": src.record.page_of(c.start) if verified and src else None,
        "from": src.units(c.start) if verified and src else 0,
        "to": src.units(c.end) if verified and src else 0,
        "quote": c.quote,
        "missing": "" if verified else _why_unlinked(src),
    }


def _why_unlinked(src: ShownSource | None) -> str:
    if src is None:
        return "The file is not among the briefing's sources."
    return src.missing or "The quote is not at its offsets in the file."


@dataclass(frozen=True)
class Group:
    """Lines as the page lays them out: one line, or a disagreement's topic with its sides side by side."""

    line: Line
    sides: tuple[Line, ...] = ()


def _groups(section: Section) -> list[Group]:
    groups: list[Group] = []
    for line in section.lines:
        if line.level and groups:
            last = groups[-1]
            groups[-1] = Group(last.line, (*last.sides, line))
        else:
            groups.append(Group(line))
    return groups


def _slug(title: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in title.lower()).strip("-")


def to_html(briefing: Briefing, sources: Iterable[Source] = ()) -> str:
    """Render `briefing` as one self-contained HTML page; `sources` are the loaded articles whose text the
    page shows beside a citation (any missing or changed one: its quotes are shown without context)."""
    b = briefing
    doc = outline(b)
    shown = _shown_sources(b, sources)
    by_path = {s.record.path: (i, s) for i, s in enumerate(shown)}
    citations = [_citation_data(n, c, by_path) for n, c in enumerate(doc.citations, 1)]
    briefed = [s for s in b.sources if s.status == "briefed"]
    skipped = [s for s in b.sources if s.status == "skipped"]
    page = assets()
    template = _environment().get_template("briefing.html.j2")
    return template.render(
        b=b,
        when=b.date or b.generated_at.strftime("%Y-%m-%d"),
        n_briefed=len(briefed),
        n_skipped=len(skipped),
        sections=[(s, _slug(s.title)) for s in doc.sections],
        groups=_groups,
        citations=citations,
        sources=shown,
        cited_sources=lambda refs: _cited_labels(refs, doc.citations, by_path),
        data={"sources": [s.data() for s in shown], "citations": citations},
        css=page.css,
        js=page.js,
        csp=page.csp,
        file_name=file_name,
    )


def _cited_labels(
    refs: Sequence[int], numbered: Sequence[Citation], by_path: dict[str, tuple[int, ShownSource]]
) -> list[ShownSource]:
    """The sources behind citation numbers `refs`, each once, in order (an item's corroboration)."""
    seen: dict[str, ShownSource] = {}
    for n in refs:
        path = numbered[n - 1].source
        if path in by_path and path not in seen:
            seen[path] = by_path[path][1]
    return list(seen.values())


def index_html(days: Sequence[tuple[str, str, str]], *, title: str = "Briefings") -> str:
    """A page listing stored briefings: `days` are (day, headline, link) tuples, newest first."""
    page = assets()
    template = _environment().get_template("index.html.j2")
    return template.render(title=title, days=days, css=page.css, csp=_index_csp(page.css))


def _index_csp(css: str) -> str:
    return f"default-src 'none'; style-src '{_sha256(css)}'; img-src 'none'; base-uri 'none'; form-action 'none'"


def index_csp_header() -> str:
    """The Content-Security-Policy header value for the index page (no script at all)."""
    return _index_csp(assets().css) + CSP_HEADER_EXTRA


__all__ = ["Utf16", "csp_header", "index_csp_header", "index_html", "to_html"]
