"""Publication dates (datelines, file times), dates read from cited sentences, and the timeline they make,
in every renderer."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from briefing import generate_briefing
from briefing import dates
from briefing.dates import date_in, dateline
from briefing.models import Briefing
from briefing.render import to_json, to_markdown
from briefing.render.html import to_html
from briefing.render.slack import to_slack
from briefing.sources import load_sources, source_from_text

from .fakes import fake_model

FILE_TIME = datetime(2015, 9, 25, 12, 0, tzinfo=UTC).timestamp()


def write(folder: Path, name: str, text: str, mtime: float = FILE_TIME) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


# --------------------------------------------------------------------------- publication dates


@pytest.mark.parametrize(
    ("top", "published"),
    [
        ("MOSCOW, Sept 10 (Reuters) - Russia has sent jets to Syria, officials said.", "2015-09-10"),
        ("WASHINGTON, D.C., Sept. 10, 2015 (AP) — The talks ended.", "2015-09-10"),
        ("Russia sends jets\n\nSunday 13 September 2015\n\nRussia has sent jets.", "2015-09-13"),
        ("Russia sends jets\nThu Sep 10, 2015 4:36pm EDT\nRussia has sent jets.", "2015-09-10"),
        ("Russia sends jets\nPublished: 2015-09-10\nRussia has sent jets.", "2015-09-10"),
        ("Russia sends jets\nBy Jane Roe | Monday 28 September 2015 16:00 BST\nText.", "2015-09-28"),
        ("Aid pledges rise\n\nSaturday, January 1, 2005\n\nIn an abrupt about-face, nations gave.", "2005-01-01"),
        ("Romanians raise aid\n\nTuesday, January 18, 2005Through a telethon, Romanians raised money.", "2005-01-18"),
    ],
)
def test_a_dateline_at_the_top_gives_the_publication_date(top: str, published: str) -> None:
    assert dateline(top, base=date(2015, 9, 25)) == published


@pytest.mark.parametrize(
    "text",
    [
        "Quake was longest\n\nDecember 26, 2004 was the day the longest earthquake ever recorded struck Sumatra.",
        "Title\n" + "A line of the story.\n" * 10 + "Sunday 13 September 2015\n",
        "Russia has sent jets to Syria on Monday, officials said.",
    ],
)
def test_a_paragraph_opening_on_a_date_a_date_further_down_or_a_weekday_is_no_dateline(text: str) -> None:
    assert dateline(text, base=date(2015, 9, 25)) is None


def test_a_wire_dateline_without_its_year_takes_the_year_nearest_the_file_time() -> None:
    assert dateline("MOSCOW, Dec 30 (Reuters) - Text.", base=date(2016, 1, 2)) == "2015-12-30"
    assert dateline("MOSCOW, Dec 30 (Reuters) - Text.", base=None) is None


def test_every_article_gets_a_publication_date_and_where_it_came_from(tmp_path: Path) -> None:
    write(tmp_path, "wire.txt", "MOSCOW, Sept 10, 2015 (Reuters) - Russia has sent jets to Syria.")
    write(tmp_path, "saved.txt", "Russia has sent jets to Syria, officials said on Monday.")
    loaded = load_sources([tmp_path])
    records = {Path(r.path).name: r for r in loaded.records}
    assert (records["wire.txt"].published, records["wire.txt"].published_from) == ("2015-09-10", "dateline")
    assert (records["saved.txt"].published, records["saved.txt"].published_from) == ("2015-09-25", "mtime")
    inline = source_from_text("inline.txt", "Russia has sent jets to Syria.")
    assert (inline.published, inline.published_from) == (None, None)  # no file, no dateline: unknown


# --------------------------------------------------------------------------- dates in sentences

THURSDAY = date(2015, 9, 10)


@pytest.mark.parametrize(
    ("sentence", "day", "precision", "basis", "words"),
    [
        ("Russia deployed jets to Latakia on Monday.", "2015-09-07", "day", "relative", "on Monday"),
        ("Lavrov said on Thursday that Russia backs Assad.", "2015-09-10", "day", "relative", "on Thursday"),
        ("Lavrov will meet Kerry on Monday.", "2015-09-14", "day", "relative", "on Monday"),
        ("Putin is expected to defend them in a speech on Monday.", "2015-09-14", "day", "relative", "on Monday"),
        ("Iraq said on Sunday it will share intelligence.", "2015-09-06", "day", "relative", "on Sunday"),
        ("The army said it had moved troops yesterday.", "2015-09-09", "day", "relative", "yesterday"),
        ("Turkey moved troops to the border last week.", "2015-08-31", "week", "relative", "last week"),
        ("The jets landed three days ago.", "2015-09-07", "day", "relative", "three days ago"),
        ("Last month the US said Assad must go.", "2015-08-01", "month", "relative", "Last month"),
        ("Troops arrived on Sept. 8, officials said.", "2015-09-08", "day", "relative", "Sept. 8"),
        ("The first ships docked on 26 December 2004.", "2004-12-26", "day", "stated", "26 December 2004"),
        ("Strikes began in September 2015.", "2015-09-01", "month", "stated", "September 2015"),
        ("Fighting in 2013 killed hundreds.", "2013-01-01", "year", "stated", "in 2013"),
    ],
)
def test_a_sentence_s_date_is_resolved_against_the_publication_date_with_its_precision(
    sentence: str, day: str, precision: str, basis: str, words: str
) -> None:
    when = date_in(sentence, THURSDAY, "a.txt")
    assert when is not None
    assert (when.date, when.precision, when.basis, when.text, when.source) == (day, precision, basis, words, "a.txt")


def test_without_a_publication_date_only_a_calendar_date_with_its_year_is_read() -> None:
    assert date_in("Russia deployed jets on Monday.", None, "a.txt") is None
    assert date_in("Troops arrived on Sept. 8.", None, "a.txt") is None
    when = date_in("The first ships docked on 26 December 2004.", None, "a.txt")
    assert when is not None and when.date == "2004-12-26"


def test_a_dateline_glued_to_a_sentence_dates_the_report_not_the_event() -> None:
    when = date_in("MOSCOW, Sept 10 (Reuters) - Russia deployed jets on Monday.", THURSDAY, "a.txt")
    assert when is not None and (when.date, when.text) == ("2015-09-07", "on Monday")


def test_a_sentence_without_a_date_has_none() -> None:
    assert date_in("Russia may send more jets to Syria.", THURSDAY, "a.txt") is None


# --------------------------------------------------------------------------- the briefing's timeline

WIRE = """Russia sends jets to Syria

MOSCOW, Sept 10, 2015 (Reuters) - Russia deployed 28 fighter jets to Latakia on Monday, officials said.

Sergei Lavrov said on Tuesday that Russia backs the Syrian state.

Sergei Lavrov said Russia will keep its promises to Damascus.

It is unclear how long the jets will stay.
"""

LATER = """Turkey watches the border

ANKARA, September 20, 2015 (AP) - Turkey moved troops to the border on September 1, a Turkish official said.

Russia sent more ships to Tartus, the navy said.
"""

UNDATED = """Jets over Syria

Iran deployed drones to Aleppo on Monday, officials said.
"""


@pytest.fixture(scope="module")
def dated_briefing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Briefing, list]:
    folder = tmp_path_factory.mktemp("dated")
    write(folder, "wire.txt", WIRE)
    write(folder, "later.txt", LATER)
    write(folder, "undated.txt", UNDATED)
    return generate_briefing([folder], client=fake_model()), load_sources([folder]).sources


def test_the_timeline_is_in_event_order_not_report_order_each_event_cited(dated_briefing) -> None:
    b, sources = dated_briefing
    texts = {s.path: s.text for s in sources}
    events = [(e.when.date, e.when.precision, e.when.basis, e.kind, Path(e.when.source).name) for e in b.timeline]
    assert events == [
        ("2015-09-01", "day", "relative", "movement", "later.txt"),  # reported on the 20th, happened on the 1st
        ("2015-09-07", "day", "relative", "movement", "wire.txt"),
        ("2015-09-08", "day", "relative", "statement", "wire.txt"),
        ("2015-09-10", "day", "report", "statement", "wire.txt"),  # "will keep its promises": no date of its own
    ]
    for e in b.timeline:
        assert e.citations and all(texts[c.source][c.start : c.end] == c.quote for c in e.citations)
    assert [e.when.text for e in b.timeline] == ["September 1", "on Monday", "on Tuesday", ""]


def test_items_carry_their_date_and_undated_items_stay_off_the_timeline(dated_briefing) -> None:
    b, _ = dated_briefing
    jets = next(m for m in b.military_movements if "28 fighter jets" in m.what)
    assert jets.dated is not None and (jets.dated.date, jets.dated.text) == ("2015-09-07", "on Monday")
    ships = next(m for m in b.military_movements if "ships to Tartus" in m.what)
    assert ships.dated is None  # a movement is not dated by the day it was reported
    drones = next(m for m in b.military_movements if "drones" in m.what)
    assert drones.dated is None  # "on Monday" against a file time only: not resolved
    on_timeline = {c.quote for e in b.timeline for c in e.citations}
    assert not any("ships to Tartus" in q or "drones" in q or "unclear" in q for q in on_timeline)


def test_sources_and_timeline_are_in_markdown_slack_html_and_json(dated_briefing) -> None:
    b, sources = dated_briefing
    md = to_markdown(b)
    timeline = md.split("## Timeline\n", 1)[1].split("\n## ", 1)[0]
    assert "- 2015-09-01 (“September 1”) — **Turkey**: " in timeline
    assert "- 2015-09-10 (date of report) — **Sergei Lavrov**: " in timeline
    sources_md = md.split("## Sources\n", 1)[1]
    assert "published 2015-09-10 (from its dateline)" in sources_md
    assert "published 2015-09-25 (the file's date: no date in the text)" in sources_md
    slack = json.dumps(to_slack(b).blocks, ensure_ascii=False)
    assert "*Timeline*" in slack and "2015-09-01 (“September 1”) — *Turkey*" in slack
    assert "published 2015-09-20 (from its dateline)" in slack
    page = to_html(b, sources)
    assert '<h2 id="h-timeline">Timeline</h2>' in page
    assert "2015-09-08 (“on Tuesday”) — <strong>Sergei Lavrov</strong>" in page
    assert "published 2015-09-20 (from its dateline)" in page
    data = json.loads(to_json(b))
    assert [e["when"]["date"] for e in data["timeline"]] == ["2015-09-01", "2015-09-07", "2015-09-08", "2015-09-10"]
    by_name = {Path(s["path"]).name: s for s in data["sources"]}
    assert (by_name["later.txt"]["published"], by_name["later.txt"]["published_from"]) == ("2015-09-20", "dateline")
    assert Briefing.model_validate_json(to_json(b)) == b


def test_a_briefing_without_dateparser_says_so_and_is_still_made(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path, "wire.txt", WIRE)
    monkeypatch.setitem(sys.modules, "dateparser.date", None)  # `from dateparser.date import ...` fails
    dates._dateparser.cache_clear()
    try:
        b = generate_briefing([tmp_path], client=fake_model())
    finally:
        monkeypatch.undo()
        dates._dateparser.cache_clear()
    assert b.warnings == [dates.MISSING]
    assert b.timeline == [] and b.military_movements
    [record] = b.sources
    assert (record.published, record.published_from) == ("2015-09-25", "mtime")
