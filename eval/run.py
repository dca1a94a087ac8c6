"""Evaluation harness (`make eval`): briefings of seeds/ and the MultiLing 2011 clusters, scored.

Sets: `seeds/` and every cluster in ../shared/eval (10 WikiNews articles + 3 human reference summaries each,
CC BY; see each SOURCE.md), or the folders given. For each set (`briefing.surfaces.evaluate.evaluate_set`):
* gold: precision and recall of positions, movements and disagreements, wrong-actor counts and key facts
  covered, against the analyst annotations ../shared/gold/<set>.json (rules in that folder's README);
* grounding: every citation re-verified against its file (must be 100 %); items kept / proposed;
  articles cited;
* ROUGE-1/2/L F1 (rouge-score, stemmed) of the key points against each reference summary, best and mean,
  for sets with a REFERENCE.md. Key points are 3-6 sentences and the references ~250 words, so absolute
  ROUGE is low by design: compare runs with each other (prompts, models, endpoints), not with the
  summarisation literature;
* cost: model calls, cached calls, tokens, seconds.

Writes eval/results.json and prints the gold table and one cost line per set. The endpoint is whatever the
environment configures (the embedded model by default). `--briefings DIR` scores stored briefing JSONs
`DIR/<set>.json` instead (no model). `python -m eval.report` then writes docs/quality.md from the results.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path

from briefing import Settings
from briefing.errors import BriefingError
from briefing.model import ModelClient
from briefing.scoring import format_table
from briefing.surfaces.evaluate import SetError, cost_line, evaluate_set, find_gold, results_document

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT.parent / "shared" / "eval"
GOLD_DIR = ROOT.parent / "shared" / "gold"
SEEDS = ROOT / "seeds"
_REFERENCE = re.compile(r"^## Reference (\w+)\s*$", re.MULTILINE)


def parse_references(markdown: str) -> dict[str, str]:
    """{'A': text, 'B': text, ...} from a REFERENCE.md with '## Reference X' sections."""
    parts = _REFERENCE.split(markdown)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2) if parts[i + 1].strip()}


def rouge(summary: str, references: dict[str, str]) -> dict[str, dict[str, float]]:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    scores = {name: scorer.score(ref, summary) for name, ref in references.items()}
    out = {}
    for metric in ("rouge1", "rouge2", "rougeL"):
        values = [s[metric].fmeasure for s in scores.values()]
        out[metric] = {"best": round(max(values), 4), "mean": round(statistics.mean(values), 4)}
    return out


def rouge_of(folder: Path, key_points: list[str]) -> dict[str, dict[str, float]] | None:
    """ROUGE of the key points against the folder's REFERENCE.md; None without references or key points."""
    reference_file = folder / "REFERENCE.md"
    if not key_points or not reference_file.is_file():
        return None
    references = parse_references(reference_file.read_text(encoding="utf-8"))
    return rouge(" ".join(key_points), references) if references else None


def default_sets(eval_dir: Path) -> list[Path]:
    """seeds/ and every cluster folder in `eval_dir`."""
    clusters = sorted(p for p in eval_dir.iterdir() if p.is_dir()) if eval_dir.is_dir() else []
    return [SEEDS, *clusters]


def evaluate(
    folders: list[Path],
    *,
    gold_dir: Path = GOLD_DIR,
    briefings: Path | None = None,
    settings: Settings | None = None,
    client: ModelClient | None = None,
) -> tuple[dict[str, dict], dict[str, str]]:
    """Every set scored: (results by set name, errors by set name). A set without gold, articles or a stored
    briefing, or whose briefing fails, is an error and the others still run."""
    results: dict[str, dict] = {}
    errors: dict[str, str] = {}
    for folder in folders:
        name = folder.resolve().name
        try:
            gold = find_gold(folder, gold_dir=gold_dir)
            stored = briefings / f"{name}.json" if briefings is not None else None
            if stored is not None and not stored.is_file():
                raise SetError(f"{folder}: no stored briefing: looked for {stored}")
            print(f"eval: {'scoring' if stored else 'briefing'} {name}", file=sys.stderr, flush=True)
            result = evaluate_set(folder, gold, briefing_path=stored, settings=settings, client=client)
        except SetError as exc:
            errors[name] = str(exc)
            print(f"eval: error: {exc}", file=sys.stderr)
            continue
        except BriefingError as exc:  # a model or input failure costs this set, not the ones already scored
            errors[name] = f"{folder}: {exc}"
            print(f"eval: error: {errors[name]}", file=sys.stderr)
            continue
        result["rouge"] = rouge_of(folder, result["key_points"])
        results[name] = result
        print(f"eval: {cost_line(result)}", file=sys.stderr, flush=True)
        checked = result["citations"]
        if checked["verified"] != checked["total"]:
            errors[name] = f"{checked['total'] - checked['verified']} of {checked['total']} citations do not verify"
            print(f"eval: error: {name}: {errors[name]}", file=sys.stderr)
    return results, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sets", nargs="*", type=Path, help="article folders (default: seeds/ and every cluster)")
    parser.add_argument("--eval-dir", type=Path, default=EVAL_DIR, help="folder of clusters [../shared/eval]")
    parser.add_argument("--gold-dir", type=Path, default=GOLD_DIR, help="gold files <set>.json [../shared/gold]")
    parser.add_argument(
        "--briefings", type=Path, metavar="DIR", help="score the stored briefings DIR/<set>.json (no model)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "results.json")
    args = parser.parse_args(argv)
    folders = args.sets or default_sets(args.eval_dir)
    if args.briefings is not None and not args.briefings.is_dir():
        parser.error(f"--briefings {args.briefings} is not a folder")
    try:
        settings = None if args.briefings is not None else Settings.from_env()
        results, errors = evaluate(folders, gold_dir=args.gold_dir, briefings=args.briefings, settings=settings)
    except BriefingError as exc:
        print(f"eval: error: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results_document(results, errors, settings), indent=2) + "\n", encoding="utf-8")
    if results:
        print(format_table({name: r["scores"] for name, r in results.items()}))
        for result in results.values():
            print(cost_line(result))
    print(f"eval: results -> {args.out}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
