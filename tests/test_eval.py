"""Evaluation: `briefing eval`, the `make eval` harness (eval/run.py) and its report (eval/report.py).

Everything runs on a tiny set, gold and stored briefing the tests write themselves (the real sets live in
../shared, outside the repo). The scores asserted are counted by hand in `GOLD` and `stored_briefing`.
A briefing is generated only by the fake model (`briefing.api.open_model` yields it).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from briefing import api
from briefing.surfaces.cli import main
from briefing.surfaces.evaluate import evaluate_set, find_gold
from eval import report as eval_report
from eval import run as eval_run
from eval.run import parse_references, rouge

from .fakes import fake_model

TEXTS = {
    "01.txt": (
        "Russia sent troops to Latakia on Monday. Sergei Lavrov said Russia wants to prevent the collapse of Syria.\n"
    ),
    "02.txt": (
        "France struck Islamic State targets on Sunday. France said the strikes were self-defence. "
        "Officials said 40 people died. Activists put the toll at 60.\n"
    ),
}

REFERENCE_MD = """# Reference summaries for a test cluster

## Reference A

Russia sent troops to Latakia while France struck Islamic State targets.

## Reference B

France struck Islamic State in Syria; Russia sent troops to Latakia.
"""

# 2 positions, 2 movements, 1 disagreement, 3 key facts.
GOLD = {
    "folder": "tiny",
    "actors": [
        {"name": "Russia", "aliases": ["Moscow"], "kind": "state"},
        {"name": "Sergei Lavrov", "aliases": ["Lavrov"], "kind": "person"},
        {"name": "France", "aliases": ["Paris"], "kind": "state"},
    ],
    "key_facts": [
        {"text": "Russia sent troops.", "quotes": [{"file": "01.txt", "quote": "Russia sent troops to Latakia"}]},
        {"text": "40 died, say officials.", "quotes": [{"file": "02.txt", "quote": "Officials said 40 people died"}]},
        {"text": "France struck IS.", "quotes": [{"file": "02.txt", "quote": "France struck Islamic State targets"}]},
    ],
    "positions": [
        {
            "actor": "Sergei Lavrov",
            "stance": "Russia wants to prevent Syria's collapse.",
            "quotes": [{"file": "01.txt", "quote": "wants to prevent the collapse of Syria"}],
        },
        {
            "actor": "France",
            "stance": "The strikes were self-defence.",
            "quotes": [{"file": "02.txt", "quote": "the strikes were self-defence"}],
        },
    ],
    "movements": [
        {"actor": "Russia", "what": "troops", "quotes": [{"file": "01.txt", "quote": "sent troops to Latakia"}]},
        {"actor": "France", "what": "strikes", "quotes": [{"file": "02.txt", "quote": "struck Islamic State targets"}]},
    ],
    "disagreements": [
        {
            "topic": "Death toll",
            "sides": [
                {"claim": "40", "file": "02.txt", "quote": "Officials said 40 people died"},
                {"claim": "60", "file": "02.txt", "quote": "Activists put the toll at 60"},
            ],
        }
    ],
}


def cite(file: str, quote: str) -> dict[str, Any]:
    """A citation as `briefing run --json` writes it: the path as given and the quote's offsets."""
    start = TEXTS[file].index(quote)
    return {"source": f"sets/tiny/{file}", "start": start, "end": start + len(quote), "quote": quote}


def stored_briefing() -> dict[str, Any]:
    """A briefing as `briefing run --json` writes it, scored by hand against `GOLD`:

    positions: Lavrov's matches; "Russia" cites France's stance (wrong actor); "Activists" cites no gold
    position -> 3 shown, 1 matched (P 0.333), 1 of 2 gold found (R 0.5), 1 wrong actor.
    movements: Russia's matches -> 1 shown, 1 matched (P 1.0), 1 of 2 found (R 0.5).
    combined: 4 shown, 2 matched (P 0.5), 2 of 4 found (R 0.5). Disagreements: 1 of 1 (P 1.0, R 1.0).
    key facts: the troops and the 40 dead are cited, France's strikes are not -> 2/3 (0.667).
    Citations: 1 key point + 3 positions + 1 movement + 2 claims = 7, all exact.
    """
    troops = cite("01.txt", "Russia sent troops to Latakia on Monday.")
    return {
        "title": "tiny",
        "generated_at": "2015-09-28T12:00:00Z",
        "summary": [{"text": "Russia sent troops to Latakia.", "citations": [troops]}],
        "actors": [],
        "positions": [
            {
                "actor": "Lavrov",
                "stance": "s",
                "citations": [cite("01.txt", "Sergei Lavrov said Russia wants to prevent the collapse of Syria.")],
            },
            {
                "actor": "Russia",
                "stance": "s",
                "citations": [cite("02.txt", "France said the strikes were self-defence.")],
            },
            {"actor": "Activists", "stance": "s", "citations": [cite("02.txt", "Activists put the toll at 60.")]},
        ],
        "military_movements": [{"actor": "Russia", "what": "troops", "citations": [troops]}],
        "open_questions": [],
        "discrepancies": [
            {
                "topic": "Death toll",
                "claims": [
                    {"text": "40", "citations": [cite("02.txt", "Officials said 40 people died.")]},
                    {"text": "60", "citations": [cite("02.txt", "Activists put the toll at 60.")]},
                ],
            }
        ],
        "facts": [],
        "sources": [],
        "usage": {
            "model": "stored-model",
            "endpoint": "http://127.0.0.1:9/v1",
            "model_calls": 3,
            "cached_calls": 1,
            "prompt_tokens": 1200,
            "completion_tokens": 300,
            "seconds": 12.34,
        },
        "stats": {"items_proposed": 9, "items_grounded": 7},
    }


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path/sets/tiny (articles and REFERENCE.md), sets/nogold (articles, no gold), gold/tiny.json and
    runs/<set>.json (stored briefings); the working directory is tmp_path."""
    tiny, nogold = tmp_path / "sets" / "tiny", tmp_path / "sets" / "nogold"
    for folder in (tiny, nogold):
        folder.mkdir(parents=True)
        for name, text in TEXTS.items():
            (folder / name).write_text(text, encoding="utf-8")
    (tiny / "REFERENCE.md").write_text(REFERENCE_MD, encoding="utf-8")
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "tiny.json").write_text(json.dumps(GOLD), encoding="utf-8")
    (tmp_path / "runs").mkdir()
    for name in ("tiny", "nogold"):
        (tmp_path / "runs" / f"{name}.json").write_text(json.dumps(stored_briefing()), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def briefing_eval(*args: str) -> Result:
    return CliRunner().invoke(main, ["eval", *args])


def table_row(stdout: str, name: str) -> list[str]:
    row = next(line for line in stdout.splitlines() if line.startswith(name + " "))
    return row.split()


TINY_ROW = ["tiny", "0.333", "0.500", "1.000", "0.500", "0.500", "0.500", "1.000", "1.000", "0.667", "1/0"]


# --------------------------------------------------------------------------- briefing eval


def test_eval_help_explains_gold_lookup_stored_briefings_and_gives_an_example() -> None:
    result = briefing_eval("--help")
    assert result.exit_code == 0
    text = result.stdout
    for flag in ["--gold", "--gold-dir", "--briefing", "--out", "--model", "--base-url", "--quiet"]:
        assert flag in text
    assert "DIR/../../gold/<DIR name>.json" in text
    assert "briefing eval seeds/ --gold ../shared/gold/seeds.json" in text


def test_a_stored_briefing_is_scored_printed_and_written(work: Path) -> None:
    out = work / "out" / "results.json"
    result = briefing_eval("sets/tiny", "--briefing", "runs/tiny.json", "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    header = result.stdout.splitlines()[0].split()
    assert header[:3] == ["set", "pos", "P"] and header[-2:] == ["wrong", "actor"]
    assert table_row(result.stdout, "tiny") == TINY_ROW
    assert (
        "tiny: 3 model calls (1 cached), 1,200 prompt + 300 completion tokens, 12.3 s; "
        "citations verified 7/7 (stored briefing)"
    ) in result.stdout.splitlines()

    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["model"] == "stored-model" and data["endpoint"] == "http://127.0.0.1:9/v1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", data["date"]) and data["errors"] == {}
    tiny = data["sets"]["tiny"]
    assert Path(tiny["gold"]).resolve() == (work / "gold" / "tiny.json").resolve()
    assert tiny["briefing"] == "runs/tiny.json"
    scores = tiny["scores"]
    assert "details" not in scores
    assert scores["positions"] == {
        "shown": 3,
        "matched": 1,
        "precision": 0.333,
        "gold": 2,
        "found": 1,
        "recall": 0.5,
        "wrong_actor": 1,
    }
    assert scores["movements"] == {
        "shown": 1,
        "matched": 1,
        "precision": 1.0,
        "gold": 2,
        "found": 1,
        "recall": 0.5,
        "wrong_actor": 0,
    }
    assert scores["combined"]["precision"] == 0.5 and scores["combined"]["recall"] == 0.5
    assert scores["combined"]["wrong_actor"] == 1
    assert scores["disagreements"]["precision"] == 1.0 and scores["disagreements"]["recall"] == 1.0
    assert scores["key_facts"] == {"gold": 3, "covered": 2, "coverage": 0.667}
    assert scores["gold_quotes_missing"] == 0 and scores["unresolved_citations"] == 0
    assert tiny["citations"] == {"total": 7, "verified": 7, "grounding": 1.0, "failed": []}
    assert tiny["cost"] == {
        "model_calls": 3,
        "cached_calls": 1,
        "prompt_tokens": 1200,
        "completion_tokens": 300,
        "seconds": 12.3,
    }
    assert tiny["counts"]["articles"] == 2 and tiny["counts"]["articles_cited"] == 2
    assert tiny["key_points"] == ["Russia sent troops to Latakia."]


def test_a_dir_without_gold_is_reported_and_the_others_still_scored(work: Path) -> None:
    out = work / "results.json"
    result = briefing_eval(
        "sets/nogold", "sets/tiny", "--briefing", "runs/nogold.json", "--briefing", "runs/tiny.json", "--out", str(out)
    )
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("briefing: error:")]
    assert len(errors) == 1
    looked = work / "sets" / "nogold" / ".." / ".." / "gold" / "nogold.json"
    assert "sets/nogold: no gold file: looked for" in errors[0]
    assert str(looked.resolve()) in errors[0] and "--gold" in errors[0]
    assert "Traceback" not in result.stderr
    assert table_row(result.stdout, "tiny") == TINY_ROW
    assert not any(line.startswith("nogold") for line in result.stdout.splitlines())
    data = json.loads(out.read_text(encoding="utf-8"))
    assert list(data["sets"]) == ["tiny"] and list(data["errors"]) == ["nogold"]


def test_gold_dir_names_where_every_gold_file_is(work: Path) -> None:
    (work / "elsewhere").mkdir()
    (work / "elsewhere" / "nogold.json").write_text(json.dumps(GOLD), encoding="utf-8")
    result = briefing_eval("sets/nogold", "--gold-dir", "elsewhere", "--briefing", "runs/nogold.json", "-q")
    assert result.exit_code == 0, result.stderr
    assert table_row(result.stdout, "nogold")[1:] == TINY_ROW[1:]


def test_a_citation_that_is_not_its_files_words_fails_the_run(work: Path) -> None:
    tampered = stored_briefing()
    tampered["positions"][0]["citations"][0]["quote"] = "Sergei Lavrov said Russia wants peace."
    (work / "runs" / "tiny.json").write_text(json.dumps(tampered), encoding="utf-8")
    result = briefing_eval("sets/tiny", "--gold", "gold/tiny.json", "--briefing", "runs/tiny.json", "--out", "r.json")
    assert result.exit_code == 1
    assert "briefing: error: tiny: 1 of 7 citations do not match" in result.stderr
    assert "citations verified 6/7" in result.stdout
    checked = json.loads((work / "r.json").read_text(encoding="utf-8"))["sets"]["tiny"]["citations"]
    assert checked["verified"] == 6 and checked["grounding"] == round(6 / 7, 4)
    assert checked["failed"][0]["quote"] == "Sergei Lavrov said Russia wants peace."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sets/tiny", "sets/nogold", "--gold", "gold/tiny.json"], "--gold names the gold file of a single DIR"),
        (["sets/tiny", "sets/nogold", "--briefing", "runs/tiny.json"], "--briefing given 1 times for 2 DIRs"),
    ],
)
def test_ambiguous_gold_or_briefings_are_usage_errors(work: Path, args: list[str], message: str) -> None:
    result = briefing_eval(*args)
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.fixture
def fake_endpoint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every briefing is generated by the fake model; the environment names no endpoint."""
    for name in ["OPENAI_API_KEY", "OPENAI_BASE_URL", "BRIEFING_MODEL", "BRIEFING_MAX_TOKENS_BUDGET"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))

    @asynccontextmanager
    async def fake_open_model(settings, **_: object) -> AsyncIterator[Any]:  # noqa: ANN001
        yield fake_model()

    monkeypatch.setattr(api, "open_model", fake_open_model)


def test_without_a_stored_briefing_the_dir_is_briefed_and_scored(work: Path, fake_endpoint: None) -> None:
    result = briefing_eval("sets/tiny", "--out", "r.json", "--quiet")
    assert result.exit_code == 0, result.stderr
    assert table_row(result.stdout, "tiny")[0] == "tiny"
    cost = next(line for line in result.stdout.splitlines() if line.startswith("tiny: "))
    assert re.match(
        r"tiny: [1-9]\d* model calls? \(0 cached\), .* tokens, \d+\.\d s; citations verified (\d+)/\1$", cost
    )
    tiny = json.loads((work / "r.json").read_text(encoding="utf-8"))["sets"]["tiny"]
    assert tiny["briefing"] is None and tiny["cost"]["model_calls"] > 0
    assert tiny["citations"]["total"] > 0 and tiny["citations"]["grounding"] == 1.0
    assert tiny["scores"]["movements"]["shown"] > 0


# --------------------------------------------------------------------------- the library function


def test_evaluate_set_briefs_with_the_given_client_and_reverifies_every_citation(work: Path) -> None:
    tiny = work / "sets" / "tiny"
    result = evaluate_set(tiny, find_gold(tiny), client=fake_model())
    assert result["set"] == "tiny" and result["counts"]["articles"] == 2
    assert result["citations"]["total"] > 0 and result["citations"]["verified"] == result["citations"]["total"]
    assert result["counts"]["articles_cited"] == 2
    assert result["scores"]["movements"]["matched"] >= 1  # the fake model cites "Russia sent troops ..."


# --------------------------------------------------------------------------- eval/run.py (make eval)


def test_reference_sections_are_parsed_by_their_letter():
    refs = parse_references(REFERENCE_MD)
    assert sorted(refs) == ["A", "B"]
    assert refs["A"].startswith("Russia sent troops") and "## " not in refs["B"]


def test_rouge_rewards_overlap_with_the_references():
    refs = {"A": "Bombs killed 52 people on the London transport network on 7 July 2005."}
    close = rouge("Bombs on the London transport network killed 52 people.", refs)
    far = rouge("A climate conference opened in Bali.", refs)
    assert close["rouge1"]["best"] > 0.6 > far["rouge1"]["best"]


def test_the_default_sets_are_the_seeds_and_every_cluster(tmp_path: Path) -> None:
    (tmp_path / "b-cluster").mkdir()
    (tmp_path / "a-cluster").mkdir()
    assert eval_run.default_sets(tmp_path) == [eval_run.SEEDS, tmp_path / "a-cluster", tmp_path / "b-cluster"]
    assert eval_run.SEEDS.name == "seeds" and eval_run.GOLD_DIR.parts[-2:] == ("shared", "gold")


def test_make_eval_scores_stored_briefings_with_gold_rouge_and_cost(work: Path, capsys) -> None:  # noqa: ANN001
    out = work / "eval-results.json"
    status = eval_run.main(["sets/tiny", "sets/nogold", "--gold-dir", "gold", "--briefings", "runs", "--out", str(out)])
    assert status == 1  # nogold has no gold file
    printed = capsys.readouterr()
    assert table_row(printed.out, "tiny") == TINY_ROW
    assert "nogold: no gold file: looked for" in printed.err
    data = json.loads(out.read_text(encoding="utf-8"))
    tiny = data["sets"]["tiny"]
    assert tiny["scores"]["combined"]["precision"] == 0.5
    assert tiny["citations"]["verified"] == tiny["citations"]["total"] == 7
    assert tiny["cost"]["model_calls"] == 3 and tiny["cost"]["seconds"] == 12.3
    assert 0 < tiny["rouge"]["rouge1"]["best"] <= 1
    assert list(data["errors"]) == ["nogold"]


def test_make_eval_reports_a_missing_stored_briefing(work: Path, capsys) -> None:  # noqa: ANN001
    (work / "runs" / "tiny.json").unlink()
    status = eval_run.main(["sets/tiny", "--gold-dir", "gold", "--briefings", "runs", "--out", "r.json"])
    assert status == 1
    assert f"no stored briefing: looked for {Path('runs') / 'tiny.json'}" in capsys.readouterr().err


# --------------------------------------------------------------------------- eval/report.py


def result_entry(pos: tuple[int, int, int, int], rouge1: float | None, calls: int, seconds: float) -> dict[str, Any]:
    """A set's result with positions (shown, matched, gold, found); the other sections fixed."""
    shown, matched, gold, found = pos

    def section(s: int, m: int, g: int, f: int, wrong: int | None = 0) -> dict[str, Any]:
        out = {"shown": s, "matched": m, "precision": round(m / s, 3) if s else None}
        out |= {"gold": g, "found": f, "recall": round(f / g, 3) if g else None}
        return out | ({"wrong_actor": wrong} if wrong is not None else {})

    return {
        "scores": {
            "positions": section(shown, matched, gold, found, wrong=1),
            "movements": section(1, 1, 2, 1),
            "combined": section(shown + 1, matched + 1, gold + 2, found + 1, wrong=1),
            "disagreements": section(0, 0, 1, 0, wrong=None),
            "key_facts": {"gold": 3, "covered": 2, "coverage": 0.667},
        },
        "citations": {"total": 7, "verified": 7, "grounding": 1.0, "failed": []},
        "cost": {
            "model_calls": calls,
            "cached_calls": 0,
            "prompt_tokens": 10,
            "completion_tokens": 5,
            "seconds": seconds,
        },
        "rouge": {"rouge1": {"best": rouge1, "mean": rouge1}} if rouge1 is not None else None,
    }


def results_file(path: Path, sets: dict[str, dict[str, Any]], date: str) -> Path:
    data = {"date": date, "model": "local", "endpoint": "embedded", "endpoint_kind": "local", "sets": sets}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


PNG = b"\x89PNG\r\n\x1a\n"


def test_the_report_writes_the_page_and_one_plot_per_section(tmp_path: Path) -> None:
    results = results_file(
        tmp_path / "results.json",
        {"tiny": result_entry((3, 1, 2, 1), 0.25, 6, 12.0), "seeds": result_entry((2, 2, 4, 2), None, 0, 0.5)},
        "2015-09-28",
    )
    status = eval_report.main(["--results", str(results), "--out-dir", str(tmp_path / "docs"), "--no-baseline"])
    assert status == 0
    page = (tmp_path / "docs" / "quality.md").read_text(encoding="utf-8")
    assert "model `local` at `embedded` (local), run on 2015-09-28" in page
    assert (
        "| `tiny` | 0.333 | 0.500 | 1.000 | 0.500 | 0.500 | 0.500 | 1/0 | – | 0.000 | 0.667 "
        "| 7/7 | 0.250 | 6 | 12.0 |" in page
    )
    assert "| `seeds` | 1.000 | 0.500 |" in page and "| 0 | 0.5 |" in page
    # every set together: positions 3 of 5 shown matched, 3 of 6 gold found; 12 of 14 citations; 6 calls
    assert "| all sets | 0.600 | 0.500 |" in page and "| 14/14 | – | 6 | 12.5 |" in page
    assert "## Before and after" not in page
    assert "## Reproduce" in page and "make eval" in page and "briefing eval seeds/ --gold" in page
    for section in ("positions", "movements", "combined", "disagreements", "key_facts"):
        assert f"](quality/{section}.png)" in page
        assert (tmp_path / "docs" / "quality" / f"{section}.png").read_bytes().startswith(PNG)


def test_with_a_baseline_the_report_shows_before_and_after(tmp_path: Path) -> None:
    before = results_file(tmp_path / "before.json", {"tiny": result_entry((4, 1, 2, 1), 0.2, 8, 20.0)}, "2015-09-01")
    after = results_file(tmp_path / "after.json", {"tiny": result_entry((3, 1, 2, 1), 0.25, 6, 12.0)}, "2015-09-28")
    written = eval_report.write_report(after, before, tmp_path / "out")
    assert [p.name for p in written][:2] == ["quality.md", "positions.png"]
    page = (tmp_path / "out" / "quality.md").read_text(encoding="utf-8")
    assert "## Before and after" in page and "run on 2015-09-01" in page
    assert "| `tiny` | 0.250 → 0.333 | 0.500 | 1.000 |" in page
    assert "| 0.200 → 0.250 | 8 → 6 | 20.0 → 12.0 |" in page
    assert all(p.read_bytes().startswith(PNG) for p in written[1:])
