"""Fetching: web pages and RSS/Atom feeds over HTTP -> sources, politely, within bounds, re-using what is unchanged.

`fetch_inputs(urls, feeds, settings)` fetches every URL and every feed, then every page a feed lists, and
returns a `Source` (or a skipped `SourceRecord` with a one-line reason) for each: one page that cannot be
fetched or read never costs the others. Pages go through `documents` (trafilatura; PDFs through pypdf).

The rules, each a `Settings` field (see `config`):

* **Only http:// and https://.** Anything else (`file://`, `ftp://`, ...) is refused. A host that resolves
  to a loopback, private, link-local or reserved address is refused too (a feed could otherwise point the
  tool at a machine's own services), unless `fetch_private` is set. The address is checked at each
  redirect (at most `MAX_REDIRECTS`), not pinned for the connection: see docs/inputs.md.
* **Bounded.** A connect timeout, a read timeout (no byte for that long) and a total deadline per request
  (connect to last byte); a size cap per response, checked against Content-Length and while reading.
* **Polite.** At most `fetch_per_host` requests to one host at a time (`MAX_FETCHES` in all), a User-Agent
  naming the tool, and conditional GET: the ETag / Last-Modified of every page and feed fetched is kept in
  a small SQLite file under the cache folder (`STATE_FILE`) with the body; a server answering 304 Not
  Modified gets the stored body used again, so an unchanged feed costs one small request.
* **Feed entries** carry their link, title, author and date: the entry's published (else updated) date is
  the source's `published`, with `published_from="feed"`. With a `window` (the daily run), entries dated
  outside it are left out and counted in a warning; entries with no date are kept. A feed lists at most
  `MAX_FEED_ENTRIES` entries to fetch.

No environment is read and nothing is printed: warnings come back in `Fetched.warnings`.
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import io
import ipaddress
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

from . import documents
from .config import Settings
from .errors import missing_extra
from .models import Source, SourceRecord
from .sources import source_from_bytes, source_from_document

STATE_FILE = "fetch.sqlite3"
"""Under the cache folder: each URL's ETag, Last-Modified and body, for conditional GET."""
STATE_KEEP_DAYS = 30
"""A stored page or feed not asked for in this many days is forgotten (its next fetch is a full one)."""
MAX_REDIRECTS = 5
"""Redirects followed per request; each hop is checked like the first URL."""
MAX_FETCHES = 8
"""Requests in flight at once, all hosts together (each host also has `Settings.fetch_per_host`)."""
MAX_FEED_ENTRIES = 50
"""Entries of one feed fetched at most (newest first, as feeds list them); the rest are counted in a warning."""

HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/rdf+xml")


class FetchError(Exception):
    """A URL that could not be fetched or read; the message is the one-line reason."""


@dataclass
class Response:
    """A fetched body and what the server said about it."""

    url: str  # as asked for
    final_url: str  # after redirects
    content_type: str  # media type, lower case, no parameters
    charset: str | None
    body: bytes
    not_modified: bool = False  # answered 304: `body` is the stored one


@dataclass
class Fetched:
    """What fetching gave: one source or skipped record per page, and warnings for the briefing."""

    results: list[Source | SourceRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    not_modified: int = 0  # requests answered 304 (their stored bodies were used)


# --------------------------------------------------------------------------- URLs and addresses


def url_problem(url: str) -> str | None:
    """Why `url` is not fetched (not http/https, no host), or None."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https"):
        scheme = f"{parts.scheme}://" if parts.scheme else "a URL without http:// or https://"
        return f"only http:// and https:// URLs are fetched, not {scheme}"
    if not parts.hostname:
        return "no host in the URL"
    return None


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def _check_address(url: str, allow_private: bool) -> None:
    problem = url_problem(url)
    if problem:
        raise FetchError(problem)
    if allow_private:
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, parts.port or 443)
    except OSError as exc:
        raise FetchError(f"cannot resolve {host}: {exc.strerror or exc}") from None
    if not all(_public(info[4][0]) for info in infos):
        raise FetchError(f"{host} is a loopback or private address: refused (set BRIEFING_FETCH_PRIVATE=1 to allow it)")


# --------------------------------------------------------------------------- conditional GET state


class FetchState:
    """ETag / Last-Modified and body of every URL fetched, in SQLite, for conditional GET."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS fetched (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, "
            "final_url TEXT, content_type TEXT, charset TEXT, body BLOB, used REAL)"
        )
        self.db.execute("DELETE FROM fetched WHERE used < ?", (time.time() - STATE_KEEP_DAYS * 86400,))
        self.db.commit()

    def validators(self, url: str) -> dict[str, str]:
        row = self.db.execute("SELECT etag, last_modified FROM fetched WHERE url = ?", (url,)).fetchone()
        if row is None:
            return {}
        etag, modified = row
        return {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", modified)) if v}

    def stored(self, url: str) -> Response | None:
        row = self.db.execute(
            "SELECT final_url, content_type, charset, body FROM fetched WHERE url = ?", (url,)
        ).fetchone()
        if row is None:
            return None
        self.db.execute("UPDATE fetched SET used = ? WHERE url = ?", (time.time(), url))
        self.db.commit()
        return Response(url, row[0], row[1], row[2], bytes(row[3]), not_modified=True)

    def keep(self, response: Response, etag: str | None, last_modified: str | None) -> None:
        if not etag and not last_modified:
            self.db.execute("DELETE FROM fetched WHERE url = ?", (response.url,))
        else:
            self.db.execute(
                "INSERT OR REPLACE INTO fetched VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    response.url,
                    etag,
                    last_modified,
                    response.final_url,
                    response.content_type,
                    response.charset,
                    response.body,
                    time.time(),
                ),
            )
        self.db.commit()

    def close(self) -> None:
        self.db.close()


# --------------------------------------------------------------------------- the client


class Fetcher:
    """One HTTP client for a run: bounded, polite, conditional (see the module docstring)."""

    def __init__(self, settings: Settings, state: FetchState | None = None) -> None:
        import httpx

        self.httpx = httpx
        self.settings = settings
        self.state = state
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.fetch_read_timeout, connect=settings.fetch_connect_timeout),
            headers={"User-Agent": settings.fetch_user_agent, "Accept-Encoding": "gzip, deflate"},
            follow_redirects=False,
            trust_env=False,  # no proxy or certificate settings from the environment: Settings say it all
        )
        self._all = asyncio.Semaphore(MAX_FETCHES)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self.not_modified = 0

    async def aclose(self) -> None:
        await self.client.aclose()

    def _host(self, url: str) -> asyncio.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        return self._hosts.setdefault(host, asyncio.Semaphore(self.settings.fetch_per_host))

    async def get(self, url: str) -> Response:
        """GET `url` (redirects followed and checked). Raises `FetchError` with the reason."""
        s = self.settings
        try:
            async with asyncio.timeout(s.fetch_timeout):
                return await self._get(url)
        except TimeoutError:
            raise FetchError(f"timed out (no answer within {s.fetch_timeout:g} s in all)") from None
        except self.httpx.ConnectTimeout:
            raise FetchError(f"timed out connecting (after {s.fetch_connect_timeout:g} s)") from None
        except self.httpx.ReadTimeout:
            raise FetchError(f"timed out reading (nothing received for {s.fetch_read_timeout:g} s)") from None
        except self.httpx.HTTPError as exc:
            detail = " ".join(str(exc).split())[:120] or type(exc).__name__
            raise FetchError(f"cannot fetch: {detail}") from None

    async def _get(self, url: str) -> Response:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            await _check_address(current, self.settings.fetch_private)
            headers = self.state.validators(url) if self.state is not None and current == url else {}
            async with self._host(current), self._all:
                async with self.client.stream("GET", current, headers=headers) as r:
                    if r.status_code in (301, 302, 303, 307, 308) and "location" in r.headers:
                        current = urldefrag(urljoin(current, r.headers["location"])).url
                        continue
                    if r.status_code == 304 and self.state is not None:
                        stored = self.state.stored(url)
                        if stored is not None:
                            self.not_modified += 1
                            return stored
                    if not 200 <= r.status_code < 300:
                        raise FetchError(f"HTTP {r.status_code}" + (f" {r.reason_phrase}" if r.reason_phrase else ""))
                    body = await self._read(r)
                    media, _, params = r.headers.get("content-type", "").partition(";")
                    charset = None
                    for param in params.split(";"):
                        key, _, value = param.strip().partition("=")
                        if key.lower() == "charset" and value:
                            charset = value.strip("\"' ")
                    response = Response(url, str(r.url), media.strip().lower(), charset, body)
                    if self.state is not None:
                        self.state.keep(response, r.headers.get("etag"), r.headers.get("last-modified"))
                    return response
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")

    async def _read(self, r) -> bytes:  # noqa: ANN001 - an httpx.Response being streamed
        cap = self.settings.fetch_max_bytes
        declared = r.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(f"too large ({int(declared):,} bytes > {cap:,})")
        chunks, size = [], 0
        async for chunk in r.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise FetchError(f"too large (more than {cap:,} bytes)")
            chunks.append(chunk)
        return b"".join(chunks)


# --------------------------------------------------------------------------- pages and feeds


@dataclass
class Entry:
    """A feed entry: where its article is, and what the feed says about it."""

    link: str | None
    title: str | None
    author: str | None
    published: str | None
    day: date | None
    content: str | None  # the entry's own HTML (content, else summary), used when it has no link
    key: str  # its source path: the link, else the feed URL with the entry's id


def page_source(response: Response) -> Source | SourceRecord:
    """A fetched page as a source (HTML through trafilatura, a PDF through pypdf, plain text decoded)."""
    path, raw = response.url, response.body
    sha = hashlib.sha256(raw).hexdigest()
    kind = response.content_type
    try:
        if documents.is_pdf(raw) or kind == "application/pdf":
            source = source_from_document(path, sha, documents.extract_pdf(raw))
        elif kind in HTML_TYPES or (not kind and raw.lstrip()[:1] == b"<"):
            page = documents.extract_html(raw, url=response.final_url, declared_charset=response.charset)
            source = source_from_document(path, sha, page)
        elif kind == "text/plain":
            source = source_from_bytes(path, raw)
        else:
            return SourceRecord(path=path, sha256=sha, status="skipped", reason=f"not a web page ({kind or 'no type'})")
    except documents.Unreadable as exc:
        return SourceRecord(path=path, sha256=sha, status="skipped", reason=str(exc))
    if isinstance(source, Source) and source.url is None:
        source = source.model_copy(update={"url": response.final_url})
    return source


def _entry_time(entry) -> tuple[str | None, date | None]:  # noqa: ANN001 - a feedparser entry
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None, None
    moment = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    return moment.isoformat(), moment.date()


def parse_feed(url: str, body: bytes) -> tuple[str | None, list[Entry]]:
    """(feed title, entries) of an RSS/Atom document. Raises `FetchError` when it is not a feed."""
    import feedparser

    parsed = feedparser.parse(io.BytesIO(body), resolve_relative_uris=True, sanitize_html=True)
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        raise FetchError("not an RSS or Atom feed")
    entries = []
    for i, e in enumerate(parsed.entries):
        link = e.get("link")
        link = urljoin(url, link) if link else None
        published, day = _entry_time(e)
        content = (e.get("content") or [{}])[0].get("value") or e.get("summary")
        key = link or f"{url}#{e.get('id') or f'entry-{i + 1}'}"
        entries.append(Entry(link, e.get("title"), e.get("author"), published, day, content, key))
    return parsed.feed.get("title"), entries


def _from_entry(source: Source | SourceRecord, entry: Entry, feed_title: str | None) -> Source | SourceRecord:
    """The entry's date wins (`published_from="feed"`); its title, author and the feed's name fill gaps (a
    site "name" that is only the page's host counts as a gap)."""
    if not isinstance(source, Source):
        return source
    update: dict[str, object] = {}
    if entry.published:
        update |= {"published": entry.published, "published_from": "feed"}
    for name, value in (("title", entry.title), ("author", entry.author), ("site", feed_title)):
        if value and not getattr(source, name):
            update[name] = " ".join(value.split())
    if feed_title and source.site and source.site == urlsplit(entry.link or "").netloc:
        update["site"] = " ".join(feed_title.split())  # trafilatura's stand-in for a missing name: the host
    return source.model_copy(update=update)


async def _page(fetcher: Fetcher, url: str) -> Source | SourceRecord:
    try:
        return page_source(await fetcher.get(url))
    except FetchError as exc:
        return SourceRecord(path=url, status="skipped", reason=str(exc))


async def _entry(fetcher: Fetcher, entry: Entry, feed_url: str, feed_title: str | None) -> Source | SourceRecord:
    if entry.link:
        return _from_entry(await _page(fetcher, entry.link), entry, feed_title)
    if not entry.content:
        return SourceRecord(path=entry.key, status="skipped", reason="feed entry with neither link nor text")
    raw = f"<html><body><article>{entry.content}</article></body></html>".encode()
    try:
        page = documents.extract_html(raw, url=feed_url)
    except documents.Unreadable as exc:
        return SourceRecord(path=entry.key, status="skipped", reason=str(exc))
    source = source_from_document(entry.key, hashlib.sha256(raw).hexdigest(), page)
    return _from_entry(source, entry, feed_title)


async def _feed(
    fetcher: Fetcher, url: str, window: tuple[date, date] | None, seen: set[str], fetched: Fetched
) -> list[Source | SourceRecord]:
    try:
        response = await fetcher.get(url)
        title, entries = parse_feed(response.final_url, response.body)
    except FetchError as exc:
        return [SourceRecord(path=url, status="skipped", reason=f"feed: {exc}")]
    if window is not None:
        inside = [e for e in entries if e.day is None or window[0] <= e.day <= window[1]]
        if len(inside) < len(entries):
            first, last = window
            span = first.isoformat() if first == last else f"{first} to {last}"
            fetched.warnings.append(f"{url}: {len(entries) - len(inside)} entries dated outside {span} left out")
        entries = inside
    if len(entries) > MAX_FEED_ENTRIES:
        fetched.warnings.append(f"{url}: {len(entries) - MAX_FEED_ENTRIES} entries past the first {MAX_FEED_ENTRIES}")
        entries = entries[:MAX_FEED_ENTRIES]
    fresh = [e for e in entries if e.key not in seen]  # the same article listed twice is fetched once
    seen.update(e.key for e in fresh)
    return list(await asyncio.gather(*(_entry(fetcher, e, url, title) for e in fresh)))


async def fetch_inputs(
    urls: Sequence[str] = (),
    feeds: Sequence[str] = (),
    *,
    settings: Settings,
    window: tuple[date, date] | None = None,
) -> Fetched:
    """Fetch `urls` (pages) and `feeds` (RSS/Atom, then each entry's page); see the module docstring.

    Raises `ConfigError` when the `inputs` extra is missing; anything else becomes a skipped record."""
    fetched = Fetched()
    if not urls and not feeds:
        return fetched
    for module in ("httpx", "feedparser"):
        try:
            __import__(module)
        except ImportError:
            raise missing_extra("inputs", "fetching URLs and feeds", module) from None
    state: FetchState | None = None
    try:
        state = FetchState(settings.cache_dir / STATE_FILE)
    except (OSError, sqlite3.Error) as exc:
        fetched.warnings.append(f"feeds and pages fetched in full, not conditionally: {exc}")
    fetcher = Fetcher(settings, state)
    try:
        pages = _unique(urls)
        seen = set(pages)
        results = await asyncio.gather(
            *(_page(fetcher, u) for u in pages),
            *(_feed(fetcher, f, window, seen, fetched) for f in _unique(feeds)),
        )
    finally:
        await fetcher.aclose()
        if state is not None:
            state.close()
    for result in results:
        fetched.results.extend(result if isinstance(result, list) else [result])
    fetched.not_modified = fetcher.not_modified
    return fetched


def _unique(urls: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(u.strip() for u in urls if u.strip()))


__all__ = ["FetchError", "FetchState", "Fetched", "Fetcher", "fetch_inputs", "page_source", "parse_feed", "url_problem"]
