"""Where sources disagree, found in code: different figures for the same counted thing.

`numeric_discrepancies` scans the chunked (non-boilerplate) sentences of every source; each side
cites the exact figure's sentence. Disagreements the model points out between statements are checked
in `summarize`.
"""

from __future__ import annotations

import re
from collections import defaultdict

from .models import Citation, Claim, Discrepancy, Source, file_name
from .text import sentence_around

_NUMBER = re.compile(
    r"(?P<num>(?:more than |over |nearly |almost |about |some |at least )?"
    r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?: (?:million|thousand))?|thousands|hundreds|dozens)"
    r"(?P<gap>(?: [\w-]+){0,2}?) (?P<unit>troops|soldiers|servicemen|personnel|lives|dead|deaths|"
    r"fighter jets|fighter aircraft|aircraft|jets|planes|warplanes|tanks|helicopters|refugees)\b",
    re.IGNORECASE,
)
UNITS = {
    "troops": "troop numbers",
    "soldiers": "troop numbers",
    "servicemen": "troop numbers",
    "personnel": "troop numbers",
    "lives": "the death toll",
    "dead": "the death toll",
    "deaths": "the death toll",
    "fighter jets": "aircraft numbers",
    "fighter aircraft": "aircraft numbers",
    "aircraft": "aircraft numbers",
    "jets": "aircraft numbers",
    "planes": "aircraft numbers",
    "warplanes": "aircraft numbers",
    "tanks": "tank numbers",
    "helicopters": "helicopter numbers",
    "refugees": "refugee numbers",
}
_GAP_OK = re.compile(
    r"^(?: (?:russian|syrian|us|american|british|french|iranian|more|additional|new|extra|"
    r"combat|ground|military|of))*$",
    re.IGNORECASE,
)


def numeric_discrepancies(sources: list[Source], spans: dict[str, list[tuple[int, int]]]) -> list[Discrepancy]:
    """Different figures for the same kind of thing (troops, death toll, aircraft) in different sources.

    Scans the sentences of the chunked (non-boilerplate) text; each claim cites the exact figure and its
    context. Only topics where at least two sources give *different* figures are reported.
    """
    found: dict[str, dict[str, tuple[str, Citation]]] = defaultdict(dict)
    for source in sources:
        for lo, hi in spans.get(source.path, []):
            for m in _NUMBER.finditer(source.text, lo, hi):
                if not _GAP_OK.match(m.group("gap")):
                    continue
                topic = UNITS.get(" ".join(m.group("unit").lower().split()))
                if topic is None:
                    continue
                if source.path in found[topic]:
                    continue
                a, b = sentence_around(source.text, m.start(), m.end(), lo, hi)
                found[topic][source.path] = (
                    " ".join(m.group(0).split()),
                    Citation(source=source.path, start=a, end=b, quote=source.text[a:b]),
                )
    out = []
    for topic, by_source in found.items():
        figures = {_figure_key(f) for f, _ in by_source.values()}  # "500 troops" vs "thousands of soldiers"
        if len(by_source) >= 2 and len(figures) >= 2:
            claims = [
                Claim(statement=f"{_figure_text(fig)} ({file_name(path)})", citations=[cit])
                for path, (fig, cit) in by_source.items()
            ]
            out.append(Discrepancy(topic=f"Sources give different figures for {topic}", claims=claims))
    return out


def _figure_key(figure: str) -> str:
    """The number alone: qualifiers and units do not make two figures differ."""
    m = _NUMBER.match(figure)
    number = m.group("num").lower() if m else figure.lower()
    return re.sub(r"^(more than|over|nearly|almost|about|some|at least) ", "", number)


def _figure_text(figure: str) -> str:
    return figure[0].upper() + figure[1:]
