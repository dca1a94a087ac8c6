"""Issue 12's "done when", end to end: one folder mixing plain text, a saved page, a PDF, a scanned PDF and
two outlets' copies of one wire story, plus a feed served on loopback, briefed in one run. Every citation
verifies against the text the briefing stores (or the file's own text), every source has a date and says
where it came from, there is a timeline, the wire copies are one story, and what was skipped says why.
Only the model is a fake; reading, fetching (a real HTTP server on 127.0.0.1), dates and copies are real."""

from __future__ import annotations

from pathlib import Path

from briefing import Settings, agenerate_briefing
from briefing.grounding import verify
from briefing.models import Briefing

from .docmakers import make_pdf, news_page
from .fakes import fake_model
from .test_copies import AP, TRIBUNE
from .test_fetch import MONDAY, SECOND, NewsSite, Page, rss, site  # noqa: F401 - the loopback site fixture

NOTE = (
    "LONDON, Sept 22, 2015 - Britain said on Tuesday it would send four Tornado jets to Cyprus next week.\n\n"
    "The defence ministry said the aircraft would fly reconnaissance missions over the region.\n"
)
REPORT = [
    "Turkey moved two armoured brigades to its southern border on Monday, the general staff said.",
    "The general staff said the units would stay until the situation in the region had calmed.",
]


async def test_a_mixed_folder_and_a_feed_are_briefed_with_every_citation_verified(site, tmp_path: Path):  # noqa: F811
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "note.txt").write_text(NOTE, encoding="utf-8")
    (folder / "page.html").write_text(news_page(), encoding="utf-8")
    (folder / "report.pdf").write_bytes(make_pdf(["\n".join(REPORT)], title="Border report"))
    (folder / "scan.pdf").write_bytes(make_pdf([None]))
    (folder / "ap.txt").write_text(AP, encoding="utf-8")
    (folder / "tribune.txt").write_text(TRIBUNE, encoding="utf-8")
    site.pages["/world/frigates"] = Page(news_page("France sends frigates", SECOND).encode())
    site.pages["/rss"] = Page(rss(site, [("France sends frigates", "/world/frigates", MONDAY)]), "application/rss+xml")
    settings = Settings(cache_dir=tmp_path / "cache", use_cache=False, fetch_private=True)

    b = await agenerate_briefing([folder], feeds=[f"{site.url}/rss"], settings=settings, client=fake_model())
    stored = Briefing.model_validate_json(b.model_dump_json())  # what a reader of the JSON has
    by_name = {r.path.rsplit("/", 1)[-1]: r for r in stored.sources}

    # the scanned PDF is skipped with its reason; everything else is briefed
    assert by_name["scan.pdf"].status == "skipped" and "no text layer" in (by_name["scan.pdf"].reason or "")
    briefed = {name for name, r in by_name.items() if r.status == "briefed"}
    assert briefed == {"note.txt", "page.html", "report.pdf", "ap.txt", "tribune.txt", "frigates"}

    # every citation verifies: against the stored extracted text, or the plain-text file's own text
    texts = {
        r.path: r.text if r.text is not None else Path(r.path).read_text(encoding="utf-8")
        for r in stored.sources
        if r.status == "briefed"
    }
    assert stored.citations()
    for c in stored.citations():
        assert verify(c, texts[c.source]), c
    assert {c.source.rsplit("/", 1)[-1] for c in stored.citations()} >= {"page.html", "report.pdf", "frigates"}

    # dates: from the page's metadata, the feed entry, the text's dateline (and the file's time at worst)
    assert (by_name["page.html"].published_from, by_name["frigates"].published_from) == ("metadata", "feed")
    assert by_name["note.txt"].published_from == "dateline" and by_name["note.txt"].published.startswith("2015-09-22")
    assert all(by_name[n].published and by_name[n].published_from for n in briefed)
    assert stored.timeline and all(e.citations for e in stored.timeline)

    # the wire story in two outlets is one story, both outlets listed
    copies = [r for r in stored.sources if r.copy_of]
    assert [(r.path.rsplit("/", 1)[-1], r.copy_of.rsplit("/", 1)[-1]) for r in copies] == [("tribune.txt", "ap.txt")]
    assert [p.rsplit("/", 1)[-1] for p in by_name["ap.txt"].copies] == ["tribune.txt"]
