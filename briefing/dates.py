"""Dates: a source's publication date (its dateline, else the file's time) and the date a sentence states.

Both are read in code, never asked of the model:

* `dateline(text, base)` - a publication date among an article's first `DATELINE_LINES` non-empty lines:
  a line that starts with a full date, after an optional label ("Published: 2015-09-10", "Sunday 13
  September 2015", "Thu Sep 10, 2015", "Saturday, January 8, 2005"; a line longer than `DATELINE_MAX_CHARS`
  only with its weekday or label, so a paragraph that opens on a date is not taken for one), a full date
  after a byline's separator ("Alexandra Sims | Monday 28 September 2015"), or a wire dateline ("MOSCOW,
  Sept 10 (Reuters) -", its year taken from `base` when it has none). `publication` falls back to the
  file's modification time, which says when the file was saved, not when the story ran.
* `date_in(sentence, published, source)` - the first date the sentence states (after a dateline glued to
  its start, which dates the report, not the event), as a `When`: a calendar
  date ("26 December 2004", "September 2015", "in 2013": `stated`), or words that need the publication
  date ("on Monday", "yesterday", "last week", "three days ago", "last month", "Sept. 10": `relative`),
  resolved with dateparser against it (RELATIVE_BASE) and kept with their precision (day, week, month,
  year; a week, month or year is dated by its first day). A bare weekday is the most recent one on or
  before the publication date (that day itself included: wires write "said on Thursday" on Thursday), or
  the next one when the words before it in its clause speak of the future (`FUTURE`: "will meet Kerry on
  Monday", not "said on Sunday it will"); a date without its year takes the year
  that puts it nearest the publication date.

dateparser is a core dependency; should it be missing all the same, `available()` is False, no date is
read from the text (file times still are) and the briefing says so in its warnings (`MISSING`).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from .models import Precision, PublishedFrom, When

DATELINE_LINES = 8
"""How many non-empty lines at the top of an article are searched for its dateline."""
DATELINE_MAX_CHARS = 60
"""A line longer than this is a dateline only when its date has a weekday or a label ("Published:")."""

MISSING = (
    "dateparser is not installed: no date was read from the articles' text (publication dates are the files' "
    "times, and the timeline is empty); install it with `pip install dateparser`"
)

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_WEEKDAY_ANY = r"(?:Mon|Tue(?:s)?|Wed(?:nes)?|Thu(?:rs?)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?"
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY = "(?:" + "|".join(_WEEKDAYS) + ")"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]|20)\d\d"
_END = r"(?![\w])"

_CALENDAR = rf"(?:{_MONTH}\s+{_DAY},?\s+{_YEAR}|{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR})"
_NUMERIC = rf"(?:{_YEAR}-[01]\d-[0-3]\d|{_YEAR}/[01]?\d/[0-3]?\d)"
_FULL = rf"(?:(?P<weekday>{_WEEKDAY_ANY}),?\s+)?{_CALENDAR}(?!\d)|{_NUMERIC}(?!\d)"
_LABEL = r"(?P<label>(?i:(?:first\s+|last\s+)?(?:published|posted|updated|dated?))(?:\s+on)?\s*:?\s*)"

_LINE_START = re.compile(rf"\s*{_LABEL}?(?P<date>{_FULL})")
_BYLINE = re.compile(rf"[|·•]\s*{_LABEL}?(?P<date>{_FULL})")
_WIRE = re.compile(
    rf"\s*[A-Z][A-Z.'’-]+(?:\s+[A-Z][A-Z.'’-]+)*(?:,\s+[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*)?,\s+"
    rf"(?P<date>{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?)\s*(?:\([^()\n]{{1,40}}\)\s*)?[-–—]"
)

_COUNT = r"(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_EXPRESSION = re.compile(
    rf"(?P<calendar>(?:{_WEEKDAY},?\s+)?(?:{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?|{_DAY}\s+(?:of\s+)?{_MONTH}"
    rf"(?:,?\s+{_YEAR})?){_END})"
    rf"|(?P<month>{_MONTH}\s+{_YEAR}{_END})"
    rf"|(?P<iso>{_YEAR}-[01]\d-[0-3]\d(?!\d))"
    rf"|(?P<relative>\b(?i:yesterday|today|tonight|last\s+night|the\s+day\s+before\s+yesterday"
    rf"|this\s+(?:morning|afternoon|evening|week|month|year)|(?:last|next)\s+(?:week|month|year)"
    rf"|{_COUNT}\s+(?:days?|weeks?|months?|years?)\s+ago){_END})"
    rf"|(?P<weekday>\b(?:(?i:last|next|this|on)\s+)?{_WEEKDAY}\b)"
    rf"|(?P<year>\b(?i:in|since|during|until|by|early|late|mid-?)\s*{_YEAR}{_END})"
)

FUTURE = re.compile(
    r"\b(?:will|would|shall|(?:plans?|planned|intends?|intended|hopes?)\s+to|(?:is|are|was|were)\s+"
    r"(?:due|set|expected|scheduled|to)\b|next)\b|['’]ll\b",
    re.IGNORECASE,
)
"""Words that put a bare weekday after them in their clause ahead of the publication date rather than behind it."""


@lru_cache(maxsize=1)
def _dateparser() -> Any:
    try:
        from dateparser.date import DateDataParser
    except ImportError:
        return None
    return DateDataParser


def available() -> bool:
    """True when dateparser can be imported (dates are read from the text)."""
    return _dateparser() is not None


def _parse(expression: str, base: date | None) -> tuple[date, str] | None:
    """(date, dateparser's period) for an English date expression, relative to `base`; None when unparsed."""
    parser = _dateparser()
    if parser is None:
        return None
    settings: dict[str, Any] = {"PREFER_DAY_OF_MONTH": "first", "PREFER_DATES_FROM": "past"}
    if base is not None:
        settings["RELATIVE_BASE"] = datetime(base.year, base.month, base.day)
    data = _parser(parser, tuple(sorted(settings.items())))(expression)
    if data is None or data.date_obj is None:
        return None
    return data.date_obj.date(), data.period or "day"


@lru_cache(maxsize=8)
def _parser(parser: Any, settings: tuple[tuple[str, Any], ...]) -> Any:
    ddp = parser(languages=["en"], settings=dict(settings))
    return ddp.get_date_data


def _numeric(text: str) -> date | None:
    parts = re.split(r"[-/]", text)
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except (ValueError, IndexError):
        return None


def _nearest_year(day: date, base: date) -> date:
    """`day` moved to the year that puts it nearest `base` (a date written without its year)."""
    options = []
    for year in (base.year - 1, base.year, base.year + 1):
        try:
            options.append(day.replace(year=year))
        except ValueError:  # 29 February
            continue
    return min(options, key=lambda d: abs((d - base).days)) if options else day


def _calendar(text: str, base: date | None) -> date | None:
    """A calendar date as written (weekday, day, month, year optional); a missing year from `base`."""
    text = text.replace(".", " ").strip()
    if re.fullmatch(_NUMERIC, text):
        return _numeric(text)
    has_year = re.search(rf"(?<!\d){_YEAR}(?!\d)", text) is not None
    if not has_year and base is None:
        return None
    text = re.sub(rf"^{_WEEKDAY_ANY},?\s+", "", text)  # a weekday that contradicts the date must not win
    parsed = _parse(text, base)
    if parsed is None:
        return None
    return parsed[0] if has_year or base is None else _nearest_year(parsed[0], base)


def _first_day(day: date, precision: Precision) -> date:
    if precision == "week":
        return day - timedelta(days=day.weekday())
    if precision == "month":
        return day.replace(day=1)
    if precision == "year":
        return day.replace(month=1, day=1)
    return day


# --------------------------------------------------------------------------- publication dates


def dateline(text: str, base: date | None = None) -> str | None:
    """The publication date (ISO YYYY-MM-DD) a dateline near the top of `text` gives, or None (module
    docstring). `base` (the file's date) supplies the year of a wire dateline written without one."""
    if not available():
        return None
    seen = 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        seen += 1
        if seen > DATELINE_LINES:
            break
        found = _dateline_of(line, base)
        if found is not None:
            return found.isoformat()
    return None


def _dateline_of(line: str, base: date | None) -> date | None:
    m = _LINE_START.match(line)
    if m and (len(line) <= DATELINE_MAX_CHARS or m.group("weekday") or m.group("label")):
        return _calendar(m.group("date"), base)
    m = _BYLINE.search(line) if len(line) <= DATELINE_MAX_CHARS * 2 else None
    if m:
        return _calendar(m.group("date"), base)
    m = _WIRE.match(line)
    if m:
        return _calendar(m.group("date"), base)
    return None


def file_date(mtime: float) -> str:
    """A file's modification time as an ISO date (UTC)."""
    return datetime.fromtimestamp(mtime, UTC).date().isoformat()


def publication(text: str, mtime: float | None) -> tuple[str, PublishedFrom] | None:
    """(published, where from): the article's dateline, else the file's modification time, else None."""
    base = datetime.fromtimestamp(mtime, UTC).date() if mtime is not None else None
    found = dateline(text, base)
    if found is not None:
        return found, "dateline"
    if mtime is not None:
        return file_date(mtime), "mtime"
    return None


def as_date(published: str | None) -> date | None:
    """The day of an ISO date or datetime ("2015-09-10", "2015-09-10T16:00:00+01:00"), or None."""
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


# --------------------------------------------------------------------------- dates in sentences


def date_in(sentence: str, published: date | None, source: str) -> When | None:
    """The first date `sentence` states, resolved against its source's publication date (module docstring);
    None when it states none, or only one that needs a publication date the source does not have."""
    if not available():
        return None
    for m in _EXPRESSION.finditer(sentence, _after_dateline(sentence)):
        found = _resolve(m, sentence, published)
        if found is not None:
            day, precision, basis = found
            return When(
                date=_first_day(day, precision).isoformat(),
                precision=precision,
                text=" ".join(m.group(0).split()),
                basis=basis,
                source=source,
            )
    return None


def _after_dateline(sentence: str) -> int:
    """Where a sentence's own words start after a dateline glued to it ("MOSCOW, Sept 10 (Reuters) - ...",
    "Saturday, March 26, 2005 Up to ..."): a dateline dates the report, not what the sentence reports."""
    m = _WIRE.match(sentence)
    if m:
        return m.end()
    m = _LINE_START.match(sentence)
    if m and (m.group("weekday") or m.group("label")):
        return m.end()
    return 0


_PERIODS: dict[str, Precision] = {"day": "day", "time": "day", "week": "week", "month": "month", "year": "year"}


def _resolve(m: re.Match[str], sentence: str, base: date | None) -> tuple[date, Precision, str] | None:
    kind = m.lastgroup
    text = m.group(0)
    if kind == "calendar":
        has_year = re.search(rf"(?<!\d){_YEAR}(?!\d)", text) is not None
        day = _calendar(text, base)
        return (day, "day", "stated" if has_year else "relative") if day else None
    if kind == "iso":
        day = _numeric(text)
        return (day, "day", "stated") if day else None
    if kind == "month":
        parsed = _parse(text.replace(".", " "), base)
        return (parsed[0], "month", "stated") if parsed else None
    if kind == "year":
        year = int(re.search(_YEAR, text).group(0))  # type: ignore[union-attr]
        return date(year, 1, 1), "year", "stated"
    if base is None:
        return None
    if kind == "weekday":
        clause = re.split(r"[,;:—–]", sentence[: m.start()])[-1]
        return _weekday(text, clause, base), "day", "relative"
    parsed = _parse(" ".join(text.split()), base)
    if parsed is None:
        return None
    return parsed[0], _PERIODS.get(parsed[1], "day"), "relative"


def _weekday(text: str, clause: str, base: date) -> date:
    """The day a weekday names, from the publication date `base`: `clause` is what precedes it in its clause
    ("Putin is expected to defend them in a UN speech" puts "on Monday" ahead; "officials said" behind)."""
    words = text.split()
    target = _WEEKDAYS.index(words[-1])
    back = (base.weekday() - target) % 7
    ahead = (target - base.weekday()) % 7
    qualifier = words[0].lower() if len(words) > 1 else ""
    if qualifier == "last":
        return base - timedelta(days=back or 7)
    if qualifier == "next":
        return base + timedelta(days=ahead or 7)
    if qualifier == "this":  # the one in the publication date's week (weeks start on Monday)
        return base + timedelta(days=target - base.weekday())
    return base + timedelta(days=ahead) if FUTURE.search(clause) else base - timedelta(days=back)


__all__ = ["DATELINE_LINES", "DATELINE_MAX_CHARS", "as_date", "available", "date_in", "dateline", "publication"]
