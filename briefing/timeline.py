"""Timeline: facts, positions and movements dated from their cited sentences, and the dated ones in event order.

`date_items(items, sources)` gives each fact, position and movement its `dated` (`models.When`): the date
stated in the sentence around one of its citations (`dates.date_in`), the finest precision among its
citations winning, the first citation on a tie. Code decides, never the model. Words such as "on Monday" or
"last week" are resolved against the source's publication date only when the article itself gives that
date (`REPORT_DATES`: its dateline, metadata or feed entry): a file's time says when it was saved, not when
the story ran, so against it they stay unresolved (a calendar date with its year still dates the item). A
position (a statement) whose sentences give no date is dated by such a publication date, marked
`basis="report"` ("date of report"): a news report's statement was made on or just before the day it ran.
A movement or fact whose sentence gives no date stays undated: it need not have happened the day it was
reported.

`timeline(items)` lists every dated item as a `TimelineEvent` ordered by event date (not report date); on
one date, a day comes after the week, month or year that starts on it, then movements, statements and
facts in that order. Items citing the same words (a fact that quotes a movement's sentence) make one
event, the first kind listed. An item with no date is not on the timeline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TypeVar

from .dates import as_date, date_in
from .models import Dated, Fact, Items, MilitaryMovement, Position, Source, TimelineEvent, When
from .text import sentence_around

REPORT_DATES = frozenset({"dateline", "metadata", "feed"})
"""Where a publication date must come from to date a statement whose sentence gives no date of its own."""

D = TypeVar("D", Fact, Position, MilitaryMovement)

_PRECISION = {"day": 0, "week": 1, "month": 2, "year": 3}
_KINDS = {"movement": 0, "statement": 1, "fact": 2}


def _when(item: Dated, sources: Mapping[str, Source]) -> When | None:
    """The date the item's cited sentences state (finest precision first), or None."""
    found: list[When] = []
    for c in item.citations:
        source = sources.get(c.source)
        if source is None or source.text[c.start : c.end] != c.quote:
            continue
        a, b = sentence_around(source.text, c.start, c.end, 0, len(source.text))
        when = date_in(source.text[a:b], _report_day(source), source.path)
        if when is not None:
            found.append(when)
    return min(found, key=lambda w: _PRECISION[w.precision]) if found else None


def _report_day(source: Source) -> date | None:
    """The source's publication date when the article itself gives it (`REPORT_DATES`), else None."""
    return as_date(source.published) if source.published_from in REPORT_DATES else None


def _report_date(item: Dated, sources: Mapping[str, Source]) -> When | None:
    for c in item.citations:
        source = sources.get(c.source)
        day = _report_day(source) if source else None
        if source is not None and day is not None:
            return When(date=day.isoformat(), precision="day", basis="report", source=source.path)
    return None


def date_items(items: Items, sources: Iterable[Source]) -> Items:
    """`items` with each fact, position and movement dated from its cited sentences (module docstring)."""
    by_path = {s.path: s for s in sources}
    return Items(
        facts=[_dated(f, by_path) for f in items.facts],
        actors=items.actors,
        positions=[_dated(p, by_path, statement=True) for p in items.positions],
        movements=[_dated(m, by_path) for m in items.movements],
        questions=items.questions,
    )


def _dated(item: D, sources: Mapping[str, Source], statement: bool = False) -> D:
    when = _when(item, sources) or (_report_date(item, sources) if statement else None)
    return item.model_copy(update={"dated": when}) if when else item


def _overlaps(a: TimelineEvent, b: TimelineEvent) -> bool:
    return any(x.source == y.source and x.start < y.end and y.start < x.end for x in a.citations for y in b.citations)


def timeline(items: Items) -> list[TimelineEvent]:
    """The dated items as events, ordered by event date (module docstring)."""
    events: list[TimelineEvent] = []
    candidates = [
        *(
            TimelineEvent(when=m.dated, kind="movement", actor=m.actor, text=m.what, citations=m.citations)
            for m in items.movements
            if m.dated
        ),
        *(
            TimelineEvent(when=p.dated, kind="statement", actor=p.actor, text=p.stance, citations=p.citations)
            for p in items.positions
            if p.dated
        ),
        *(TimelineEvent(when=f.dated, kind="fact", text=f.text, citations=f.citations) for f in items.facts if f.dated),
    ]
    for event in candidates:
        if not any(_overlaps(event, e) for e in events):
            events.append(event)
    return sorted(events, key=lambda e: (e.when.date, -_PRECISION[e.when.precision], _KINDS[e.kind]))


__all__ = ["REPORT_DATES", "date_items", "timeline"]
