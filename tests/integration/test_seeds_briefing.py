"""The seeds briefing, replayed from HTTP recorded off the real embedded model (`make record`).

Asserts structure and grounding, not prose: all four sections are filled, every citation's quote sits
at its offsets in the seed file, every seed is cited, no boilerplate is cited, and the disagreements
the seeds contain (troop numbers, death toll) are surfaced.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import vcr

from briefing import Settings, generate_briefing
from briefing.render import to_markdown
from briefing.sources import load_sources
from tests.conftest import CASSETTES, RECORD_BASE_URL, ROOT, configure_vcr, vcr_config_dict

SEEDS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def seeds_briefing(request: pytest.FixtureRequest):
    """One briefing of seeds/ for every test here: generated once, through the cassette."""
    mode = request.config.getoption("--record-mode") or "none"
    if mode == "rewrite":  # pytest-recording's mode: start the cassette afresh, record everything
        (CASSETTES / "seeds_briefing.yaml").unlink(missing_ok=True)
        mode = "all"
    recorder = vcr.VCR(cassette_library_dir=str(CASSETTES), record_mode=mode, **vcr_config_dict())
    configure_vcr(recorder)
    mp = pytest.MonkeyPatch()
    mp.chdir(ROOT)  # sources are named as given ("seeds/..."): the same at recording and replay
    # The same requests the embedded model gets in production: schema-constrained JSON, one call at a time.
    settings = Settings(
        base_url=RECORD_BASE_URL, model="local", api_key="test-key", use_cache=False, concurrency=1, schema_hint=True
    )
    try:
        with recorder.use_cassette("seeds_briefing.yaml") as cassette:
            briefing = generate_briefing(["seeds"], settings=settings)
        if mode == "none":
            assert cassette.all_played, "seeds_briefing.yaml has unplayed interactions: re-record (make record)"
    finally:
        mp.undo()
    return briefing


def test_all_four_sections_and_the_key_points_are_filled(seeds_briefing):
    b = seeds_briefing
    assert b.actors and b.positions and b.military_movements and b.open_questions
    assert 3 <= len(b.summary) <= 6


def test_every_citation_quote_sits_at_its_offsets_in_the_seed_file(seeds_briefing):
    texts = {p: (ROOT / p).read_text(encoding="utf-8") for p in SEEDS}
    citations = seeds_briefing.citations()
    assert citations
    for c in citations:
        assert c.source in texts, c.source
        assert texts[c.source][c.start : c.end] == c.quote


def test_every_seed_is_cited(seeds_briefing):
    cited = {c.source for c in seeds_briefing.citations()}
    assert cited == set(SEEDS)


def test_no_boilerplate_is_cited_or_rendered(seeds_briefing):
    loaded = {s.path: s for s in load_sources([ROOT / "seeds"]).sources}
    spans = {Path(p).name: s.boilerplate for p, s in loaded.items()}
    for c in seeds_briefing.citations():
        for span in spans[Path(c.source).name]:
            assert c.end <= span.start or c.start >= span.end, f"{c.quote!r} overlaps boilerplate"
    markdown = to_markdown(seeds_briefing)
    for phrase in [
        "Sign up to our World Explained newsletter",
        "Post a Comment",
        "Join our commenting forum",
        "Please refresh the page",
        "Only a member of this blog",
    ]:
        assert phrase not in markdown


def test_the_death_toll_disagreement_is_surfaced_with_each_side_from_its_own_source(seeds_briefing):
    by_topic = {d.topic: d for d in seeds_briefing.discrepancies}
    lives = by_topic["Sources give different figures for lives"]
    assert len({claim.citations[0].source for claim in lives.claims}) == 2
    for d in seeds_briefing.discrepancies:  # every side cited; sides in one article come from two speakers
        assert all(claim.citations for claim in d.claims)
        sources = {c.source for claim in d.claims for c in claim.citations}
        assert len(sources) >= 2 or len({claim.statement.split(":")[0] for claim in d.claims}) >= 2


def test_positions_are_the_sources_own_sentences_with_their_speaker(seeds_briefing):
    assert seeds_briefing.positions
    for p in seeds_briefing.positions:
        assert p.stance == p.citations[0].quote
        assert p.status in {"reported", "claimed", "denied", "planned", "hypothetical"}
    lavrov = [p for p in seeds_briefing.positions if "Lavrov" in p.actor]
    assert any("airlifting weapons" in p.stance for p in lavrov)


def test_aliases_are_merged_into_one_actor(seeds_briefing):
    names = [a.name.casefold() for a in seeds_briefing.actors]
    assert len(names) == len(set(names))
    putins = [a for a in seeds_briefing.actors if "putin" in a.name.casefold()]
    assert len(putins) == 1


def test_usage_counts_the_recorded_calls(seeds_briefing):
    u = seeds_briefing.usage
    assert u.model_calls >= 6 and u.cached_calls == 0
    assert u.prompt_tokens > 1000 and u.completion_tokens > 100
    assert seeds_briefing.stats.items_grounded > 0
