"""Rendering: the Markdown a reader sees (sections, footnotes with the exact words, skipped files, escaping)
and JSON that reads back as the same briefing."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from briefing.models import (
    Actor,
    Briefing,
    Citation,
    Claim,
    Discrepancy,
    Fact,
    KeyPoint,
    MilitaryMovement,
    OpenQuestion,
    Position,
    SourceRecord,
    Stats,
    Usage,
)
from briefing.render import to_json, to_markdown
from briefing.render.markdown import esc

TEXT_A = "Russia deployed 500 troops to Latakia. Sergei Lavrov said Russia backs the Syrian state."
TEXT_B = "Russia has sent thousands of soldiers. It is unclear how long they will stay."


def cite(path: str, text: str, phrase: str) -> Citation:
    start = text.index(phrase)
    return Citation(source=path, start=start, end=start + len(phrase), quote=phrase)


TROOPS_A = cite("seeds/a.txt", TEXT_A, "Russia deployed 500 troops to Latakia")
LAVROV_A = cite("seeds/a.txt", TEXT_A, "Sergei Lavrov said Russia backs the Syrian state")
TROOPS_B = cite("seeds/b.txt", TEXT_B, "Russia has sent thousands of soldiers")
UNCLEAR_B = cite("seeds/b.txt", TEXT_B, "It is unclear how long they will stay")


@pytest.fixture
def briefing() -> Briefing:
    return Briefing(
        title="Russia in Syria",
        generated_at=datetime(2015, 9, 28, 12, 0, tzinfo=UTC),
        summary=[KeyPoint(text="Russia sent troops to Latakia.", citations=[TROOPS_A, TROOPS_B])],
        actors=[
            Actor(
                name="Sergei Lavrov",
                kind="person",
                role="Russian foreign minister",
                aliases=["Sergey Lavrov"],
                citations=[LAVROV_A],
            )
        ],
        positions=[Position(actor="Sergei Lavrov", stance="Russia backs the Syrian state.", citations=[LAVROV_A])],
        military_movements=[
            MilitaryMovement(
                actor="Russia", what="deployed troops", where="Latakia", scale="500 troops", citations=[TROOPS_A]
            )
        ],
        open_questions=[OpenQuestion(question="How long will the troops stay?", citations=[UNCLEAR_B])],
        discrepancies=[
            Discrepancy(
                topic="Sources give different figures for troop numbers",
                claims=[
                    Claim(statement="500 troops (a.txt)", citations=[TROOPS_A]),
                    Claim(statement="Thousands of soldiers (b.txt)", citations=[TROOPS_B]),
                ],
            )
        ],
        facts=[Fact(text="Russia deployed troops.", citations=[TROOPS_A])],
        sources=[
            SourceRecord(
                path="seeds/a.txt",
                title="Russia in Syria",
                sha256="0" * 64,
                encoding="utf-8",
                status="briefed",
                chunks=1,
            ),
            SourceRecord(
                path="seeds/b.txt",
                sha256="1" * 64,
                encoding="utf-8",
                status="briefed",
                chunks=2,
                reason="some chunks could not be summarized: HTTP 500",
            ),
            SourceRecord(path="seeds/photo.txt", status="skipped", reason="binary file (contains NUL bytes)"),
        ],
        usage=Usage(model="fake", endpoint="fake://", model_calls=3, prompt_tokens=1200, completion_tokens=300),
        stats=Stats(chunks=3, items_proposed=9, items_grounded=7, items_dropped=2, chunks_failed=1),
    )


def footnotes(markdown: str) -> dict[int, str]:
    return {int(n): body for n, body in re.findall(r"^\[\^(\d+)\]: (.*)$", markdown, re.MULTILINE)}


def test_the_markdown_has_the_headline_and_a_section_per_part(briefing: Briefing) -> None:
    md = to_markdown(briefing)
    assert md.startswith("# Russia in Syria\n")
    headings = re.findall(r"^## (.*)$", md, re.MULTILINE)
    assert headings == [
        "Key points",
        "Actors",
        "Positions",
        "Military movements",
        "Open questions",
        "Where sources disagree",
        "Sources",
        "How this briefing was made",
        "Citations",
    ]
    assert "1. Russia sent troops to Latakia.[^1][^2]" in md
    assert "- **Sergei Lavrov** (person) — Russian foreign minister. Also: Sergey Lavrov[^3]" in md
    assert "- **Russia**: deployed troops (Latakia; 500 troops)[^1]" in md
    assert "- **Sources give different figures for troop numbers**" in md
    assert re.search(r"; 1 chunks? failed\.", md)


def test_empty_parts_say_so_instead_of_vanishing(briefing: Briefing) -> None:
    md = to_markdown(briefing.model_copy(update={"positions": [], "discrepancies": []}))
    assert "## Positions\n\n_No position could be grounded in the sources._" in md
    assert "## Where sources disagree\n\n_No disagreement between sources was found._" in md


def test_footnotes_name_the_file_and_quote_the_exact_words(briefing: Briefing) -> None:
    notes = footnotes(to_markdown(briefing))
    assert len(notes) == 4
    for n, citation in zip(sorted(notes), [TROOPS_A, TROOPS_B, LAVROV_A, UNCLEAR_B]):
        assert f"`{citation.source}`" in notes[n]
        assert f"characters {citation.start}–{citation.end}" in notes[n]
        assert f'"{citation.quote}"' in notes[n]


def test_identical_citations_share_one_footnote_number(briefing: Briefing) -> None:
    md = to_markdown(briefing)
    notes = footnotes(md)
    assert sum(1 for body in notes.values() if '"Russia deployed 500 troops to Latakia"' in body) == 1
    # cited by the key point, the movement and the first claim: always [^1]
    body = md.split("## Citations")[0]
    assert body.count("[^1]") == 3
    # a fresh Citation object with the same span is the same footnote
    again = Citation(**TROOPS_A.model_dump())
    md2 = to_markdown(
        briefing.model_copy(update={"open_questions": [OpenQuestion(question="Again?", citations=[again])]})
    )
    assert len(footnotes(md2)) == 3  # the question's own citation is gone, the shared one is reused
    assert "- Again?[^1]" in md2


def test_skipped_files_are_listed_with_their_reason(briefing: Briefing) -> None:
    md = to_markdown(briefing)
    sources = md.split("## Sources")[1].split("## How")[0]
    assert "- `seeds/photo.txt`: **skipped** — binary file (contains NUL bytes)" in sources
    assert "- `seeds/a.txt` — Russia in Syria: briefed, 1 chunk\n" in sources
    assert "- `seeds/b.txt`: briefed, 2 chunks (some chunks could not be summarized: HTTP 500)" in sources
    assert "2 sources briefed, 1 skipped" in md


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("*bold* and _it_", r"\*bold\* and \_it\_"),
        ("[link](http://x)", r"\[link\](http://x)"),
        ("<script>alert(1)</script>", r"\<script\>alert(1)\</script\>"),
        ("# not a heading | not a cell", r"\# not a heading \| not a cell"),
        ("`code` and a \\ backslash", r"\`code\` and a \\ backslash"),
        ("many\n\nlines   and\tspaces", "many lines and spaces"),
    ],
)
def test_markdown_control_characters_from_articles_are_escaped(raw: str, escaped: str) -> None:
    assert esc(raw) == escaped


def test_article_text_cannot_inject_markdown_into_the_briefing(briefing: Briefing) -> None:
    text = "He said *never* [click](http://evil) # now\n## Fake heading"
    c = Citation(source="seeds/c.txt", start=0, end=len(text), quote=text)
    md = to_markdown(
        briefing.model_copy(
            update={
                "positions": [Position(actor="Someone", stance=text, citations=[c])],
                "actors": [Actor(name="*Evil* [actor]", kind="other", role="<b>role</b>", citations=[c])],
            }
        )
    )
    assert "## Fake heading" not in md
    assert "*never*" not in md and "[click]" not in md and "<b>" not in md
    assert r"\*Evil\* \[actor\]" in md
    assert r"- **Someone**: He said \*never\* \[click\](http://evil) \# now \#\# Fake heading[^" in md
    notes = footnotes(md)
    assert any(r"He said \*never\* \[click\](http://evil) \# now \#\# Fake heading" in body for body in notes.values())


def test_json_round_trips_to_the_same_briefing(briefing: Briefing) -> None:
    text = to_json(briefing)
    assert Briefing.model_validate_json(text) == briefing
    assert '"quote": "Russia deployed 500 troops to Latakia"' in text
