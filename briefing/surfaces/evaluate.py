"""Evaluation: brief (or load) one article set, score it against its analyst gold, re-verify every citation.

The orchestration behind `briefing eval` and `make eval` (`eval/run.py`); printing stays with them.
`find_gold` says which gold file belongs to a folder of articles; `evaluate_set` briefs the folder's .txt
files with the service function (or reads a stored briefing JSON instead, with no model), scores the briefing
with `briefing.scoring.score_briefing`, re-verifies every citation against its file with
`briefing.grounding.verify`, and returns one JSON-ready dict. `results_document` wraps several of those
for a results file; `cost_line` is one line of cost and grounding per set.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..api import generate_briefing
from ..config import Settings
from ..errors import SourceError
from ..grounding import verify
from ..model import ModelClient
from ..models import Citation
from ..scoring import score_briefing
from ..sources import load_sources

__all__ = [
    "SetError",
    "articles_in",
    "cost_line",
    "evaluate_set",
    "find_gold",
    "results_document",
    "verify_citations",
]


class SetError(SourceError):
    """One article set cannot be evaluated (no gold file, no articles, an unreadable stored briefing); the
    other sets still can."""


def set_name(folder: Path) -> str:
    """The set's name: its folder's name (`seeds/` -> "seeds")."""
    return folder.resolve().name


def find_gold(folder: Path, *, gold: Path | None = None, gold_dir: Path | None = None) -> Path:
    """The gold file for `folder`: `gold` when given; else `gold_dir/<name>.json`; else
    `<folder>/../../gold/<name>.json` (the layout of ../shared: eval/<cluster>/ beside gold/<cluster>.json).
    Raises `SetError` naming the file it looked for."""
    name = set_name(folder)
    if gold is not None:
        candidate = gold
    elif gold_dir is not None:
        candidate = gold_dir / f"{name}.json"
    else:
        candidate = folder.resolve().parent.parent / "gold" / f"{name}.json"
    if not candidate.is_file():
        raise SetError(f"{folder}: no gold file: looked for {candidate}")
    return candidate


def articles_in(folder: Path) -> list[Path]:
    """The .txt articles directly in `folder`, sorted (REFERENCE.md, SOURCE.md and subfolders are not
    articles). Raises `SetError` when there are none."""
    if not folder.is_dir():
        raise SetError(f"{folder}: not a folder of .txt articles")
    articles = sorted(p for p in folder.glob("*.txt") if p.is_file())
    if not articles:
        raise SetError(f"{folder}: no .txt articles in it")
    return articles


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SetError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise SetError(f"{what} {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise SetError(f"{what} {path} is not a JSON object")
    return data


def _basename(path: str) -> str:
    return re.split(r"[\\/]", path)[-1]


def _citations(node: Any) -> Iterator[Any]:
    """Every entry of every `citations` list anywhere in a briefing dict, in document order."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "citations" and isinstance(value, list):
                yield from value
            else:
                yield from _citations(value)
    elif isinstance(node, list):
        for value in node:
            yield from _citations(value)


def verify_citations(briefing: dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    """Re-verify every citation of a briefing dict against its file (`texts`: bare file name -> decoded text).

    Returns `total`, `verified`, `grounding` (verified / total, 1.0 when there is no citation) and `failed`:
    the citations that are not their file's exact words at their offsets (or name a file not in `texts`).
    """
    total, verified, failed = 0, 0, []
    for raw in _citations(briefing):
        total += 1
        try:
            citation = Citation.model_validate(raw)
        except ValidationError:
            failed.append(raw)
            continue
        text = texts.get(_basename(citation.source))
        if text is not None and verify(citation, text):
            verified += 1
        else:
            failed.append(raw)
    return {
        "total": total,
        "verified": verified,
        "grounding": round(verified / total, 4) if total else 1.0,
        "failed": failed,
    }


def _counts(briefing: dict[str, Any], texts: dict[str, str]) -> dict[str, int]:
    cited = {_basename(str(c.get("source") or "")) for c in _citations(briefing) if isinstance(c, dict)}
    stats = briefing.get("stats") or {}

    def n(key: str) -> int:
        return len(briefing.get(key) or [])

    return {
        "articles": len(texts),
        "articles_cited": len(cited & set(texts)),
        "items_proposed": int(stats.get("items_proposed") or 0),
        "items_kept": int(stats.get("items_grounded") or 0),
        "key_points": n("summary"),
        "actors": n("actors"),
        "positions": n("positions"),
        "movements": n("military_movements"),
        "open_questions": n("open_questions"),
        "discrepancies": n("discrepancies"),
    }


def _cost(briefing: dict[str, Any]) -> dict[str, Any]:
    usage = briefing.get("usage") or {}
    return {
        "model_calls": int(usage.get("model_calls") or 0),
        "cached_calls": int(usage.get("cached_calls") or 0),
        "prompt_tokens": int(usage.get("prompt_tokens") or 0),
        "completion_tokens": int(usage.get("completion_tokens") or 0),
        "seconds": round(float(usage.get("seconds") or 0.0), 1),
    }


def evaluate_set(
    folder: Path,
    gold_path: Path,
    *,
    briefing_path: Path | None = None,
    settings: Settings | None = None,
    client: ModelClient | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    on_status: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Brief the .txt articles in `folder` (or read the stored briefing JSON `briefing_path`, with no model),
    score it against the gold file `gold_path`, and re-verify every citation.

    Returns a JSON-ready dict: `set`, `folder`, `gold`, `briefing` (the stored file, or None when generated),
    `model`, `endpoint`, `generated_at`, `scores` (`score_briefing`'s result without its `details`),
    `citations` (`verify_citations`), `cost` (model calls, cached calls, prompt and completion tokens,
    seconds: of the stored run for a stored briefing), `counts` (articles, articles cited, items proposed and
    kept, items per section) and `key_points` (their texts). Raises `SetError` for a set that cannot be
    evaluated, and the service function's errors (`ModelError`, `BudgetExceeded`...) when briefing fails.
    """
    articles = articles_in(folder)
    gold = _read_json(gold_path, "gold file")
    if briefing_path is not None:
        briefing = _read_json(briefing_path, "briefing")
    else:
        generated = generate_briefing(
            articles,
            settings=settings,
            client=client,
            title=set_name(folder),
            progress=progress,
            on_status=on_status,
        )
        briefing = generated.model_dump(mode="json")
    texts = {Path(s.path).name: s.text for s in load_sources(articles).sources}
    scores = score_briefing(briefing, gold, texts)
    scores.pop("details", None)
    usage = briefing.get("usage") or {}
    return {
        "set": set_name(folder),
        "folder": str(folder),
        "gold": str(gold_path),
        "briefing": str(briefing_path) if briefing_path is not None else None,
        "model": str(usage.get("model") or ""),
        "endpoint": str(usage.get("endpoint") or ""),
        "generated_at": briefing.get("generated_at"),
        "scores": scores,
        "citations": verify_citations(briefing, texts),
        "cost": _cost(briefing),
        "counts": _counts(briefing, texts),
        "key_points": [str(p.get("text") or "") for p in briefing.get("summary") or [] if isinstance(p, dict)],
    }


def cost_line(result: dict[str, Any]) -> str:
    """One line per set: its cost and how many of its citations were re-verified."""
    c, v = result["cost"], result["citations"]
    calls = c["model_calls"]
    return (
        f"{result['set']}: {calls} model call{'s' if calls != 1 else ''} ({c['cached_calls']} cached), "
        f"{c['prompt_tokens']:,} prompt + {c['completion_tokens']:,} completion tokens, {c['seconds']:.1f} s; "
        f"citations verified {v['verified']}/{v['total']}" + (" (stored briefing)" if result.get("briefing") else "")
    )


def _one_of(values: list[str]) -> str:
    distinct = sorted({v for v in values if v})
    return ", ".join(distinct)


def results_document(
    results: dict[str, dict[str, Any]], errors: dict[str, str], settings: Settings | None = None
) -> dict[str, Any]:
    """A results file: when, with which model and endpoint (as the briefings record them), every set's
    result by name, and the sets that could not be evaluated with the reason."""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "model": _one_of([r.get("model", "") for r in results.values()]),
        "endpoint": _one_of([r.get("endpoint", "") for r in results.values()]),
        "endpoint_kind": settings.endpoint_kind if settings is not None else None,
        "sets": results,
        "errors": errors,
    }
