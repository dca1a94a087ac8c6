"""Evaluation harness (`make eval`): briefings of the MultiLing 2011 clusters in ../shared/eval, scored.

For each cluster (10 WikiNews articles + 3 human reference summaries, CC BY; see each SOURCE.md):
* grounding: items kept / proposed, and every citation re-verified against its file (must be 100 %);
* coverage: how many of the cluster's articles the briefing cites;
* ROUGE-1/2/L F1 (rouge-score, stemmed) of the key points against each reference summary: best and mean.
  Key points are 3-6 sentences and the references ~250 words, so absolute ROUGE is low by design: compare
  runs with each other (prompts, models, endpoints), not with the summarisation literature;
* cost: model calls, tokens, seconds.

The endpoint is whatever the environment configures (the embedded model by default).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

from briefing import Briefing, Settings, generate_briefing
from briefing.grounding import verify

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT.parent / "shared" / "eval"
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


def score(briefing: Briefing, articles: list[Path], references: dict[str, str]) -> dict:
    texts = {str(p): p.read_text(encoding="utf-8") for p in articles}
    citations = briefing.citations()
    verified = sum(1 for c in citations if c.source in texts and verify(c, texts[c.source]))
    cited = {c.source for c in citations}
    st, u = briefing.stats, briefing.usage
    return {
        "articles": len(articles),
        "articles_cited": len(cited & set(texts)),
        "citations": len(citations),
        "citations_verified": verified,
        "items_proposed": st.items_proposed,
        "items_kept": st.items_grounded,
        "key_points": len(briefing.summary),
        "actors": len(briefing.actors),
        "positions": len(briefing.positions),
        "movements": len(briefing.military_movements),
        "open_questions": len(briefing.open_questions),
        "discrepancies": len(briefing.discrepancies),
        "rouge": rouge(" ".join(p.text for p in briefing.summary), references) if briefing.summary else None,
        "model_calls": u.model_calls,
        "cached_calls": u.cached_calls,
        "prompt_tokens": u.prompt_tokens,
        "completion_tokens": u.completion_tokens,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("clusters", nargs="*", help="cluster folders (default: every one in --eval-dir)")
    parser.add_argument("--eval-dir", type=Path, default=EVAL_DIR, help="folder of clusters [../shared/eval]")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "results.json")
    args = parser.parse_args()
    if not args.clusters and not args.eval_dir.is_dir():
        parser.error(f"no clusters given and {args.eval_dir} does not exist (pass --eval-dir or cluster folders)")
    folders = [Path(c) for c in args.clusters] or sorted(p for p in args.eval_dir.iterdir() if p.is_dir())
    settings = Settings.from_env()
    results = {}
    for folder in folders:
        articles = sorted(folder.glob("*.txt"))
        references = parse_references((folder / "REFERENCE.md").read_text(encoding="utf-8"))
        started = time.perf_counter()
        briefing = generate_briefing(articles, settings=settings, title=folder.name)
        result = score(briefing, articles, references)
        result["seconds"] = round(time.perf_counter() - started, 1)
        results[folder.name] = result
        print(folder.name, json.dumps(result), file=sys.stderr)
    args.out.write_text(json.dumps({"endpoint": settings.endpoint_kind, "clusters": results}, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
