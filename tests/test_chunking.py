"""Chunking: token-bounded slices with exact offsets, never inside boilerplate, never mid-word, nothing lost."""

from __future__ import annotations

import random
import re
import string
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from briefing.chunking import chunk_source, chunk_sources, count_tokens
from briefing.errors import ConfigError
from briefing.models import Chunk, Source
from briefing.sources import load_sources, source_from_text

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

# Where a sentence or paragraph ends, by the chunker's own definition: after . ! ? (plus closing quotes
# or brackets) followed by whitespace, at a line break, or at the end of the text.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s|$)")


@pytest.fixture(scope="module")
def seeds() -> list[Source]:
    return load_sources([SEEDS]).sources


def make_source(text: str, path: str = "made-up.txt") -> Source:
    source = source_from_text(path, text)
    assert isinstance(source, Source), source
    return source


def mid_word(text: str, pos: int) -> bool:
    """A cut at `pos` splits a word: the characters on both sides are alphanumeric."""
    return 0 < pos < len(text) and text[pos - 1].isalnum() and text[pos].isalnum()


def assert_offsets_and_limits(source: Source, chunks: list[Chunk], max_tokens: int, *, recount: bool = True) -> None:
    assert [c.index for c in chunks] == list(range(len(chunks)))
    for c in chunks:
        assert c.source == source.path
        assert 0 <= c.start < c.end <= len(source.text)
        assert source.text[c.start : c.end] == c.text
        assert c.text == c.text.strip(), "leading/trailing whitespace is trimmed by moving the offsets"
        assert c.tokens <= max_tokens
        if recount:
            assert c.tokens == count_tokens(c.text)


def assert_no_boilerplate_inside(source: Source, chunks: list[Chunk]) -> None:
    for c in chunks:
        for s in source.boilerplate:
            assert c.end <= s.start or c.start >= s.end, f"chunk {c.index} overlaps boilerplate {s}"


def assert_in_order_without_overlap(chunks: list[Chunk]) -> None:
    for prev, nxt in zip(chunks, chunks[1:]):
        assert prev.end <= nxt.start


def assert_nothing_lost(source: Source, chunks: list[Chunk]) -> None:
    """Every non-whitespace character outside boilerplate lies in some chunk."""
    covered = sorted([(c.start, c.end) for c in chunks] + [(s.start, s.end) for s in source.boilerplate])
    pos = 0
    for a, b in covered:
        gap = source.text[pos:a] if a > pos else ""
        assert not gap.strip(), f"lost text at {pos}: {gap[:80]!r}"
        pos = max(pos, b)
    assert not source.text[pos:].strip(), f"lost text at {pos}: {source.text[pos : pos + 80]!r}"


def assert_whole_words(text: str, chunks: list[Chunk]) -> None:
    for c in chunks:
        assert not mid_word(text, c.start), f"chunk {c.index} starts mid-word: {text[c.start - 10 : c.start + 10]!r}"
        assert not mid_word(text, c.end), f"chunk {c.index} ends mid-word: {text[c.end - 10 : c.end + 10]!r}"
        # stronger, by design: cuts are only made after whitespace
        assert c.start == 0 or text[c.start - 1].isspace()
        assert c.end == len(text) or text[c.end].isspace()


# --------------------------------------------------------------------------- the seeds


@pytest.mark.parametrize("max_tokens", [60, 150, 900])
def test_seed_chunks_index_the_text_stay_within_limits_skip_boilerplate_and_lose_nothing(seeds, max_tokens):
    assert len(seeds) == 5
    for source in seeds:
        chunks = chunk_source(source, max_tokens=max_tokens)
        assert chunks
        assert_offsets_and_limits(source, chunks, max_tokens)
        assert_no_boilerplate_inside(source, chunks)
        assert_in_order_without_overlap(chunks)
        assert_nothing_lost(source, chunks)
        assert_whole_words(source.text, chunks)


def test_seed_boilerplate_text_is_in_no_chunk(seeds):
    by_name = {Path(s.path).name: s for s in seeds}
    chunks = chunk_source(by_name["004_5bf7cc0548cda972.txt"], max_tokens=900)
    joined = "\n".join(c.text for c in chunks)
    assert "Moscow could join the US-led coalition" in joined
    for widget in ("Join our commenting forum", "Getty Images", "Please refresh the page", "Thank you for registering"):
        assert widget not in joined


def test_a_short_seed_with_a_large_limit_fits_each_content_region_in_one_chunk(seeds):
    by_name = {Path(s.path).name: s for s in seeds}
    source = by_name["000_07824456253107d3.txt"]  # no boilerplate, ~450 tokens
    (chunk,) = chunk_source(source, max_tokens=900)
    assert chunk.text == source.text.strip()


def test_small_max_tokens_gives_several_chunks_ending_at_sentence_or_paragraph_ends_where_possible(seeds):
    max_tokens = 60
    for source in seeds:
        text = source.text
        chunks = chunk_source(source, max_tokens=max_tokens)
        assert len(chunks) >= 5, source.path
        boundaries = {m.end() for m in _SENTENCE_END.finditer(text)}
        boundaries |= {i for i, ch in enumerate(text) if ch in "\r\n"} | {len(text)}
        at_boundary = 0
        for c in chunks:
            if c.end in boundaries:
                at_boundary += 1
                continue
            # Not at a sentence end: only allowed when the sentence being cut is itself over the limit.
            before = max((b for b in boundaries if b < c.end), default=0)
            after = min(b for b in boundaries if b > c.end)
            sentence = text[before:after].strip()
            assert count_tokens(sentence) > max_tokens, f"{source.path}: chunk {c.index} ends mid-sentence"
        assert at_boundary >= len(chunks) // 2


def test_chunk_sources_concatenates_every_source_in_order(seeds):
    chunks = chunk_sources(seeds, max_tokens=200)
    assert [c.source for c in chunks] == sorted(c.source for c in chunks)
    assert {c.source for c in chunks} == {s.path for s in seeds}
    assert chunks == [c for s in seeds for c in chunk_source(s, max_tokens=200)]


# --------------------------------------------------------------------------- awkward inputs


def test_a_one_line_file_is_one_chunk_without_its_line_break():
    source = make_source("Russia sends jets to Syria.\n")
    (chunk,) = chunk_source(source, max_tokens=50)
    assert (chunk.start, chunk.end, chunk.text) == (0, 27, "Russia sends jets to Syria.")


def test_leading_whitespace_is_skipped_by_moving_the_start_offset():
    source = make_source("\n\n   Indented first line.\n\nSecond paragraph.  \n")
    (chunk,) = chunk_source(source, max_tokens=50)
    assert chunk.start == 5 and source.text[chunk.start : chunk.end] == chunk.text
    assert chunk.text == "Indented first line.\n\nSecond paragraph."


def test_words_without_sentence_breaks_are_cut_between_words():
    rng = random.Random(7)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(1, 10))) for _ in range(5000)]
    source = make_source(" ".join(words))
    chunks = chunk_source(source, max_tokens=100)
    assert len(chunks) > 20
    assert_offsets_and_limits(source, chunks, 100)
    assert_in_order_without_overlap(chunks)
    assert_nothing_lost(source, chunks)
    assert_whole_words(source.text, chunks)
    # the words come back in order, whole
    assert " ".join(c.text for c in chunks).split() == words


def test_a_single_20000_character_word_is_the_only_thing_cut_mid_word():
    rng = random.Random(3)
    word = "".join(rng.choices(string.ascii_letters + string.digits, k=20_000))
    text = f"An opening sentence here.\n\n{word}\n\nA closing sentence there."
    source = make_source(text)
    chunks = chunk_source(source, max_tokens=200)
    assert_offsets_and_limits(source, chunks, 200)
    assert_in_order_without_overlap(chunks)
    assert_nothing_lost(source, chunks)
    assert chunks[0].text.startswith("An opening sentence here.")
    assert chunks[-1].text.endswith("A closing sentence there.")
    word_start = text.index(word)
    word_end = word_start + len(word)
    inside = [c for c in chunks if c.start < word_end and c.end > word_start]
    assert len(inside) >= 20_000 // (200 * 8) + 1  # it cannot fit in one chunk, or a few
    assert "".join(source.text[max(c.start, word_start) : min(c.end, word_end)] for c in inside) == word
    # mid-word cuts happen only inside the long word
    for c in chunks:
        for pos in (c.start, c.end):
            if mid_word(text, pos):
                assert word_start < pos < word_end


def _five_megabytes(rng: random.Random) -> str:
    vocabulary = (SEEDS / "003_3911f8b014cdd88f.txt").read_text(encoding="utf-8").split()
    paragraphs, size, i = [], 0, 0
    while size < 5_000_000:
        sentences = [
            " ".join(rng.choices(vocabulary, k=rng.randint(5, 30))).rstrip(".") + "." for _ in range(rng.randint(1, 6))
        ]
        paragraph = f"Update {i}: " + " ".join(sentences)
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
        i += 1
    return "\n\n".join(paragraphs)


def _check_big(source: Source, chunks: list[Chunk], max_tokens: int, rng: random.Random) -> None:
    text = source.text
    assert len(chunks) > len(text) // (max_tokens * 8)
    assert_offsets_and_limits(source, chunks, max_tokens, recount=False)  # tokens computed on creation
    for c in rng.sample(chunks, 40):
        assert c.tokens == count_tokens(c.text)
    assert_in_order_without_overlap(chunks)
    assert_nothing_lost(source, chunks)
    assert_whole_words(text, chunks)


def test_a_5mb_article_finishes_and_keeps_the_invariants():
    rng = random.Random(11)
    text = _five_megabytes(rng)
    source = Source(path="big.txt", text=text, sha256="0" * 64, encoding="utf-8")
    began = time.monotonic()
    chunks = chunk_source(source, max_tokens=900)
    elapsed = time.monotonic() - began
    assert elapsed < 20, f"5 MB took {elapsed:.1f}s"
    _check_big(source, chunks, 900, rng)


def test_a_5mb_single_line_without_breaks_finishes_and_keeps_the_invariants():
    # One huge line of words (text pasted without line breaks): every piece is a word; must stay linear.
    rng = random.Random(12)
    seed = (SEEDS / "001_d44de0f6189a92f5.txt").read_text(encoding="utf-8")
    vocabulary = [w for w in (re.sub(r"[^\w'’-]", "", w) for w in seed.split()) if w]
    words: list[str] = []
    size = 0
    while size < 5_000_000:
        batch = rng.choices(vocabulary, k=10_000)
        words.extend(batch)
        size += sum(len(w) + 1 for w in batch)
    text = " ".join(words)
    assert not re.search(r"[.!?\n]", text)  # no paragraph or sentence break anywhere
    source = Source(path="line.txt", text=text, sha256="0" * 64, encoding="utf-8")
    began = time.monotonic()
    chunks = chunk_source(source, max_tokens=900)
    elapsed = time.monotonic() - began
    assert elapsed < 20, f"5 MB on one line took {elapsed:.1f}s"
    _check_big(source, chunks, 900, rng)


# --------------------------------------------------------------------------- overlap


def test_overlap_makes_consecutive_chunks_share_whole_sentences_within_the_limits():
    sentences = [f"Sentence number {i} says little." for i in range(60)]
    source = make_source(" ".join(sentences))
    max_tokens, overlap = 50, 15
    chunks = chunk_source(source, max_tokens=max_tokens, overlap=overlap)
    assert len(chunks) > 5
    assert_offsets_and_limits(source, chunks, max_tokens)
    assert_nothing_lost(source, chunks)
    assert_whole_words(source.text, chunks)
    for prev, nxt in zip(chunks, chunks[1:]):
        assert prev.start < nxt.start < prev.end < nxt.end, "consecutive chunks share text and move forward"
        shared = source.text[nxt.start : prev.end]
        assert shared.startswith("Sentence number") and shared.endswith("says little.")
        assert count_tokens(shared) <= overlap


def test_overlap_on_the_seeds_still_respects_limits_and_boilerplate(seeds):
    for source in seeds:
        chunks = chunk_source(source, max_tokens=80, overlap=30)
        plain = chunk_source(source, max_tokens=80)
        assert len(chunks) >= len(plain)
        assert_offsets_and_limits(source, chunks, 80)
        assert_no_boilerplate_inside(source, chunks)
        assert_nothing_lost(source, chunks)
        assert_whole_words(source.text, chunks)
        for prev, nxt in zip(chunks, chunks[1:]):
            assert prev.start < nxt.start and prev.end < nxt.end, "every chunk brings new text"
    shared = sum(
        1
        for source in seeds
        for a, b in zip(*(lambda cs: (cs, cs[1:]))(chunk_source(source, max_tokens=80, overlap=30)))
        if b.start < a.end
    )
    assert shared > 0


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(("max_tokens", "overlap"), [(0, 0), (-5, 0), (10, 10), (10, 11), (10, -1)])
def test_invalid_chunk_configuration_raises_config_error(max_tokens, overlap):
    source = make_source("Some text.")
    with pytest.raises(ConfigError):
        chunk_source(source, max_tokens=max_tokens, overlap=overlap)


# --------------------------------------------------------------------------- properties

_LETTERS = string.ascii_letters + string.digits + "éèüöçñßÅØ" + "中文字日本語한국어" + "ΑΒΓαβγ" + "ДЖЯдж"
_WORD = st.text(alphabet=_LETTERS, min_size=1, max_size=8)
_BEFORE = st.sampled_from(["", "", "", "“", "‘", '"', "(", "'"])
_AFTER = st.sampled_from(["", "", "", "", ".", ",", "!", "?", ";", ":", "”", "’", ".”", "?’", ")", "…", "—", "-"])
_SEP = st.sampled_from([" ", " ", " ", " ", "  ", "\n", "\n\n", "\t", " \n", "\r\n", "\n \n", "\u00a0"])
_TOKEN = st.tuples(_BEFORE, _WORD, _AFTER).map("".join)
_TEXT = st.tuples(
    st.sampled_from(["", " ", "\n"]),
    st.lists(st.tuples(_TOKEN, _SEP).map("".join), min_size=40, max_size=400),
).map(lambda t: t[0] + "".join(t[1]))
# Weighted towards small limits so that most examples give several chunks.
_MAX_TOKENS = st.one_of(st.integers(20, 40), st.integers(20, 200))


def _longest_run_tokens(text: str) -> int:
    return max((count_tokens(run) for run in text.split()), default=0)


_PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROPERTY
@given(text=_TEXT, max_tokens=_MAX_TOKENS)
def test_property_chunks_index_the_text_stay_within_limits_and_never_cut_words(text, max_tokens):
    # Only a whitespace-free run longer than the limit may be cut inside; keep those out (with margin
    # for the whitespace that travels with a piece).
    assume(_longest_run_tokens(text) + 3 <= max_tokens)
    source = source_from_text("prop.txt", text)
    assume(isinstance(source, Source))
    chunks = chunk_source(source, max_tokens=max_tokens)
    assert_offsets_and_limits(source, chunks, max_tokens)
    assert_no_boilerplate_inside(source, chunks)
    assert_in_order_without_overlap(chunks)
    assert_nothing_lost(source, chunks)
    assert_whole_words(source.text, chunks)


@_PROPERTY
@given(text=_TEXT, max_tokens=_MAX_TOKENS, overlap_share=st.floats(0.0, 0.9))
def test_property_overlap_keeps_offsets_limits_order_and_coverage(text, max_tokens, overlap_share):
    assume(_longest_run_tokens(text) + 3 <= max_tokens)
    overlap = int(max_tokens * overlap_share)
    source = source_from_text("prop.txt", text)
    assume(isinstance(source, Source))
    chunks = chunk_source(source, max_tokens=max_tokens, overlap=overlap)
    assert_offsets_and_limits(source, chunks, max_tokens)
    assert_no_boilerplate_inside(source, chunks)
    assert_nothing_lost(source, chunks)
    assert_whole_words(source.text, chunks)
    for prev, nxt in zip(chunks, chunks[1:]):
        assert prev.start < nxt.start and prev.end < nxt.end


@_PROPERTY
@given(
    word=st.text(alphabet=_LETTERS + "-_/.:", min_size=200, max_size=3000),
    max_tokens=st.integers(20, 120),
)
def test_property_an_overlong_word_is_cut_into_pieces_within_the_limit_that_rebuild_it(word, max_tokens):
    source = make_source(f"Before it. {word} After it.")
    chunks = chunk_source(source, max_tokens=max_tokens)
    assert_offsets_and_limits(source, chunks, max_tokens)
    assert_in_order_without_overlap(chunks)
    assert_nothing_lost(source, chunks)
