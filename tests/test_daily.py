"""Daily briefings: which folder is briefed, what is written (atomically), what changed since the previous
day, and that an unchanged day costs no model call (real OpenAIModel + response cache + a loopback server)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from .fakes import OpenAIStub, answer, fake_model

from briefing.model.cache import ResponseCache
from briefing.surfaces.cli import main
from briefing.config import Settings
from briefing.surfaces.daily import arun_daily, compute_changes, parse_date, previous_day
from briefing.errors import ConfigError, NothingToBrief, SourceError
from briefing.model.openai import OpenAIModel
from briefing.models import Actor, Briefing, Citation, MilitaryMovement, OpenQuestion, Position, SourceRecord
from briefing.render import to_html, to_markdown
from briefing.sources import load_sources

DAY1 = {
    "a.txt": "Russia deployed 500 troops to Latakia on Monday. Sergei Lavrov said Russia wants to prevent the "
    "collapse of the Syrian state. It remains unclear whether the troops will take part in ground combat.\n",
    "b.txt": "The United States said Assad must go before any settlement. France conducted air strikes against "
    "Islamic State near Raqqa.\n",
}
DAY2 = {
    "c.txt": "Sergei Lavrov said Russia will back talks on a transition without Assad. Iran sent military advisers "
    "to Aleppo this week. Turkey said it will close its border with Syria.\n",
}
EXTRA = {"d.txt": "Turkey moved tanks to the border near Kilis on Friday.\n"}


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        cache_dir=tmp_path / "cache", use_cache=False, sources_dir=tmp_path / "articles", daily_dir=tmp_path / "out"
    )


# --------------------------------------------------------------------------- folder and files


async def test_daily_briefs_only_the_dated_folder_when_it_exists(settings: Settings) -> None:
    write(settings.sources_dir / "2024-05-01", DAY1)
    write(settings.sources_dir, {"loose.txt": "Turkey said it will close its border with Syria soon.\n"})
    run = await arun_daily(settings, day="2024-05-01", client=fake_model())
    briefed = sorted(Path(s.path).name for s in run.briefing.sources)
    assert briefed == ["a.txt", "b.txt"]
    assert run.folder == settings.sources_dir / "2024-05-01"


async def test_daily_briefs_the_whole_folder_when_there_is_no_dated_folder(settings: Settings) -> None:
    write(settings.sources_dir, DAY1)
    run = await arun_daily(settings, day="2024-05-01", client=fake_model())
    assert sorted(Path(s.path).name for s in run.briefing.sources) == ["a.txt", "b.txt"]
    assert run.folder == settings.sources_dir


async def test_daily_writes_markdown_html_and_json_named_after_the_day(settings: Settings) -> None:
    write(settings.sources_dir / "2024-05-01", DAY1)
    run = await arun_daily(settings, day="2024-05-01", client=fake_model())
    md, js = settings.daily_dir / "2024-05-01.md", settings.daily_dir / "2024-05-01.json"
    html = settings.daily_dir / "2024-05-01.html"
    assert run.outputs == [md, html, js]
    stored = Briefing.model_validate_json(js.read_text(encoding="utf-8"))
    assert stored.date == "2024-05-01"
    assert stored.changes is None  # first day: nothing to compare with
    assert md.read_text(encoding="utf-8") == to_markdown(stored)
    # the page carries the day's articles, so its citations open their words
    texts = load_sources([settings.sources_dir], root=settings.sources_dir).sources
    assert html.read_text(encoding="utf-8") == to_html(stored, texts)
    for c in stored.citations():  # every citation is the exact words of its file, named relative to the folder
        assert not Path(c.source).is_absolute()
        assert (settings.sources_dir / c.source).read_text(encoding="utf-8")[c.start : c.end] == c.quote
    assert str(settings.sources_dir) not in js.read_text(encoding="utf-8") + md.read_text(encoding="utf-8")
    assert sorted(p.name for p in settings.daily_dir.iterdir()) == [
        ".briefing.lock",
        "2024-05-01.html",
        "2024-05-01.json",
        "2024-05-01.md",
    ]


async def test_a_failed_write_leaves_the_previous_files_whole_and_no_temp_file(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(settings.sources_dir / "2024-05-01", DAY1)
    out = write(settings.daily_dir, {"2024-05-01.json": '{"old": true}', "2024-05-01.md": "old"})
    import briefing.surfaces.files

    real_replace = briefing.surfaces.files.os.replace

    def disk_full_on_json(src: str, dst: str) -> None:
        if str(dst).endswith(".json"):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(briefing.surfaces.files.os, "replace", disk_full_on_json)
    with pytest.raises(SourceError, match="cannot write the briefing to .*No space left on device"):
        await arun_daily(settings, day="2024-05-01", client=fake_model())
    assert (out / "2024-05-01.json").read_text() == '{"old": true}'
    assert sorted(p.name for p in out.iterdir()) == [
        ".briefing.lock",
        "2024-05-01.html",
        "2024-05-01.json",
        "2024-05-01.md",
    ]  # no .tmp


async def test_an_empty_day_says_which_folder_had_nothing(settings: Settings) -> None:
    (settings.sources_dir / "2024-05-01").mkdir(parents=True)
    with pytest.raises(
        NothingToBrief, match=r"no article to brief for 2024-05-01 in articles/2024-05-01/: it holds no"
    ):
        await arun_daily(settings, day="2024-05-01", client=fake_model())


async def test_a_missing_articles_folder_names_the_setting_to_fix(settings: Settings) -> None:
    with pytest.raises(SourceError, match="does not exist: check --sources / BRIEFING_SOURCES"):
        await arun_daily(settings, day="2024-05-01", client=fake_model())
    with pytest.raises(ConfigError, match="pass --sources DIR or set BRIEFING_SOURCES"):
        await arun_daily(Settings(use_cache=False), day="2024-05-01", client=fake_model())


@pytest.mark.parametrize("text", ["2024-13-01", "2024-5-1", "../etc/passwd", "2024-05-01/../..", "yesterday"])
def test_only_calendar_dates_are_accepted(text: str) -> None:
    with pytest.raises(ConfigError, match="2024-05-01|not a calendar date"):
        parse_date(text)


def test_the_previous_briefing_is_the_latest_earlier_day(tmp_path: Path) -> None:
    write(tmp_path, {f"{d}.json": "{}" for d in ("2024-04-28", "2024-04-30", "2024-05-02")} | {"notes.json": "{}"})
    assert previous_day(tmp_path, "2024-05-01") == "2024-04-30"
    assert previous_day(tmp_path, "2024-04-28") is None


# --------------------------------------------------------------------------- since the previous day


async def test_the_second_day_says_what_changed_since_the_first(settings: Settings) -> None:
    write(settings.sources_dir / "2024-05-01", DAY1)
    write(settings.sources_dir / "2024-05-02", DAY2)
    await arun_daily(settings, day="2024-05-01", client=fake_model())
    run = await arun_daily(settings, day="2024-05-02", client=fake_model())

    assert run.previous_day == "2024-05-01"
    changes = run.briefing.changes
    assert changes is not None and changes.previous_date == "2024-05-01"
    assert {a.name for a in changes.new_actors} == {"Iran", "Turkey"}  # Russia and Lavrov were known
    assert [p.actor for p in changes.changed_positions] == ["Sergei Lavrov"]  # the speaker, read in code
    assert "transition without Assad" in changes.changed_positions[0].stance
    assert [m.actor for m in changes.new_movements] == ["Iran"]
    assert [q.question for q in changes.answered_questions] == [
        "It remains unclear whether the troops will take part in ground combat?"
    ]
    assert changes.answered_questions[0].citations[0].source.endswith("2024-05-01/a.txt")  # cited where raised
    assert changes.still_open == []

    stored = json.loads((settings.daily_dir / "2024-05-02.json").read_text())
    assert stored["changes"]["previous_date"] == "2024-05-01"
    markdown = (settings.daily_dir / "2024-05-02.md").read_text()
    since = markdown.split("## Since 2024-05-01", 1)[1].split("\n## ", 1)[0]
    assert "**New actors**" in since and "**Iran** (state)[^" in since
    assert "**Questions answered**" in since and "take part in ground combat?[^" in since


def _cite(source: str, start: int, quote: str = "some quoted words here") -> list[Citation]:
    return [Citation(source=source, start=start, end=start + len(quote), quote=quote)]


def _briefing(**items) -> Briefing:
    return Briefing(title="t", generated_at="2024-05-01T00:00:00Z", **items)


def test_actors_match_by_name_alias_or_synonym_whatever_the_case() -> None:
    previous = _briefing(
        actors=[
            Actor(name="Vladimir Putin", kind="person", role="president", aliases=["Putin"], citations=_cite("a", 0)),
            Actor(name="Russia", kind="state", role="", citations=_cite("a", 30)),
        ]
    )
    current = _briefing(
        actors=[
            Actor(name="PUTIN", kind="person", role="", citations=_cite("b", 0)),
            Actor(name="Moscow", kind="state", role="", citations=_cite("b", 30)),
            Actor(name="Recep Erdogan", kind="person", role="", aliases=["Erdogan"], citations=_cite("b", 60)),
        ]
    )
    changes = compute_changes(previous, current, "2024-04-30")
    assert [a.name for a in changes.new_actors] == ["Recep Erdogan"]


def test_a_briefing_compared_with_itself_has_nothing_new_and_every_question_still_open() -> None:
    b = _briefing(
        actors=[Actor(name="Iran", kind="state", role="", citations=_cite("a", 0))],
        positions=[Position(actor="Iran", stance="wants talks", citations=_cite("a", 0))],
        military_movements=[MilitaryMovement(actor="Iran", what="advisers to Aleppo", citations=_cite("a", 40))],
        open_questions=[OpenQuestion(question="Will the talks start?", citations=_cite("a", 80))],
    )
    changes = compute_changes(b, b, "2024-04-30")
    assert (changes.new_actors, changes.changed_positions, changes.new_movements, changes.answered_questions) == (
        [],
        [],
        [],
        [],
    )
    assert changes.still_open == b.open_questions


def test_the_same_file_briefed_again_is_recognised_by_its_content_not_its_path() -> None:
    """The same words (same sha256) under another path are not news; a reworded stance of a known actor is."""
    previous = _briefing(
        actors=[Actor(name="Iran", kind="state", role="", citations=_cite("day1/x.txt", 0))],
        positions=[Position(actor="Iran", stance="supports the ceasefire plan", citations=_cite("day1/x.txt", 0))],
        sources=[SourceRecord(path="day1/x.txt", sha256="abc", status="briefed")],
    )
    current = _briefing(
        actors=[Actor(name="Iran", kind="state", role="", citations=_cite("day2/x.txt", 0))],
        positions=[
            Position(actor="Iran", stance="backs the truce", citations=_cite("day2/x.txt", 0)),  # same words cited
            Position(actor="iran", stance="rejects any foreign troops", citations=_cite("day2/y.txt", 0)),
        ],
        sources=[
            SourceRecord(path="day2/x.txt", sha256="abc", status="briefed"),
            SourceRecord(path="day2/y.txt", sha256="def", status="briefed"),
        ],
    )
    changes = compute_changes(previous, current, "2024-04-30")
    assert [p.stance for p in changes.changed_positions] == ["rejects any foreign troops"]


async def test_an_unreadable_previous_briefing_leaves_out_the_since_section_with_a_warning(
    settings: Settings,
) -> None:
    write(settings.sources_dir / "2024-05-02", DAY2)
    write(settings.daily_dir, {"2024-05-01.json": "{not json"})
    run = await arun_daily(settings, day="2024-05-02", client=fake_model())
    assert run.briefing.changes is None
    assert run.warnings and "2024-05-01.json is not a briefing JSON file" in run.warnings[0]
    assert (settings.daily_dir / "2024-05-02.json").exists()


# --------------------------------------------------------------------------- cost: the response cache


def _client(stub: OpenAIStub, cache: ResponseCache) -> OpenAIModel:
    return OpenAIModel(base_url=stub.url, api_key="test", model="stub", cache=cache, max_attempts=1)


@pytest.mark.model_requests
async def test_an_unchanged_day_makes_no_model_call_and_a_new_article_costs_only_its_own(
    settings: Settings, tmp_path: Path
) -> None:
    day = write(settings.sources_dir / "2024-05-01", DAY1)
    cache = ResponseCache(tmp_path / "responses.sqlite3")
    try:
        with OpenAIStub(default=answer) as stub:
            first = await arun_daily(settings, day="2024-05-01", client=_client(stub, cache))
            assert first.briefing.usage.model_calls == 3  # two articles + the summary
            assert len(stub.requests) == 3

            again = await arun_daily(settings, day="2024-05-01", client=_client(stub, cache))
            stored = json.loads((settings.daily_dir / "2024-05-01.json").read_text())
            assert stored["usage"]["model_calls"] == 0
            assert stored["usage"]["cached_calls"] == 3
            assert len(stub.requests) == 3  # the server saw nothing new
            assert again.briefing.summary == first.briefing.summary

            write(day, EXTRA)
            more = await arun_daily(settings, day="2024-05-01", client=_client(stub, cache))
            live = stub.articles_asked()[3:]
            assert live == ["2024-05-01/d.txt", None]  # the new article, then the summary over all statements
            assert (more.briefing.usage.model_calls, more.briefing.usage.cached_calls) == (2, 2)
    finally:
        cache.close()


@pytest.mark.model_requests
def test_cli_daily_writes_both_files_and_a_rerun_is_free(tmp_path: Path) -> None:
    write(tmp_path / "articles" / "2024-05-01", DAY1)
    runner = CliRunner()
    with OpenAIStub(default=answer) as stub:
        env = {
            "OPENAI_BASE_URL": stub.url,
            "BRIEFING_MODEL": "stub",
            "OPENAI_API_KEY": "test",
            "BRIEFING_CACHE_DIR": str(tmp_path / "cache"),
        }
        args = [
            "daily",
            "--sources",
            str(tmp_path / "articles"),
            "--out-dir",
            str(tmp_path / "out"),
            "--date",
            "2024-05-01",
        ]
        first = runner.invoke(main, args, env=env)
        assert first.exit_code == 0, first.output
        assert "3 model calls (0 cached)" in first.stderr
        second = runner.invoke(main, args, env=env)
        assert second.exit_code == 0, second.output
        assert "0 model calls (3 cached)" in second.stderr
        out = tmp_path / "out"
        assert f"-> {out / '2024-05-01.md'}, {out / '2024-05-01.html'}, {out / '2024-05-01.json'}" in second.stderr
    assert json.loads((tmp_path / "out" / "2024-05-01.json").read_text())["usage"]["model_calls"] == 0


def test_cli_daily_errors_are_one_line_with_the_fix(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "daily",
            "--sources",
            str(tmp_path / "nope"),
            "--out-dir",
            str(tmp_path),
            "--date",
            "2024-05-01",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--model",
            "x",
        ],
    )
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"briefing: error: articles folder {tmp_path / 'nope'} does not exist: check --sources / BRIEFING_SOURCES"
    ]
    bad_date = CliRunner().invoke(
        main, ["daily", "--sources", str(tmp_path), "--out-dir", str(tmp_path), "--date", "05/01/2024"]
    )
    assert bad_date.exit_code == 1 and "the date must look like 2024-05-01" in bad_date.stderr
    assert "Traceback" not in result.output + bad_date.output


def test_without_a_folder_for_the_day_other_days_folders_are_not_briefed(tmp_path):
    from briefing.surfaces.daily import day_inputs

    (tmp_path / "2015-09-27").mkdir()
    (tmp_path / "2015-09-27" / "old.txt").write_text("Yesterday's news.")
    (tmp_path / "loose.txt").write_text("Today's loose article.")
    (tmp_path / "wires").mkdir()
    assert day_inputs(tmp_path, "2015-09-28") == [tmp_path / "loose.txt", tmp_path / "wires"]
    assert day_inputs(tmp_path, "2015-09-27") == [tmp_path / "2015-09-27"]


async def test_a_link_out_of_the_articles_folder_is_not_read_and_is_listed_with_its_reason(
    settings: Settings, tmp_path: Path
) -> None:
    write(settings.sources_dir / "2024-05-01", DAY1)
    (tmp_path / "secret.txt").write_text("Top secret: the launch codes are 0000 and nobody knows it.\n")
    (settings.sources_dir / "2024-05-01" / "escape.txt").symlink_to(tmp_path / "secret.txt")
    model = fake_model()
    run = await arun_daily(settings, day="2024-05-01", client=model)
    assert not any("launch codes" in m[-1]["content"] for m, _ in model.history)
    (record,) = [s for s in run.briefing.sources if s.status == "skipped"]
    assert (record.path, record.reason) == ("2024-05-01/escape.txt", "links outside the articles folder: not read")
