"""The HTML page in a real headless Chromium (tests/browser.py): a citation opens its source with the quoted
words marked at their offsets, the briefing does not move when it does, citations are reached with Tab, opened
with Enter and closed with Escape, a hostile article stays inert, and screenshots at desktop and phone width
are kept in tests/artifacts/ (git-ignored)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page

from briefing import Settings, generate_briefing
from briefing.models import Briefing
from briefing.render import to_html
from briefing.render.sections import outline
from briefing.sources import load_sources

from .browser import DESKTOP, PHONE, chromium
from .conftest import ROOT
from .fakes import HOSTILE, HOSTILE_TITLE, fake_model

ARTIFACTS = ROOT / "tests" / "artifacts"

# What the page's script reports about the source pane: its state, the marked words, all the text before
# them (to compare with the file's text before the citation's offset) and whether they are in view.
PANE = """() => {
  const pane = document.getElementById("pane"), body = document.getElementById("pane-body");
  const text = document.getElementById("pane-text"), mark = text.querySelector("mark");
  let before = null, visible = false;
  if (mark) {
    const range = document.createRange();
    range.setStart(text, 0);
    range.setEndBefore(mark);
    before = range.toString();
    const m = mark.getBoundingClientRect(), b = body.getBoundingClientRect();
    visible = m.top >= b.top && m.top < b.bottom && m.height > 0;
  }
  return {open: pane.dataset.open, quote: mark ? mark.textContent : null, before, visible,
          whole: text.textContent, title: document.getElementById("pane-title").textContent};
}"""


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Briefing, Path, dict[str, str]]:
    """The seeds briefed with the fake model (no model needed), rendered to a page on disk."""
    mp = pytest.MonkeyPatch()
    mp.chdir(ROOT)  # sources are named as given ("seeds/..."), as with `briefing run seeds/`
    try:
        briefing = generate_briefing(["seeds"], settings=Settings(use_cache=False), client=fake_model())
        sources = load_sources(["seeds"]).sources
    finally:
        mp.undo()
    page_file = tmp_path_factory.mktemp("html") / "seeds.html"
    page_file.write_text(to_html(briefing, sources), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    return briefing, page_file, {s.path: s.text for s in sources}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Briefing, Path]:
    """A hostile article (tests/fakes.py) under a hostile title, briefed with the fake model and rendered."""
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    briefing = generate_briefing([folder], settings=Settings(use_cache=False), client=fake_model(), title=HOSTILE_TITLE)
    page_file = folder / "hostile.html"
    page_file.write_text(to_html(briefing, load_sources([folder]).sources), encoding="utf-8")
    return briefing, page_file


@pytest.fixture(scope="module")
def browser(seeds, hostile) -> Iterator[BrowserContext]:  # noqa: ANN001
    """One Chromium for the module, started after the pages are made (Playwright's sync API holds the
    event loop the briefing would need)."""
    with chromium() as context:
        yield context


@pytest.fixture
def page(browser: BrowserContext) -> Iterator[Page]:
    page = browser.new_page()
    page.set_viewport_size(DESKTOP)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    page.close()
    assert errors == [], f"the page's script failed: {errors}"


def test_a_citation_opens_its_source_with_the_quote_marked_at_its_offsets(page: Page, seeds) -> None:  # noqa: ANN001
    briefing, page_file, texts = seeds
    numbered = outline(briefing).citations
    # the first citation of every source, and the last one
    picks = sorted({c.source: n for n, c in reversed(list(enumerate(numbered, 1)))}.values()) + [len(numbered)]
    assert len(picks) == 6
    page.goto(page_file.as_uri())
    assert page.evaluate(PANE)["open"] == "false"
    for n in picks:
        cited = numbered[n - 1]
        page.locator(f'a.cite[data-cite="{n}"]').first.click()
        pane = page.evaluate(PANE)
        assert pane["open"] == "true"
        assert pane["quote"] == cited.quote
        assert pane["before"] == texts[cited.source][: cited.start]
        assert pane["whole"] == texts[cited.source]
        assert pane["visible"], f"citation {n} is not scrolled into view"
    page.screenshot(path=str(ARTIFACTS / "seeds-desktop.png"))


def test_opening_a_source_moves_nothing_in_the_briefing(page: Page, seeds) -> None:  # noqa: ANN001
    where = "() => [...document.querySelectorAll('main h2, a.cite')].slice(0, 40).map(e => e.getBoundingClientRect().toJSON())"
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.goto(seeds[1].as_uri())
        before = page.evaluate(where)
        page.locator("a.cite").nth(2).click()
        assert page.evaluate(PANE)["open"] == "true"
        assert page.evaluate(where) == before
        if size == PHONE:
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            page.screenshot(path=str(ARTIFACTS / "seeds-phone.png"))


def test_on_paper_the_pane_is_left_out_and_the_citations_are_notes(page: Page, seeds) -> None:  # noqa: ANN001
    page.goto(seeds[1].as_uri())
    page.locator("a.cite").first.click()
    page.emulate_media(media="print")
    shown = "s => getComputedStyle(document.querySelector(s)).display"
    assert page.evaluate(shown, "#pane") == "none"
    assert page.evaluate(shown, "#citations") == "block"
    assert page.evaluate("document.querySelectorAll('#citations li').length") == len(outline(seeds[0]).citations)


def test_citations_are_reached_with_tab_opened_with_enter_and_closed_with_escape(page: Page, seeds) -> None:  # noqa: ANN001
    briefing, page_file, _ = seeds
    page.goto(page_file.as_uri())
    order = page.evaluate("() => [...document.querySelectorAll('a.cite')].slice(0, 5).map(a => a.dataset.cite)")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip"
    focused = []
    for _ in order:
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.dataset.cite"))
    assert focused == order
    page.keyboard.press("Enter")
    pane = page.evaluate(PANE)
    assert pane["open"] == "true" and pane["quote"] == outline(briefing).citations[int(order[-1]) - 1].quote
    page.keyboard.press("Escape")
    assert page.evaluate(PANE)["open"] == "false"
    assert page.evaluate("document.activeElement.dataset.cite") == order[-1]  # focus back where it was


def test_a_hostile_article_renders_inert(page: Page, hostile) -> None:  # noqa: ANN001
    briefing, page_file = hostile
    page.goto(page_file.as_uri())
    numbered = outline(briefing).citations
    assert len(numbered) >= 3
    for n, cited in enumerate(numbered, 1):
        page.locator(f'a.cite[data-cite="{n}"]').first.click()
        pane = page.evaluate(PANE)
        assert pane["quote"] == cited.quote  # after the emoji too: offsets in the browser's own units
        assert pane["before"] == HOSTILE[: cited.start]
    page.click("a.read")
    assert page.evaluate(PANE)["whole"] == HOSTILE
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.scripts.length") == 2  # the data block and the page's own script
    assert page.evaluate("document.querySelectorAll('img, b, iframe, [onerror]').length") == 0
    assert page.evaluate("[...document.links].filter(a => a.protocol === 'javascript:').length") == 0
    assert page.title() == HOSTILE_TITLE
    # and the policy holds: a script injected after load does not run
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__pwned = 1'; document.body.append(s); }"
    )
    assert page.evaluate("window.__pwned") is None
