"""Where sources disagree, found in code: different figures for one counted thing, and claim against denial.

* `numeric_discrepancies`: every figure in the chunked (non-boilerplate) text counts something, the noun
  after it ("500 troops", "more than 240,000 lives", "about 190 countries"). Sources disagree when they
  give different figures for the same counted noun in sentences otherwise about the same thing
  (`SAME_CONTEXT` of their other words). No list of units: any counted noun.
* `polarity_conflicts`: two positions or movements from different sources or speakers, about the same
  thing (`SAME_TOPIC` shared content stems), where one says of it what the other says is not so.
* `conflict` says whether two statements conflict at all; the model's own "disagreements" are kept only
  when it is true (no disagreement whose sides agree).

Each side cites its own source's sentence, with who says it when a speaker is known.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from .faithful import polarity_conflict, quantities, same_actor
from .models import Attributed, Citation, Claim, Discrepancy, Source, file_name
from .text import SIMILAR, content_stems, sentence_around, similarity

SAME_CONTEXT = 0.25
"""Share of content stems two figures' surroundings must share for them to count the same thing."""
SAME_TOPIC = 4
"""Content stems two statements must share to be about the same thing."""

_QUALIFIER = r"(?:more than|over|nearly|almost|about|some|at least|around|approximately|roughly|up to|at most)"
_FIGURE = re.compile(
    rf"(?<![\w$£€.,:])(?P<qual>{_QUALIFIER}\s+)?(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?|thousands|hundreds|"
    rf"dozens|tens of thousands|hundreds of thousands|millions)(?:\s+(?P<mult>million|billion|thousand))?(?:\s+of)?"
    rf"(?P<gap>(?:\s+[A-Za-z][\w-]*){{0,2}}?)\s+(?P<noun>(?-i:[a-z][a-z-]{{2,}}))\b",
    re.IGNORECASE,
)
# "the death toll passed 121,000", "the number of dead rose to 150,000": the figure counts the subject.
_TOLL = re.compile(
    rf"\b(?P<noun>toll|number|total|figure|count|tally)\b(?:\s+of\s+[a-z]+)?[^.;]{{0,40}}?\b"
    rf"(?:is|was|passed|reached|rose to|climbed to|stood at|stands at|topped|exceeded|of|at|to|nearing|near)\s+"
    rf"(?P<qual>{_QUALIFIER}\s+)?(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)(?:\s+(?P<mult>million|billion|thousand))?",
    re.IGNORECASE,
)
_NOT_COUNTED = {
    "percent",
    "per",
    "cent",
    "years",
    "year",
    "days",
    "day",
    "hours",
    "hour",
    "minutes",
    "am",
    "pm",
    "a.m",
    "p.m",
    "bst",
    "gmt",
    "times",
    "miles",
    "kilometres",
    "kilometers",
    "km",
    "metres",
    "meters",
    "feet",
    "degrees",
    "points",
    "of",
    "and",
    "to",
    "in",
    "on",
    "at",
    "the",
    "a",
    "an",
    "or",
    "from",
}


@dataclass(frozen=True)
class _Figure:
    source: str
    value: str  # the number as compared: qualifiers and commas left out
    text: str  # the figure as written
    noun: str  # what it counts, singular
    citation: Citation
    context: str  # the sentence without the figure


def _singular(noun: str) -> str:
    noun = noun.casefold()
    if noun.endswith("ies") and len(noun) > 4:
        noun = noun[:-3] + "y"
    elif noun.endswith("s") and not noun.endswith("ss") and len(noun) > 3:
        noun = noun[:-1]
    return noun


def _figures(source: Source, spans: list[tuple[int, int]]) -> list[_Figure]:
    out: list[_Figure] = []
    text = source.text
    for lo, hi in spans:
        for m in [*_FIGURE.finditer(text, lo, hi), *_TOLL.finditer(text, lo, hi)]:
            noun = _singular(m.group("noun"))
            number = m.group("num").casefold()
            if noun in _NOT_COUNTED or _singular(noun) in _NOT_COUNTED:
                continue
            if re.fullmatch(r"(?:19|20)\d\d", number):  # a year
                continue
            a, b = sentence_around(text, m.start(), m.end(), lo, hi)
            value = next(iter(quantities(m.group(0))), number)  # "2 million" and "2,000,000" are one figure
            out.append(
                _Figure(
                    source=source.path,
                    value=value,
                    text=" ".join(m.group(0).split()),
                    noun=noun,
                    citation=Citation(source=source.path, start=a, end=b, quote=text[a:b]),
                    context=_near(text, m.start(), m.end(), a, b) + (" " + noun if m.re is _TOLL else ""),
                )
            )
    return out


CONTEXT_WORDS = 6
"""Words either side of a figure that say what it is about (a whole sentence often says more)."""


def _near(text: str, start: int, end: int, lo: int, hi: int) -> str:
    before = text[lo:start].split()[-CONTEXT_WORDS:]
    after = text[end:hi].split()[:CONTEXT_WORDS]
    return " ".join(before + after)


def numeric_discrepancies(sources: list[Source], spans: dict[str, list[tuple[int, int]]]) -> list[Discrepancy]:
    """Different figures for the same counted thing in different sources (see the module docstring)."""
    by_noun: dict[str, list[_Figure]] = defaultdict(list)
    given: dict[tuple[str, str], set[str]] = defaultdict(set)  # (source, noun) -> values it gives
    for source in sources:
        for f in _figures(source, spans.get(source.path, [])):
            by_noun[f.noun].append(f)
            given[(f.source, f.noun)].add(f.value)
    out: list[Discrepancy] = []
    for noun, figures in by_noun.items():
        best: tuple[float, _Figure, _Figure] | None = None
        for i, x in enumerate(figures):
            for y in figures[i + 1 :]:
                if x.source == y.source or x.value == y.value:
                    continue
                if x.value in given[(y.source, noun)] or y.value in given[(x.source, noun)]:
                    continue  # each source gives both figures: two different quantities, not a disagreement
                score = _overlap(x.context, y.context)
                # Two articles that each count this thing once are counting the same thing.
                alone = (
                    noun not in _GENERIC_COUNTS
                    and len(given[(x.source, noun)]) == 1
                    and len(given[(y.source, noun)]) == 1
                )
                if (score >= SAME_CONTEXT or alone) and (best is None or score > best[0]):
                    best = (score, x, y)
        if best is None:
            continue
        _, x, y = best
        claims = [Claim(statement=f"{f.text} ({file_name(f.source)})", citations=[f.citation]) for f in (x, y)]
        what = f"the {noun}" if noun in {"toll", "number", "total", "figure", "count", "tally"} else _plural(noun)
        out.append(Discrepancy(topic=f"Sources give different figures for {what}", claims=claims))
    return out


def _overlap(a: str, b: str) -> float:
    """Shared content stems over the smaller set ('Syria' meets 'Syrian', 'claimed' meets 'claim')."""
    sa, sb = content_stems(a), content_stems(b)
    return len(sa & sb) / min(len(sa), len(sb)) if sa and sb else 0.0


# Counted nouns used for many different things in one story (the dead, the injured, the homeless are all
# "people"): two figures for them must share their surroundings to be compared.
_GENERIC_COUNTS = {"people", "person", "dead", "time", "thing", "way", "case"}


def _plural(noun: str) -> str:
    if noun in {"people", "dead", "personnel"}:
        return "the dead" if noun == "dead" else noun
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun if noun.endswith("s") else noun + "s"


def conflict(a: str, b: str) -> bool:
    """Whether two statements about one thing conflict: different figures for the same counted noun, or
    one says is not so what the other says is."""
    if polarity_conflict(a, b):
        return True
    figures_a = {(_singular(m.group("noun")), v) for m in _FIGURE.finditer(a) for v in quantities(m.group(0))}
    figures_b = {(_singular(m.group("noun")), v) for m in _FIGURE.finditer(b) for v in quantities(m.group(0))}
    nouns = {n for n, _ in figures_a} & {n for n, _ in figures_b}
    return any({v for n, v in figures_a if n == noun} != {v for n, v in figures_b if n == noun} for noun in nouns)


def polarity_conflicts(items: list[tuple[str, Attributed]]) -> list[Discrepancy]:
    """Pairs of (label, item) from different sources or speakers, about the same thing, one denying or
    negating what the other states."""
    out: list[Discrepancy] = []
    seen: set[frozenset[str]] = set()
    stems = [content_stems(item.citations[0].quote) for _, item in items]
    for i, (label_a, a) in enumerate(items):
        text_a = a.citations[0].quote
        for k, (label_b, b) in enumerate(items[i + 1 :], start=i + 1):
            text_b = b.citations[0].quote
            if same_actor(label_a, label_b):
                continue  # one actor ('Yvo' and 'Yvo de Boer of the UNFCCC') does not disagree with itself
            if a.citations[0].source == b.citations[0].source and label_a == label_b:
                continue
            if len(stems[i] & stems[k]) < SAME_TOPIC or not polarity_conflict(text_a, text_b):
                continue
            key = frozenset({text_a, text_b})
            if key in seen:
                continue
            seen.add(key)
            claims = [
                Claim(statement=f"{label_a}: {text_a}", citations=a.citations[:1]),
                Claim(statement=f"{label_b}: {text_b}", citations=b.citations[:1]),
            ]
            out.append(Discrepancy(topic=f"{label_a} and {label_b} say opposite things", claims=claims))
    return out


_TOPIC_FIELD = Discrepancy.model_fields["topic"].description or ""  # the schema's own words for a topic


def placeholder_topic(topic: str) -> bool:
    """A topic that names nothing: empty, or the schema's description echoed ('what they disagree about')."""
    return len(content_stems(topic)) == 0 or similarity(topic, _TOPIC_FIELD) >= SIMILAR


def topic_from(statements: list[str], most: int = 6) -> str:
    """A topic made from the sides' own words: the content words the first side shares with the others."""
    if not statements:
        return "Sources disagree"
    others = set().union(*(content_stems(s) for s in statements[1:])) if len(statements) > 1 else set()
    shared: list[str] = []
    for word in re.findall(r"[\w'’-]+", statements[0]):
        stem = content_stems(word)
        if stem and stem <= others and word.casefold() not in {w.casefold() for w in shared}:
            shared.append(word)
    return f"Sources differ on: {' '.join(shared[:most])}" if shared else "Sources disagree"
