"""The article sets the benchmarks brief: `seeds/`, the shared clusters, and any number of varied copies.

`article_sets()` gives the real sets (the seeds, and each MultiLing cluster in `../shared/eval`).
`varied(bases, count)` makes `count` articles from them for the scale runs: article n is base n mod
len(bases) with its body paragraphs in an order drawn for n (the first, the headline, stays first) and a
last line naming n, so no two articles have the same text (the same text twice would be briefed once) and
none is answered from a response cache filled by another. Stdlib only: the unit tests import it.
"""

from __future__ import annotations

import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED_EVAL = ROOT.parent / "shared" / "eval"

Article = tuple[str, str]  # (name, text)


def read_set(folder: Path) -> list[Article]:
    """The `.txt` articles of one folder, by name (REFERENCE.md and SOURCE.md are not articles)."""
    return [(f"{folder.name}/{p.name}", p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))]


def article_sets(shared: Path = SHARED_EVAL) -> dict[str, list[Article]]:
    """{"seeds": [...], "<cluster>": [...]}: the seeds, then every shared cluster there is."""
    sets = {"seeds": read_set(SEEDS)}
    if shared.is_dir():
        for folder in sorted(p for p in shared.iterdir() if p.is_dir()):
            if articles := read_set(folder):
                sets[folder.name.removeprefix("multiling2011-")] = articles
    return sets


def varied(bases: list[Article], count: int) -> list[Article]:
    """`count` articles made from `bases`, every text different (module docstring)."""
    out: list[Article] = []
    for n in range(count):
        name, text = bases[n % len(bases)]
        paragraphs = [p for p in text.strip().split("\n\n") if p.strip()]
        head, body = paragraphs[:1], paragraphs[1:]
        if n >= len(bases):  # the first copy of each base is the article as written
            random.Random(n).shuffle(body)
        stem = name.rsplit("/", 1)[-1].removesuffix(".txt")
        out.append((f"a{n:04d}-{stem}.txt", "\n\n".join([*head, *body, f"Filed as dispatch {n}."]) + "\n"))
    return out
