"""URLs and RSS/Atom feeds, fetched from a news site on loopback that the tests build (never the internet):
pages become their article text with the feed's date, every failure is one skipped item with its reason,
unchanged feeds cost a 304, hosts are not crowded, and only http(s) to public addresses by default."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field
from email.utils import format_datetime
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from briefing import Settings, agenerate_briefing
from briefing.errors import ConfigError
from briefing.fetch import fetch_inputs, url_problem
from briefing.grounding import verify
from briefing.models import Briefing, Source, SourceRecord
from briefing.surfaces.daily import arun_daily

from .docmakers import JETS, make_pdf, news_page
from .fakes import fake_model
from .test_cli import use_model  # noqa: F401 - the CLI's FakeModel fixture

SECOND = [
    "France deployed two frigates to the eastern Mediterranean on Tuesday, the defence ministry said in Paris.",
    "The ministry said the ships would stay in the region for several weeks to monitor the situation.",
]


@dataclass
class Page:
    body: bytes
    type: str = "text/html; charset=utf-8"
    status: int = 200
    etag: str | None = None
    delay: float = 0.0  # seconds before answering (a slow site)
    hold: bool = False  # wait, up to 0.5 s, until a second request is in flight (measures concurrency)


@dataclass
class NewsSite:
    """A news site on 127.0.0.1: pages and feeds by path, ETag answered with 304, requests recorded."""

    pages: dict[str, Page] = field(default_factory=dict)
    requests: list[tuple[str, int, dict[str, str]]] = field(default_factory=list)  # (path, status, headers)
    inflight: int = 0
    most_inflight: int = 0

    def __post_init__(self) -> None:
        self.lock = threading.Condition()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                site.serve(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        page = self.pages.get(handler.path)
        with self.lock:
            self.inflight += 1
            self.most_inflight = max(self.most_inflight, self.inflight)
            self.lock.notify_all()
            if page is not None and page.hold:
                self.lock.wait_for(lambda: self.inflight >= 2, timeout=0.5)
        try:
            if page is not None and page.delay:
                threading.Event().wait(page.delay)
            status = 404 if page is None else page.status
            if page is not None and page.etag and handler.headers.get("If-None-Match") == page.etag:
                status = 304
            self.requests.append((handler.path, status, dict(handler.headers)))
            handler.send_response(status)
            body = b"" if page is None or status == 304 else page.body
            if page is not None:
                handler.send_header("Content-Type", page.type)
                if page.etag:
                    handler.send_header("ETag", page.etag)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        finally:
            with self.lock:
                self.inflight -= 1

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def statuses(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for path, status, _ in self.requests:
            out.setdefault(path, []).append(status)
        return out


@pytest.fixture
def site():
    s = NewsSite()
    yield s
    s.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", use_cache=False, fetch_private=True)  # the site is on loopback


def rss(site: NewsSite, items: list[tuple[str, str, datetime | None]], title: str = "Example Wire") -> bytes:
    """An RSS 2.0 feed: (title, path, date) per item."""
    entries = "".join(
        f"<item><title>{t}</title><link>{site.url}{p}</link>"
        + (f"<pubDate>{format_datetime(d)}</pubDate>" if d else "")
        + "</item>"
        for t, p, d in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title><link>{site.url}/</link>'
        f"<description>World news</description>{entries}</channel></rss>"
    ).encode()


def by_path(results: list[Source | SourceRecord]) -> dict[str, Source | SourceRecord]:
    return {r.path.rsplit("/", 1)[-1]: r for r in results}


MONDAY = datetime(2015, 9, 21, 8, 30, tzinfo=UTC)
TUESDAY = datetime(2015, 9, 22, 9, 0, tzinfo=UTC)


# --------------------------------------------------------------------------- pages and feeds


async def test_a_url_is_briefed_from_its_article_text_and_every_citation_verifies(site, settings):
    site.pages["/world/jets"] = Page(news_page().encode())
    b = await agenerate_briefing(urls=[f"{site.url}/world/jets"], settings=settings, client=fake_model())
    stored = Briefing.model_validate_json(b.model_dump_json())
    (record,) = stored.sources
    assert (record.status, record.path) == ("briefed", f"{site.url}/world/jets")
    assert record.url == "https://news.example.org/world/russia-jets"  # the page's canonical URL
    assert (record.site, record.author, record.published_from) == ("Example News", "Jane Doe", "metadata")
    assert JETS[0] in record.text and "<" not in record.text
    assert stored.citations()
    for c in stored.citations():
        assert verify(c, record.text), c
    ((_, _, headers),) = site.requests
    assert headers["User-Agent"].startswith("briefing/")


async def test_feed_entries_are_fetched_and_dated_by_the_feed(site, settings):
    site.pages["/jets"] = Page(news_page().encode())
    site.pages["/frigates"] = Page(
        news_page("France sends frigates", SECOND, site="", author="", published="", canonical="").encode()
    )
    site.pages["/rss.xml"] = Page(
        rss(site, [("Jets", "/jets", MONDAY), ("Frigates", "/frigates", TUESDAY)]), type="application/rss+xml"
    )
    fetched = await fetch_inputs(feeds=[f"{site.url}/rss.xml"], settings=settings)
    got = by_path(fetched.results)
    assert set(got) == {"jets", "frigates"}
    jets, frigates = got["jets"], got["frigates"]
    assert isinstance(jets, Source) and isinstance(frigates, Source)
    assert (jets.published, jets.published_from) == ("2015-09-21T08:30:00+00:00", "feed")  # the feed's, not the page's
    assert (frigates.published, frigates.published_from) == ("2015-09-22T09:00:00+00:00", "feed")
    assert frigates.site == "Example Wire"  # the page names no site: the feed's title
    assert SECOND[0] in frigates.text


async def test_a_page_that_cannot_be_fetched_or_read_is_one_skipped_item_with_its_reason(site, settings):
    settings = settings.with_(fetch_max_bytes=50_000, fetch_timeout=0.3)
    site.pages["/good"] = Page(news_page().encode())
    site.pages["/gone"] = Page(b"", status=404)
    site.pages["/slow"] = Page(news_page().encode(), delay=0.8)
    site.pages["/logo.png"] = Page(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, type="image/png")
    site.pages["/huge"] = Page(news_page(paragraphs=[JETS[0]] * 1000).encode())
    site.pages["/scan.pdf"] = Page(make_pdf([None]), type="application/pdf")
    paths = ["/good", "/gone", "/slow", "/logo.png", "/huge", "/scan.pdf"]
    site.pages["/rss.xml"] = Page(rss(site, [(p, p, MONDAY) for p in paths]), type="application/rss+xml")
    fetched = await fetch_inputs(feeds=[f"{site.url}/rss.xml"], settings=settings)
    reasons = {name: r.reason for name, r in by_path(fetched.results).items() if isinstance(r, SourceRecord)}
    assert isinstance(by_path(fetched.results)["good"], Source)  # the others go on
    assert reasons["gone"] == "HTTP 404 Not Found"
    assert reasons["slow"].startswith("timed out")
    assert reasons["logo.png"] == "not a web page (image/png)"
    assert reasons["huge"].startswith("too large (")
    assert reasons["scan.pdf"].startswith("no text layer")


async def test_a_feed_that_is_not_a_feed_or_not_there_is_skipped_with_the_reason(site, settings):
    site.pages["/page"] = Page(b"just some text, not XML at all", type="text/plain")
    fetched = await fetch_inputs(feeds=[f"{site.url}/page", f"{site.url}/missing.xml"], settings=settings)
    assert sorted(r.reason for r in fetched.results) == ["feed: HTTP 404 Not Found", "feed: not an RSS or Atom feed"]


async def test_a_second_run_gets_304_for_an_unchanged_feed_and_reuses_what_it_stored(site, settings):
    site.pages["/jets"] = Page(news_page().encode(), etag='"p1"')
    site.pages["/rss.xml"] = Page(rss(site, [("Jets", "/jets", MONDAY)]), type="application/rss+xml", etag='"f1"')
    first = await fetch_inputs(feeds=[f"{site.url}/rss.xml"], settings=settings)
    second = await fetch_inputs(feeds=[f"{site.url}/rss.xml"], settings=settings)
    assert site.statuses() == {"/rss.xml": [200, 304], "/jets": [200, 304]}
    assert second.not_modified == 2
    assert [(r.path, r.text, r.published) for r in second.results] == [
        (r.path, r.text, r.published) for r in first.results
    ]
    assert site.requests[-1][2]["If-None-Match"] == '"p1"'


async def test_at_most_two_requests_go_to_one_host_at_a_time(site, settings):
    paths = [f"/story-{i}" for i in range(6)]
    for p in paths:
        site.pages[p] = Page(news_page().encode(), hold=True)
    fetched = await fetch_inputs([f"{site.url}{p}" for p in paths], settings=settings)
    assert all(isinstance(r, Source) for r in fetched.results)
    assert site.most_inflight == 2  # in parallel, but never more than the per-host limit


# --------------------------------------------------------------------------- what is refused


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/a.html", "gopher://x", "example.org/a"])
def test_only_http_and_https_urls_are_fetched(url):
    assert url_problem(url).startswith("only http:// and https:// URLs are fetched")


async def test_loopback_and_private_addresses_are_refused_unless_allowed(site, tmp_path):
    site.pages["/jets"] = Page(news_page().encode())
    closed = Settings(cache_dir=tmp_path / "cache")
    fetched = await fetch_inputs([f"{site.url}/jets", "http://10.1.2.3/x", "file:///etc/passwd"], settings=closed)
    reasons = sorted(r.reason for r in fetched.results)
    assert reasons[0].startswith("10.1.2.3 is a loopback or private address: refused")
    assert reasons[1].startswith("127.0.0.1 is a loopback or private address: refused")
    assert reasons[2] == "only http:// and https:// URLs are fetched, not file://"
    assert site.requests == []  # nothing reached the site


async def test_without_the_inputs_extra_fetching_says_what_to_install(settings, monkeypatch):
    monkeypatch.setitem(sys.modules, "feedparser", None)
    with pytest.raises(ConfigError, match=r"needs the 'inputs' extra \(feedparser is missing\)"):
        await fetch_inputs(feeds=["https://example.org/rss.xml"], settings=settings)


# --------------------------------------------------------------------------- the surfaces


def test_briefing_run_takes_urls_and_feeds_and_lists_what_it_skipped(site, use_model, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("BRIEFING_FETCH_PRIVATE", "1")
    site.pages["/jets"] = Page(news_page().encode())
    site.pages["/frigates"] = Page(news_page("France sends frigates", SECOND).encode())
    site.pages["/rss.xml"] = Page(
        rss(site, [("Frigates", "/frigates", TUESDAY), ("Gone", "/gone", TUESDAY)]), type="application/rss+xml"
    )
    out = tmp_path / "b.json"
    result = CliRunner().invoke(
        main_cli(),
        ["run", f"{site.url}/jets", "file:///etc/passwd", "--feed", f"{site.url}/rss.xml", "--json", str(out), "-q"],
    )
    assert result.exit_code == 0, result.output
    b = Briefing.model_validate_json(out.read_text())
    status = {r.path: (r.status, r.reason) for r in b.sources}
    assert status[f"{site.url}/jets"] == ("briefed", None)
    assert status[f"{site.url}/frigates"] == ("briefed", None)
    assert status[f"{site.url}/gone"] == ("skipped", "HTTP 404 Not Found")
    assert status["file:///etc/passwd"] == ("skipped", "only http:// and https:// URLs are fetched, not file://")


def main_cli():
    from briefing.surfaces.cli import main

    return main


async def test_daily_briefs_the_feeds_entries_of_its_day_and_a_rerun_gets_304(site, tmp_path):
    articles, out = tmp_path / "articles", tmp_path / "briefings"
    articles.mkdir()
    (articles / "wire.txt").write_text("Turkey said on Monday that it shot down a drone near its border.\n")
    site.pages["/jets"] = Page(news_page().encode(), etag='"j"')
    site.pages["/old"] = Page(news_page("Old news", SECOND).encode(), etag='"o"')
    site.pages["/rss.xml"] = Page(
        rss(site, [("Jets", "/jets", MONDAY), ("Old", "/old", datetime(2015, 9, 1, tzinfo=UTC))]),
        type="application/rss+xml",
        etag='"f"',
    )
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'feeds = ["{site.url}/rss.xml"]\n')
    settings = Settings(
        cache_dir=tmp_path / "cache", use_cache=False, fetch_private=True, feeds_file=feeds, sources_dir=articles
    )
    run = await arun_daily(settings, day="2015-09-22", out_dir=out, client=fake_model())
    names = {r.path.rsplit("/", 1)[-1]: r.status for r in run.briefing.sources}
    assert names == {"wire.txt": "briefed", "jets": "briefed"}  # the 1 September entry is not this day's news
    assert any("1 entries dated outside 2015-09-21 to 2015-09-22 left out" in w for w in run.briefing.warnings)
    again = await arun_daily(settings, day="2015-09-22", out_dir=out, client=fake_model())
    assert site.statuses() == {"/rss.xml": [200, 304], "/jets": [200, 304]}
    assert [r.text for r in again.briefing.sources] == [r.text for r in run.briefing.sources]


async def test_a_feeds_file_that_is_not_a_list_of_urls_is_one_clear_error(tmp_path):
    (tmp_path / "articles").mkdir()
    bad = tmp_path / "feeds.toml"
    bad.write_text('feeds = "https://example.org/rss.xml"\n')
    settings = Settings(cache_dir=tmp_path / "cache", feeds_file=bad, sources_dir=tmp_path / "articles")
    with pytest.raises(ConfigError, match=r"needs a list of URLs: feeds = \["):
        await arun_daily(settings, day="2015-09-22", client=fake_model())
