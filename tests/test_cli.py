"""`briefing run`: help that explains, outputs written where asked, and errors as one line without a
traceback. Only the model endpoint is replaced (`briefing.api.open_model` yields a FakeModel); flags,
settings, loading, the pipeline and rendering are the real ones."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from briefing import api
from briefing.surfaces.cli import main
from briefing.grounding import verify
from briefing.model.fake import FakeModel
from briefing.models import Briefing

from .fakes import fake_model

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def use_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[FakeModel], FakeModel]:
    """Every run gets the given FakeModel instead of a real endpoint; the environment names none."""
    for name in [
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "BRIEFING_MODEL",
        "BRIEFING_MAX_TOKENS_BUDGET",
        "BRIEFING_CONCURRENCY",
    ]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(ROOT)

    def install(model: FakeModel) -> FakeModel:
        @asynccontextmanager
        async def fake_open_model(settings, **_: object) -> AsyncIterator[FakeModel]:  # noqa: ANN001
            yield model

        monkeypatch.setattr(api, "open_model", fake_open_model)
        return model

    install(fake_model())
    return install


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["run", *args])


def assert_one_error_line(result: Result, prefix: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(prefix), lines[0]
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout


def test_run_help_explains_the_paths_the_outputs_and_an_example() -> None:
    result = run("--help")
    assert result.exit_code == 0
    text = result.stdout
    assert "Brief the articles in PATHS" in text
    for flag in ["-o, --output", "--json", "--html", "--title", "--model", "--base-url", "--max-tokens-budget"]:
        assert flag in text
    assert "briefing run seeds/ -o briefings/seeds.md --json briefings/seeds.json --html briefings/seeds.html" in text
    assert "briefing run seeds/ -o briefing.html" in text


def test_run_without_paths_is_a_usage_error() -> None:
    result = run()
    assert result.exit_code == 2
    assert "nothing to brief: give files, folders or URLs, or --feed URL" in result.stderr


def test_a_missing_path_alone_exits_1_with_one_error_line(use_model, tmp_path: Path) -> None:
    model = use_model(fake_model())
    result = run(str(tmp_path / "nowhere.txt"))
    assert result.exit_code == 1
    assert_one_error_line(result, "briefing: error:")
    assert "nowhere.txt: no such file or folder" in result.stderr
    assert result.stdout == ""
    assert model.history == []


def test_a_model_error_exits_1_with_one_error_line(use_model) -> None:
    from briefing.errors import ModelError

    use_model(FakeModel(default=lambda messages, response_model: ModelError("cannot reach the model at fake://")))
    result = run("seeds", "--quiet")
    assert result.exit_code == 1
    assert_one_error_line(result, "briefing: error: no chunk could be summarized")


def test_an_unexpected_exception_exits_2_without_a_traceback(use_model) -> None:
    use_model(FakeModel(default=lambda messages, response_model: RuntimeError("a bug in the pipeline")))
    result = run("seeds", "--quiet")
    assert result.exit_code == 2
    assert_one_error_line(result, "briefing: internal error: RuntimeError: a bug in the pipeline")
    assert "--debug" in result.stderr


def test_debug_shows_the_unexpected_exception(use_model) -> None:
    use_model(FakeModel(default=lambda messages, response_model: RuntimeError("a bug in the pipeline")))
    result = CliRunner().invoke(main, ["--debug", "run", "seeds", "--quiet"])
    assert isinstance(result.exception, RuntimeError)


def test_output_and_json_flags_write_the_markdown_and_the_json(use_model, tmp_path: Path) -> None:
    md_path, json_path = tmp_path / "out" / "seeds.md", tmp_path / "out" / "seeds.json"
    result = run("seeds", "-o", str(md_path), "--json", str(json_path), "--title", "Russia and Assad")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # the briefing went to the file
    markdown = md_path.read_text(encoding="utf-8")
    assert markdown.startswith("# Russia and Assad\n")
    assert "## Citations" in markdown and "`seeds/003_3911f8b014cdd88f.txt`" in markdown
    briefing = Briefing.model_validate_json(json_path.read_text(encoding="utf-8"))
    assert briefing.title == "Russia and Assad"
    for c in briefing.citations():
        assert verify(c, (ROOT / c.source).read_bytes().decode("utf-8"))
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("briefing: 5 sources") and last.endswith(f"-> {md_path}, {json_path}")
    assert not list(md_path.parent.glob(".*.tmp"))  # written atomically, nothing left behind


def test_an_html_output_name_or_the_html_flag_writes_the_page_with_the_seed_texts(use_model, tmp_path: Path) -> None:
    page, also = tmp_path / "briefing.html", tmp_path / "also.html"
    result = run("seeds", "-o", str(page), "--html", str(also), "--quiet")
    assert result.exit_code == 0, result.stderr
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and html == also.read_text(encoding="utf-8")
    assert "## Key points" not in html and '<a class="cite" href="#cite-1"' in html
    data = html.split('<script type="application/json" id="briefing-data">', 1)[1].split("</script>", 1)[0]
    texts = [s["text"] for s in json.loads(data)["sources"]]
    assert texts == [(ROOT / "seeds" / name).read_text(encoding="utf-8") for name in sorted(os.listdir(ROOT / "seeds"))]


def test_without_output_the_markdown_goes_to_stdout_and_quiet_silences_stderr(use_model) -> None:
    result = run("seeds/001_d44de0f6189a92f5.txt", "--quiet")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# Briefing:")
    assert "## Key points" in result.stdout
    assert result.stderr == ""


def test_skipped_files_are_reported_on_stderr_and_the_rest_briefed(use_model, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    result = run("seeds/001_d44de0f6189a92f5.txt", str(tmp_path / "empty.txt"))
    assert result.exit_code == 0, result.stderr
    assert f"briefing: skipped {tmp_path / 'empty.txt'}: empty file" in result.stderr
    assert "**skipped** — empty file" in result.stdout


def test_without_a_terminal_each_finished_step_is_a_line_on_stderr(use_model) -> None:
    result = run("seeds/001_d44de0f6189a92f5.txt", "seeds/002_086a85729c64052e.txt")
    assert result.exit_code == 0, result.stderr
    assert "briefing: summarizing chunks 1/2" in result.stderr
    assert "briefing: summarizing chunks 2/2" in result.stderr
    assert "briefing: merging 1/1" in result.stderr
