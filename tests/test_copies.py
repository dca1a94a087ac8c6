"""Duplicates and wire copies: one article twice is briefed once; one wire story in several outlets is
recognised, every outlet listed, and counted as one source wherever sources are counted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing import generate_briefing
from briefing.copies import WIRE_COPY_JACCARD, jaccard, shingles, text_key, wire_copies
from briefing.merge import merge
from briefing.models import Briefing, Citation, Items, MilitaryMovement
from briefing.render import to_json, to_markdown
from briefing.render.slack import to_slack
from briefing.sources import load_sources, source_from_text

from .fakes import fake_model

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

STORY = """Russia deployed 500 troops to Latakia on Monday, officials said.
The deployment is the largest since the war began, and it came days after talks in Geneva broke down without
an agreement on a ceasefire for the north of the country.
Residents of the coastal city reported convoys of armoured vehicles moving along the main highway through the
night, and several roads into the port were closed to civilian traffic for most of the morning.
A spokesman for the defence ministry in Moscow declined to say how long the soldiers would stay or whether
more units would follow, saying only that the mission was to protect Russian facilities.
Western diplomats said the move would complicate efforts to restart negotiations, which the United Nations
had hoped to resume before the end of the month with delegations from both sides.
The opposition said the new forces would be used against civilians and called on the Security Council to
hold an emergency meeting on the situation in the province."""

AP = "By Jane Roe, Associated Press\n\nBEIRUT, Sept 10, 2015 (AP) - " + STORY + "\n"
TRIBUNE = (
    "Wire report\n\nDAMASCUS (AP) — "
    + STORY
    + "\n\nThe Tribune's correspondent in the region added that local shopkeepers had closed early and that queues had"
    " formed outside bakeries as families stocked up on bread and fuel.\n"
)
OTHER = """Turkey watches the border

Russia deployed 500 troops to Latakia on Monday, officials said.
Turkish officials said they were watching the border closely and had reinforced two garrisons in the south,
while the foreign ministry summoned the Russian ambassador to explain the purpose of the new deployment.
Analysts in Ankara said the government feared a new wave of refugees if fighting spread toward Idlib.
"""


def test_the_same_article_with_other_whitespace_is_briefed_once_as_a_duplicate(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(AP, encoding="utf-8")
    (tmp_path / "b.txt").write_text(AP.replace("\n", "\r\n").replace(" ", "  ") + "\n\n", encoding="utf-8")
    loaded = load_sources([tmp_path])
    assert [Path(s.path).name for s in loaded.sources] == ["a.txt"]
    skipped = {Path(r.path).name: r.reason for r in loaded.skipped}
    assert skipped == {"b.txt": f"duplicate of {tmp_path / 'a.txt'} (the same text; briefed once, under that name)"}
    assert text_key("a  b\n c") == text_key("a b c") != text_key("a b c d")


def shingled(text: str) -> set[str]:
    source = source_from_text("x.txt", text)
    assert not hasattr(source, "reason")
    return shingles(source)  # type: ignore[arg-type]


def test_wire_copies_differing_in_dateline_byline_and_closing_paragraph_are_recognised() -> None:
    assert jaccard(shingled(AP), shingled(TRIBUNE)) >= WIRE_COPY_JACCARD
    assert jaccard(shingled(AP), shingled(OTHER)) < 0.1  # one shared sentence does not make a copy
    sources = [
        source_from_text(name, text) for name, text in [("ap.txt", AP), ("other.txt", OTHER), ("t.txt", TRIBUNE)]
    ]
    assert wire_copies(sources) == {"t.txt": "ap.txt"}  # type: ignore[arg-type]


def test_the_seeds_and_a_short_note_hold_no_wire_copy() -> None:
    assert wire_copies(load_sources([SEEDS]).sources) == {}  # the seeds brief as before
    notes = [source_from_text(n, "Russia deployed troops.") for n in ("a.txt", "b.txt")]
    assert wire_copies([notes[0], source_from_text("b.txt", "Russia deployed troops!")]) == {}  # type: ignore[list-item]


def test_merge_orders_by_sources_counting_copies_once() -> None:
    def moved(what: str, at: int, *paths: str) -> MilitaryMovement:
        return MilitaryMovement(
            actor="Russia",
            what=what,
            citations=[Citation(source=p, start=at, end=at + len(what), quote=what) for p in paths],
        )

    copied = moved("Russia sent jets to Latakia.", 0, "ap.txt", "tribune.txt")
    independent = moved("Russia sent ships to Tartus.", 100, "ap.txt", "other.txt")
    notes = Items(movements=[copied, independent])
    assert [m.what for m in merge(notes).movements] == [copied.what, independent.what]  # 2 and 2: as listed
    ranked = merge(notes, origin={"tribune.txt": "ap.txt"}).movements
    assert [m.what for m in ranked] == [independent.what, copied.what]
    assert [m.sources_counted({"tribune.txt": "ap.txt"}) for m in ranked] == [2, 1]


@pytest.fixture(scope="module")
def copied_briefing(tmp_path_factory: pytest.TempPathFactory) -> Briefing:
    folder = tmp_path_factory.mktemp("wire")
    for name, text in [("ap.txt", AP), ("other.txt", OTHER), ("tribune.txt", TRIBUNE)]:
        (folder / name).write_text(text, encoding="utf-8")
    return generate_briefing([folder], client=fake_model())


def test_copies_are_briefed_listed_with_every_outlet_and_counted_as_one_source(copied_briefing: Briefing) -> None:
    b = copied_briefing
    records = {Path(r.path).name: r for r in b.sources}
    assert all(r.status == "briefed" for r in records.values())
    assert [Path(p).name for p in records["ap.txt"].copies] == ["tribune.txt"]
    assert Path(records["tribune.txt"].copy_of or "").name == "ap.txt"
    assert records["other.txt"].copies == [] and records["other.txt"].copy_of is None
    troops = next(m for m in b.military_movements if "500 troops" in m.what)
    assert {Path(c.source).name for c in troops.citations} == {"ap.txt", "other.txt", "tribune.txt"}
    assert troops.sources_counted(b.origins()) == 2  # the AP story and the other outlet's own report

    md = to_markdown(b)
    movements = md.split("## Military movements\n", 1)[1].split("\n## ", 1)[0]
    line = next(x for x in movements.splitlines() if "500 troops" in x)
    assert "_(2 sources)_" in line and "(3 sources)" not in line
    sources = md.split("## Sources\n", 1)[1].split("\n## ", 1)[0]
    assert f"also in: `{records['ap.txt'].copies[0]}`" in sources
    assert f"a copy of `{records['tribune.txt'].copy_of}` (counted with it as one source)" in sources
    slack = "\n".join(block["text"]["text"] for block in to_slack(b).blocks if block["type"] == "section")
    slack_line = next(x for x in slack.split("*Military movements*", 1)[1].splitlines() if "500 troops" in x)
    assert "_(2 sources)_" in slack_line
    assert f"also in: {records['ap.txt'].copies[0]}" in slack
    data = json.loads(to_json(b))
    assert {Path(s["path"]).name: s["copy_of"] for s in data["sources"]}["tribune.txt"] == records[
        "tribune.txt"
    ].copy_of
