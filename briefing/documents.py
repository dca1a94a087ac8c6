"""Documents: saved web pages and PDFs -> the article's text and what the document says about itself.

* **HTML** (`.html`, `.htm`, fetched pages): trafilatura keeps the article's main text (no menus, scripts,
  footers, entities decoded) and reads its metadata: title, author, site name, publication date, canonical
  URL. The date is taken from the page's metadata only (`published_from="metadata"`), never guessed from
  its prose.
* **PDF**: pypdf reads the text layer page by page; the pages are joined by `PAGE_BREAK` and where each
  page starts is kept (`pages`), so a citation can say which page it is on. A PDF with no text on any page
  (scanned) is skipped: "no text layer". An encrypted PDF that needs a password, or one that cannot be
  parsed, is skipped with that reason.

The extracted text is what the briefing cites, so it is stored with the briefing (`SourceRecord.text`):
citations stay checkable without the extractor, and a newer extractor cannot move their offsets. The
original bytes' sha256 is kept as the source's `sha256`. Both libraries are the `inputs` extra: without
it, such a file is skipped with a one-line reason saying what to install.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
from dataclasses import dataclass

from .errors import missing_extra

PAGE_BREAK = "\n\f\n"
"""Between two PDF pages in the extracted text: a line with a form feed, as `pdftotext` marks pages."""
MIN_PROSE_WORDS = 8
"""A page's main text must hold a line of at least this many words to be an article: what trafilatura
falls back to on a page with none (a menu, a cookie notice, an empty template) is short lines."""
NO_ARTICLE = "no article text found in the page"
NO_TEXT_LAYER = "no text layer (a scanned PDF: run OCR on it first)"

log = logging.getLogger(__name__)


@dataclass
class Extracted:
    """What a document gave: its text and what it says about itself (each None when it does not say)."""

    text: str
    encoding: str
    extracted_by: str
    title: str | None = None
    author: str | None = None
    site: str | None = None
    published: str | None = None
    url: str | None = None
    pages: list[int] | None = None


class Unreadable(Exception):
    """The document cannot be briefed; the message is the skip reason, one line."""


# --------------------------------------------------------------------------- HTML

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{1,40})""", re.IGNORECASE)


def html_charset(raw: bytes, declared: str | None = None) -> str | None:
    """The charset a page declares (an HTTP header's, else a `<meta charset>` in its first 4 KB), when
    Python knows it; None otherwise (the usual decoding rules then apply)."""
    candidates = [declared.encode()] if declared else []
    match = _META_CHARSET.search(raw[:4096])
    if match:
        candidates.append(match.group(1))
    for name in candidates:
        try:
            return codecs.lookup(name.decode("ascii")).name
        except (LookupError, UnicodeDecodeError):
            continue
    return None


def decode_html(raw: bytes, declared: str | None = None) -> tuple[str, str]:
    """(text, encoding) of a page: a byte-order mark, else the declared charset, else `sources.decode`."""
    from .sources import decode

    if not raw.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # a mark wins
        charset = html_charset(raw, declared)
        if charset:
            try:
                return raw.decode(charset), charset
            except UnicodeDecodeError:
                pass  # mislabelled: the usual rules decide
    return decode(raw)


def _clean(value: object) -> str | None:
    text = " ".join(str(value).split()) if value else ""
    return text or None


def extract_html(raw: bytes, *, url: str | None = None, declared_charset: str | None = None) -> Extracted:
    """The main text and metadata of a web page. Raises `Unreadable` (no article text; extra missing)."""
    try:
        import trafilatura
    except ImportError:
        raise Unreadable(str(missing_extra("inputs", "reading HTML pages", "trafilatura"))) from None
    html, encoding = decode_html(raw, declared_charset)
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
        # The page's own date fields only: a date guessed from its prose is a dateline, not metadata.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    paragraphs = [line.strip() for line in (getattr(doc, "text", None) or "").splitlines()] if doc else []
    if not any(len(line.split()) >= MIN_PROSE_WORDS for line in paragraphs):
        raise Unreadable(NO_ARTICLE)
    body = "\n\n".join(p for p in paragraphs if p)  # paragraphs apart, as in a plain-text article
    title = _clean(getattr(doc, "title", None))
    text = body if title is None or body.startswith(title) else f"{title}\n\n{body}"
    return Extracted(
        text=text + "\n",
        encoding=encoding,
        extracted_by=f"trafilatura {trafilatura.__version__}",
        title=title,
        author=_clean(getattr(doc, "author", None)),
        site=_clean(getattr(doc, "sitename", None)),
        published=_clean(getattr(doc, "date", None)),
        url=_clean(getattr(doc, "url", None)) or url,
    )


# --------------------------------------------------------------------------- PDF


def is_pdf(raw: bytes) -> bool:
    """True when the bytes are a PDF (its header, whatever the file is called)."""
    return raw[:1024].lstrip().startswith(b"%PDF-")


def extract_pdf(raw: bytes) -> Extracted:
    """The text layer of a PDF, page by page. Raises `Unreadable` (no text layer, encrypted, corrupt)."""
    try:
        import pypdf
        from pypdf.errors import PdfReadError
    except ImportError:
        raise Unreadable(str(missing_extra("inputs", "reading PDFs", "pypdf"))) from None
    try:
        reader = pypdf.PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("encrypted PDF: it needs a password (save an unprotected copy)")
        texts = [(page.extract_text() or "").strip() for page in reader.pages]
        info = reader.metadata
    except Unreadable:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        detail = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise Unreadable(f"not a readable PDF ({detail})") from None
    except Exception as exc:  # pypdf raises assorted errors on damaged files (NotImplementedError, ...)
        if "crypt" in str(exc).lower():
            raise Unreadable("encrypted PDF: it cannot be decrypted here (save an unprotected copy)") from None
        raise Unreadable(f"not a readable PDF ({type(exc).__name__})") from None
    if not any(texts):
        raise Unreadable(NO_TEXT_LAYER)
    pages, parts, pos = [], [], 0
    for i, page_text in enumerate(texts):
        if i:
            parts.append(PAGE_BREAK)
            pos += len(PAGE_BREAK)
        pages.append(pos)
        parts.append(page_text)
        pos += len(page_text)
    title = author = None
    if info is not None:
        title, author = _clean(info.title), _clean(info.author)
    return Extracted(
        text="".join(parts) + "\n",
        encoding="pdf text layer",
        extracted_by=f"pypdf {pypdf.__version__}",
        title=title,
        author=author,
        pages=pages,
    )
