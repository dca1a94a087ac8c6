"""The evaluation harness scores what it should: references parsed, citations re-verified, ROUGE computed."""

from __future__ import annotations

from pathlib import Path

from briefing import generate_briefing
from eval.run import EVAL_DIR, parse_references, rouge, score
from tests.fakes import fake_model

CLUSTER = EVAL_DIR / "multiling2011-M001-london-bombings-2005"


def test_reference_sections_are_parsed_by_their_letter():
    refs = parse_references("# Title\n\nintro\n\n## Reference A\n\nFirst one.\n\n## Reference B\nSecond.\n")
    assert refs == {"A": "First one.", "B": "Second."}
    real = parse_references((CLUSTER / "REFERENCE.md").read_text(encoding="utf-8"))
    assert sorted(real) == ["A", "B", "C"] and all(len(t.split()) > 100 for t in real.values())


def test_rouge_rewards_overlap_with_the_references():
    refs = {"A": "Bombs killed 52 people on the London transport network on 7 July 2005."}
    close = rouge("Bombs on the London transport network killed 52 people.", refs)
    far = rouge("A climate conference opened in Bali.", refs)
    assert close["rouge1"]["best"] > 0.6 > far["rouge1"]["best"]


def test_a_cluster_briefing_is_scored_with_every_citation_reverified(monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    articles = sorted(CLUSTER.glob("*.txt"))
    briefing = generate_briefing(articles, client=fake_model())
    refs = parse_references((CLUSTER / "REFERENCE.md").read_text(encoding="utf-8"))
    result = score(briefing, articles, refs)
    assert result["articles"] == 10
    assert result["citations"] > 0 and result["citations_verified"] == result["citations"]
    assert result["model_calls"] == briefing.usage.model_calls > 0
