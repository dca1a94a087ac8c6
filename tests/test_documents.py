"""Saved web pages and PDFs: their text (not their markup or bytes) is briefed, their metadata kept, and
every citation into them checked against the text the briefing stores."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from briefing import generate_briefing
from briefing.grounding import verify
from briefing.models import Briefing, Source
from briefing.render.markdown import to_markdown
from briefing.sources import load_sources, reread

from .docmakers import JETS, make_pdf, news_page
from .fakes import fake_model

PDF_PAGES = [
    "Turkey said on Tuesday that it had shot down a drone near its border.\nThe army gave no further details.",
    "Iran sent military advisers to Damascus, officials said.\nIt is unclear how many arrived.",
]


def one_source(folder: Path) -> Source:
    loaded = load_sources([folder])
    assert loaded.skipped == [], loaded.skipped
    (source,) = loaded.sources
    return source


# --------------------------------------------------------------------------- HTML


def test_a_saved_page_is_read_as_its_article_text_with_its_metadata(tmp_path):
    raw = news_page().encode("utf-8")
    (tmp_path / "jets.html").write_bytes(raw)
    source = one_source(tmp_path)  # today: "nothing to brief" (the folder holds no .txt/.md)
    assert source.text.startswith("Russia sends jets to Syria\n")
    for paragraph in JETS:
        assert paragraph in source.text  # entities decoded: Moscow’s, “We are ...”
    for markup in ("<", "&#", "dataLayer", "Home", "All rights reserved"):
        assert markup not in source.text
    assert source.title == "Russia sends jets to Syria"
    assert (source.author, source.site) == ("Jane Doe", "Example News")
    assert (source.published, source.published_from) == ("2015-09-21", "metadata")
    assert source.url == "https://news.example.org/world/russia-jets"
    assert source.sha256 == hashlib.sha256(raw).hexdigest()  # the original file's hash
    assert source.extracted_by.startswith("trafilatura ")


def test_a_page_named_directly_is_extracted_too_and_htm_counts(tmp_path):
    page = tmp_path / "jets.HTM"
    page.write_text(news_page(), encoding="utf-8")
    (source,) = load_sources([page]).sources  # today: the raw markup, "<!DOCTYPE html>" as its title
    assert source.title == "Russia sends jets to Syria"
    assert "<" not in source.text


def test_a_page_with_no_article_is_skipped_with_the_reason(tmp_path):
    (tmp_path / "menu.html").write_text(
        "<html><head><title>Home</title><script>var a = 1;</script></head><body><nav><a href='/'>Home</a></nav>"
        "</body></html>",
        encoding="utf-8",
    )
    (tmp_path / "jets.html").write_text(news_page(), encoding="utf-8")
    loaded = load_sources([tmp_path])
    assert [s.path for s in loaded.sources] == [str(tmp_path / "jets.html")]
    (skipped,) = loaded.skipped
    assert skipped.reason == "no article text found in the page"


def test_the_page_charset_it_declares_is_used(tmp_path):
    text = news_page(paragraphs=["Москва отправила самолёты в Сирию, заявили в понедельник американские чиновники."])
    (tmp_path / "ru.html").write_bytes(text.replace('charset="utf-8"', 'charset="windows-1251"').encode("cp1251"))
    source = one_source(tmp_path)
    assert "Москва отправила самолёты" in source.text
    assert source.encoding == "cp1251"


def test_boilerplate_rules_still_apply_to_the_extracted_text(tmp_path):
    paragraphs = [*JETS, "Additional reporting by John Smith in Moscow"]
    (tmp_path / "jets.html").write_text(news_page(paragraphs=paragraphs), encoding="utf-8")
    source = one_source(tmp_path)
    start = source.text.index("Additional reporting")
    assert any(s.start <= start < s.end for s in source.boilerplate)


def test_without_the_inputs_extra_a_page_is_skipped_saying_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # import fails as when it is not installed
    (tmp_path / "jets.html").write_text(news_page(), encoding="utf-8")
    (tmp_path / "note.txt").write_text("Russia deployed 500 troops to Latakia on Monday.\n", encoding="utf-8")
    loaded = load_sources([tmp_path])
    assert [Path(s.path).name for s in loaded.sources] == ["note.txt"]  # the good file goes on
    (skipped,) = loaded.skipped
    assert "\n" not in skipped.reason
    assert skipped.reason.endswith("needs the 'inputs' extra (trafilatura is missing): pip install 'briefing[inputs]'")


# --------------------------------------------------------------------------- PDF


def test_a_text_layer_pdf_is_read_page_by_page(tmp_path):
    (tmp_path / "report.pdf").write_bytes(make_pdf(PDF_PAGES, title="Border report"))
    source = one_source(tmp_path)  # today: "binary file (contains NUL bytes)"
    assert source.title == "Border report"
    assert source.extracted_by.startswith("pypdf ")
    assert source.pages is not None and len(source.pages) == 2
    first, second = source.pages
    assert first == 0
    assert source.text[second:].startswith("Iran sent military advisers")
    assert "\f" in source.text[:second]  # a visible page break between the two
    record = load_sources([tmp_path]).records[0]
    assert record.page_of(source.text.index("shot down")) == 1
    assert record.page_of(source.text.index("It is unclear")) == 2


def test_a_pdf_is_recognised_by_its_header_whatever_its_name(tmp_path):
    (tmp_path / "report.txt").write_bytes(make_pdf(PDF_PAGES))
    assert one_source(tmp_path).text.startswith("Turkey said on Tuesday")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (make_pdf([None, None]), "no text layer"),
        (make_pdf(PDF_PAGES, password="secret"), "encrypted PDF: it needs a password"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without a trailer\n", "not a readable PDF"),
    ],
    ids=["scanned", "encrypted", "corrupt"],
)
def test_a_pdf_that_cannot_be_read_is_skipped_with_a_clear_reason_and_the_rest_go_on(tmp_path, raw, reason):
    (tmp_path / "bad.pdf").write_bytes(raw)
    (tmp_path / "good.pdf").write_bytes(make_pdf(PDF_PAGES))
    loaded = load_sources([tmp_path])
    assert [Path(s.path).name for s in loaded.sources] == ["good.pdf"]
    (skipped,) = loaded.skipped
    assert skipped.reason.startswith(reason), skipped.reason
    assert "\n" not in skipped.reason


# --------------------------------------------------------------------------- briefed: citations verify


@pytest.fixture
def mixed(tmp_path) -> tuple[Path, Briefing]:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "jets.html").write_text(news_page(), encoding="utf-8")
    (folder / "report.pdf").write_bytes(make_pdf(PDF_PAGES))
    (folder / "wire.txt").write_text("France deployed two frigates to the eastern Mediterranean.\n", encoding="utf-8")
    return folder, generate_briefing([folder], client=fake_model())


def test_every_citation_into_a_page_or_pdf_verifies_against_the_text_the_briefing_stores(mixed):
    folder, briefing = mixed
    stored = Briefing.model_validate_json(briefing.model_dump_json())  # as `--json` writes it
    records = {r.path: r for r in stored.sources}
    assert {Path(p).name: r.status for p, r in records.items()} == {
        "jets.html": "briefed",
        "report.pdf": "briefed",
        "wire.txt": "briefed",
    }
    cited = {Path(c.source).name for c in stored.citations()}
    assert {"jets.html", "report.pdf"} <= cited
    for c in stored.citations():
        record = records[c.source]
        text = record.text if record.text is not None else Path(c.source).read_text(encoding="utf-8")
        assert verify(c, text), c
    assert records[str(folder / "wire.txt")].text is None  # plain text is its file: not stored again
    # The page pane shows the stored text even when the saved page is gone.
    (folder / "jets.html").unlink()
    shown = {Path(s.path).name: s for s in reread(stored.sources)}
    assert shown["jets.html"].text == records[str(folder / "jets.html")].text


def test_markdown_lists_a_page_with_its_outlet_author_date_and_url_and_cites_pdf_pages(mixed):
    _, briefing = mixed
    md = to_markdown(briefing)
    sources = md.split("## Sources", 1)[1]
    assert "Example News" in sources and "Jane Doe" in sources and "2015-09-21" in sources
    assert "https://news.example.org/world/russia-jets" in sources
    pdf_notes = [line for line in md.splitlines() if line.startswith("[^") and "report.pdf" in line]
    assert pdf_notes and all(", page " in line for line in pdf_notes)


def test_slack_and_the_page_show_the_outlet_and_date_and_the_pdf_page(mixed):
    import json

    from briefing.render.html import to_html
    from briefing.render.slack import to_slack

    _, briefing = mixed
    message = json.dumps(to_slack(briefing).blocks, ensure_ascii=False)
    assert "Example News · by Jane Doe · 2015-09-21" in message
    assert "report.pdf (characters" in message and ", page 2)" in message
    page = to_html(briefing, reread(briefing.sources))
    data = json.loads(page.split('id="briefing-data">', 1)[1].split("</script>", 1)[0])
    about = {Path(s["path"]).name: s["about"] for s in data["sources"]}
    assert about["jets.html"] == "Example News · by Jane Doe · 2015-09-21"
    assert {c["page"] for c in data["citations"] if c["path"].endswith("report.pdf")} == {1, 2}
