"""The HTML page without a browser: one self-contained file, a Content-Security-Policy that allows only its own
stylesheet and script, every citation a link and a numbered note, source text embedded only when it is the
text that was briefed, and nothing from an article or the model reaching the page as markup."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from briefing import Settings, generate_briefing
from briefing.models import Briefing, Changes
from briefing.render import to_html
from briefing.render.html import Utf16
from briefing.render.sections import outline
from briefing.sources import load_sources, reread

from .fakes import HOSTILE, HOSTILE_TITLE, fake_model

CALM = (
    "Russia deployed 500 troops to Latakia on Monday. Sergei Lavrov said Russia wants to prevent the "
    "collapse of the Syrian state. It remains unclear whether the troops will take part in ground combat.\n"
    "Sign up to our World Explained newsletter\n"
)


class Page(HTMLParser):
    """The parts of a page these tests look at: tags with attributes, script and style bodies, text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self.text: list[str] = []
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in self.raw:
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.raw[self._in].append(data)
        else:
            self.text.append(data)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def data(self) -> dict:
        i = [a.get("type") for t, a in self.tags if t == "script"].index("application/json")
        return json.loads(self.raw["script"][i])


def brief(folder: Path, files: dict[str, str], title: str | None = None) -> tuple[Briefing, str]:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    b = generate_briefing([folder], settings=Settings(use_cache=False), client=fake_model(), title=title)
    return b, to_html(b, load_sources([folder]).sources)


@pytest.fixture
def calm(tmp_path: Path) -> tuple[Briefing, str]:
    return brief(tmp_path / "articles", {"a.txt": CALM})


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Briefing, str]:
    return brief(tmp_path / "articles", {"hostile.txt": HOSTILE}, title=HOSTILE_TITLE)


def sha(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_the_csp_allows_exactly_the_pages_own_style_and_script(calm: tuple[Briefing, str]) -> None:
    page = Page(calm[1])
    [meta] = page.all("meta", **{"http-equiv": "Content-Security-Policy"})
    policy = dict(d.strip().split(" ", 1) for d in (meta["content"] or "").split(";"))
    [style] = page.raw["style"]
    [script] = [body for body, a in zip(page.raw["script"], page.all("script")) if "type" not in a]
    assert policy["default-src"] == "'none'"
    assert policy["style-src"] == f"'{sha(style)}'"
    assert policy["script-src"] == f"'{sha(script)}'"
    assert policy["base-uri"] == "'none'" and policy["form-action"] == "'none'"
    assert "unsafe" not in meta["content"]


def test_the_page_loads_nothing_from_anywhere(calm: tuple[Briefing, str]) -> None:
    html = calm[1]
    assert not re.search(r"\b(src|srcset|action)\s*=", html)
    assert not re.search(r"href=\"(?!#|v1/)", html)  # only links within the page
    assert "url(" not in html and "@import" not in html and "<link" not in html


def test_every_citation_is_a_link_to_its_numbered_note(calm: tuple[Briefing, str]) -> None:
    briefing, html = calm
    page = Page(html)
    numbered = outline(briefing).citations
    assert len(numbered) >= 3
    links = page.all("a", **{"class": "cite"})
    refs = [n for s in outline(briefing).sections for line in s.lines for n in line.refs]
    assert [int(a["data-cite"] or 0) for a in links] == refs
    assert all(a["href"] == f"#cite-{a['data-cite']}" for a in links)
    assert {a["id"] for _, a in page.tags if (a.get("id") or "").startswith("cite-")} == {
        f"cite-{n}" for n in range(1, len(numbered) + 1)
    }


def test_the_source_text_travels_with_the_page_and_citations_point_into_it(calm: tuple[Briefing, str]) -> None:
    briefing, html = calm
    data = Page(html).data()
    [source] = data["sources"]
    assert source["text"] == CALM
    start = CALM.index("Sign up")
    assert source["boilerplate"] == [[start, start + len("Sign up to our World Explained newsletter")]]
    for c, cited in zip(data["citations"], outline(briefing).citations):
        assert c["source"] == 0 and c["missing"] == ""
        assert source["text"][c["from"] : c["to"]] == cited.quote == c["quote"]


def test_offsets_are_given_to_the_browser_in_utf16_units() -> None:
    text = "a\U0001f680b said \U0001f680x"
    utf16 = Utf16(text)
    assert [utf16(i) for i in (0, 1, 2, 9, 10, len(text))] == [0, 1, 3, 10, 12, 13]
    units = text.encode("utf-16-le")
    assert units[2 * utf16(3) :].decode("utf-16-le") == text[3:]


def test_a_file_changed_since_the_briefing_is_not_shown_as_its_source(tmp_path: Path) -> None:
    briefing, _ = brief(tmp_path / "articles", {"a.txt": CALM})
    changed = tmp_path / "articles" / "a.txt"
    changed.write_text(CALM.replace("500", "900"), encoding="utf-8")
    assert reread(briefing.sources) == []  # its sha256 no longer matches
    data = Page(to_html(briefing, load_sources([changed]).sources)).data()
    assert data["sources"][0]["text"] is None
    assert data["sources"][0]["missing"] == "The file has changed since the briefing was made."
    assert all(c["source"] == -1 and c["missing"] for c in data["citations"])


def test_reread_keeps_unchanged_files_inside_the_given_folder(tmp_path: Path) -> None:
    briefing, _ = brief(tmp_path / "articles", {"a.txt": CALM, "b.txt": CALM.replace("Monday", "Tuesday")})
    assert [s.path for s in reread(briefing.sources)] == [r.path for r in briefing.sources]
    assert [s.text for s in reread(briefing.sources)][0] == CALM
    assert reread(briefing.sources, within=tmp_path / "elsewhere") == []
    assert len(reread(briefing.sources, within=tmp_path)) == 2


def test_nothing_from_a_hostile_article_or_title_becomes_markup(hostile: tuple[Briefing, str]) -> None:
    briefing, html = hostile
    page = Page(html)
    assert len(page.raw["script"]) == 2  # the data block and the page's own script, nothing else
    assert [t for t, _ in page.tags if t in ("img", "b", "iframe", "object")] == []
    assert not any((a.get("href") or "").startswith("javascript") for a in page.all("a"))
    assert not any(k.startswith("on") for _, a in page.tags for k in a)
    text = "".join(page.text)
    assert HOSTILE_TITLE in text  # shown as the words it is
    assert "<script>window.__pwned = 'body'</script>" in text  # quoted in the citation notes, as text
    assert "<!channel>" in text and "[details](javascript:window.__pwned='md')" in text
    assert "</script><script>" not in page.raw["script"][0]  # the JSON block cannot be closed from inside
    assert Page(html).data()["sources"][0]["text"] == HOSTILE


def test_what_changed_since_the_previous_day_is_shown_with_its_citations(calm: tuple[Briefing, str]) -> None:
    briefing, _ = calm
    since = Changes(previous_date="2024-04-30", new_actors=briefing.actors[:1], still_open=briefing.open_questions)
    daily = briefing.model_copy(update={"changes": since})
    page = Page(to_html(daily, []))
    text = "".join(page.text)
    assert "Since 2024-04-30" in text and "New actors" in text and "Still open" in text
    assert "Questions answered" not in text  # empty parts are left out
    sections = outline(daily).sections
    lines = [line for s in sections for line in (*s.lines, *(x for sub in s.subsections for x in sub.lines))]
    assert any(s.subsections for s in sections)
    assert len(page.all("a", **{"class": "cite"})) == sum(len(line.refs) for line in lines)
