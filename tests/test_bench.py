"""What the benchmarks rely on that can break: the varied articles of the scale runs (`bench.corpus`)."""

from __future__ import annotations

from bench.corpus import article_sets, varied

BASES = [
    ("s/a.txt", "Headline A\n\nFirst paragraph of A.\n\nSecond paragraph of A.\n\nThird paragraph of A.\n"),
    ("s/b.txt", "Headline B\n\nOnly paragraph of B.\n"),
]


def test_varied_articles_never_repeat_a_text_nor_a_name() -> None:
    articles = varied(BASES, 500)

    assert len({text for _, text in articles}) == 500  # the one-paragraph base too: no two the same
    assert len({name for name, _ in articles}) == 500


def test_a_varied_article_is_its_base_reordered_with_the_headline_first() -> None:
    articles = varied(BASES, 9)

    for n, (_, text) in enumerate(articles):
        base = BASES[n % 2][1].strip().split("\n\n")
        paragraphs = text.strip().split("\n\n")
        assert paragraphs[0] == base[0]
        assert sorted(paragraphs[1:-1]) == sorted(base[1:])
        assert paragraphs[-1] == f"Filed as dispatch {n}."
    assert articles[0][1].strip().split("\n\n")[:-1] == BASES[0][1].strip().split("\n\n")  # first copy: as written
    assert any(a[1].split("\n\n")[1:4] != BASES[0][1].split("\n\n")[1:4] for a in articles[2::2])  # later: shuffled


def test_the_seeds_are_a_set_and_only_txt_files_are_read() -> None:
    sets = article_sets()

    assert len(sets["seeds"]) == 5
    assert all(name.endswith(".txt") for articles in sets.values() for name, _ in articles)
