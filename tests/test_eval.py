"""The evaluation harness scores what it should: references parsed, citations re-verified, ROUGE computed.

Built on a small cluster the test writes itself (the real ones live in ../shared/eval, outside the repo).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing import generate_briefing
from eval.run import parse_references, rouge, score
from tests.fakes import fake_model

REFERENCE_MD = """# Reference summaries for a test cluster

## Reference A

Russia deployed 500 troops to Latakia while France conducted air strikes against Islamic State.

## Reference B

France struck Islamic State in Syria; Russia sent troops and aircraft to Latakia.
"""


@pytest.fixture
def cluster(tmp_path: Path) -> Path:
    folder = tmp_path / "cluster"
    folder.mkdir()
    (folder / "01.txt").write_text(
        "Russia deployed 500 troops to Latakia on Monday. Sergei Lavrov said "
        "Russia wants to prevent the collapse of the Syrian state.\n"
    )
    (folder / "02.txt").write_text(
        "France conducted air strikes against Islamic State in Syria on Sunday. "
        "It is unclear how long the strikes will last.\n"
    )
    (folder / "03.txt").write_text(
        "The United States sent envoys to Iran. Russia sent fighter aircraft to Latakia, officials said.\n"
    )
    (folder / "REFERENCE.md").write_text(REFERENCE_MD)
    return folder


def test_reference_sections_are_parsed_by_their_letter():
    refs = parse_references(REFERENCE_MD)
    assert sorted(refs) == ["A", "B"]
    assert refs["A"].startswith("Russia deployed 500 troops") and "## " not in refs["B"]


def test_rouge_rewards_overlap_with_the_references():
    refs = {"A": "Bombs killed 52 people on the London transport network on 7 July 2005."}
    close = rouge("Bombs on the London transport network killed 52 people.", refs)
    far = rouge("A climate conference opened in Bali.", refs)
    assert close["rouge1"]["best"] > 0.6 > far["rouge1"]["best"]


def test_a_cluster_briefing_is_scored_with_every_citation_reverified(cluster: Path):
    articles = sorted(cluster.glob("*.txt"))
    briefing = generate_briefing(articles, client=fake_model())
    result = score(briefing, articles, parse_references((cluster / "REFERENCE.md").read_text()))
    assert result["articles"] == 3
    assert result["citations"] > 0 and result["citations_verified"] == result["citations"]
    assert result["articles_cited"] >= 2
    assert result["model_calls"] == briefing.usage.model_calls > 0
    assert result["rouge"]["rouge1"]["best"] > 0
