"""Score a briefing against an analyst's gold annotations (`shared/gold/<set>.json`).

The gold README's matching rule, implemented here:

* a gold quote stands for the whole sentence(s) it sits in (`gold_sentences` cuts a text into sentences);
* a shown position or movement matches a gold item of the same section when one of its citations overlaps
  such a sentence of that item *and* its actor is the gold item's actor (`actor_matches`);
* precision = shown items matching some gold item / shown items; recall = gold items matched / gold items;
  shown items that cite a gold item's sentence under another actor are counted as `wrong_actor`;
* a shown discrepancy matches a gold disagreement when its citations touch the sentences of at least two of
  the disagreement's sides;
* a gold key fact is covered when any citation anywhere in the briefing touches one of its sentences.

Everything works on plain dicts (the briefing as written by `briefing run DIR --json`, i.e.
`Briefing.model_dump(mode="json")`, and the gold JSON), so this module imports no other briefing module.

Nationalities ("Russian", "British", "Americans") are recognised with packaged country data, never a table
written here: the per-country regular expressions of `country_converter` (read from its data file with the
standard library; its pandas-based API is not needed) plus the demonyms of `countryinfo`. Both are imported
lazily, by `_country_data`, the first time an actor is compared.
"""

from __future__ import annotations

import bisect
import csv
import functools
import importlib.util
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["actor_matches", "format_table", "gold_sentences", "score_briefing"]

# --------------------------------------------------------------------------- sentences

_QUOTES = "\"'“”‘’«»"
# Terminal punctuation, then any closing quotes or brackets that belong to the same sentence, then spaces.
_END = re.compile(r"[.!?]+[\"'”’»)\]]*[^\S\n]+")


def gold_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans `[start, end)` of `text`, by the gold README's rule, in reading order.

    A sentence ends at `.`, `!` or `?` followed by whitespace and then a capital letter, a digit or a quote
    mark, or at a line break. Closing quotes or brackets right after the punctuation stay in the sentence
    (`He said "No." Then...` splits after the closing quote). No abbreviation list: `Mr. Smith` splits after
    `Mr.`, as the rule says. Spans exclude surrounding whitespace; blank lines give no span.
    """
    spans: list[tuple[int, int]] = []

    def add(start: int, end: int) -> None:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append((start, end))

    line_start = 0
    for line in text.split("\n"):
        line_end = line_start + len(line)
        start = line_start
        for m in _END.finditer(text, line_start, line_end):
            nxt = text[m.end()] if m.end() < line_end else ""
            if nxt and (nxt.isupper() or nxt.isdigit() or nxt in _QUOTES):
                add(start, m.end())
                start = m.end()
        add(start, line_end)
        line_start = line_end + 1
    return spans


class _Sentences:
    """Sentence spans of one text, for looking up which sentences a character range overlaps."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans = gold_sentences(text)
        self.ends = [end for _, end in self.spans]

    def overlapping(self, start: int, end: int) -> list[int]:
        """Indices of the sentences that share at least one character with `[start, end)`."""
        found = []
        i = bisect.bisect_right(self.ends, start)
        while i < len(self.spans) and self.spans[i][0] < end:
            found.append(i)
            i += 1
        return found


# --------------------------------------------------------------------------- nationalities


_Codes = dict[str, tuple[str, ...]]  # case-folded word -> ISO3 codes, most likely first


@functools.lru_cache(maxsize=1)
def _country_data() -> tuple[list[tuple[str, re.Pattern[str]]], _Codes, _Codes]:
    """The packaged country data, loaded once: country_converter's regexes and countryinfo's demonyms.

    Returns `(regexes, demonyms, tails)`: `regexes` is a list of (ISO3 code, compiled regex) for every
    current country, as country_converter uses them (`re.search`, case-insensitive); `demonyms` maps a
    case-folded demonym ("british", "sri lankan") to ISO3 codes, most populous first ("french" is France
    before Mayotte); `tails` does the same for the last word of multi-word demonyms ("lankan", "korean").
    Reading country_converter's data file directly keeps pandas out (its 1.3.2 API breaks on pandas 3) and
    makes it quiet: its `convert` logs a warning for every word that is not a country.
    """
    spec = importlib.util.find_spec("country_converter")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("briefing.scoring needs the country_converter package (pip install country_converter)")
    data_file = Path(next(iter(spec.submodule_search_locations))) / "country_data.tsv"
    regexes: list[tuple[str, re.Pattern[str]]] = []
    with data_file.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row.get("regex") and not row.get("obsolete"):
                regexes.append((row.get("ISO3") or row["name_short"], re.compile(row["regex"], re.IGNORECASE)))

    from countryinfo import all_countries  # lazily: only actor matching needs it

    whole: dict[str, list[tuple[int, str]]] = {}
    last: dict[str, list[tuple[int, str]]] = {}
    for country in all_countries():
        info = country.info()
        iso3 = (info.get("ISO") or {}).get("alpha3")
        for demonym in (info.get("demonym") or "").split(",") if iso3 else ():
            words = demonym.casefold().split()
            if words:
                rank = (-(info.get("population") or 0), iso3)
                whole.setdefault(" ".join(words), []).append(rank)
                if len(words) > 1:
                    last.setdefault(words[-1], []).append(rank)

    def ranked(table: dict[str, list[tuple[int, str]]]) -> _Codes:
        return {key: tuple(dict.fromkeys(iso for _, iso in sorted(v))) for key, v in table.items()}

    return regexes, ranked(whole), ranked(last)


@functools.lru_cache(maxsize=8192)
def _countries(phrase: str) -> tuple[str, ...]:
    """ISO3 codes of the countries a country name or demonym refers to (most likely first), else `()`.

    `phrase` is one to three case-folded words such as "russian", "britons", "united states". Demonyms are
    looked up whole (and without a plural "s"); country names go through country_converter's regexes, which
    also catch many demonyms ("Russian", "Iraqis"). The regexes search inside the phrase, so pass words,
    not sentences: "the russian government" would be Russia.
    """
    regexes, demonyms, tails = _country_data()
    key = " ".join(phrase.casefold().split())
    if not key:
        return ()
    for table in (demonyms, tails):
        found = table.get(key) or (table.get(key[:-1], ()) if key.endswith("s") else ())
        if found:
            return found
    return tuple(dict.fromkeys(iso for iso, rx in regexes if rx.search(key)))


def _state_of(phrase: str) -> str | None:
    """The one country a name or demonym refers to (the most populous for a shared demonym), else None."""
    _, demonyms, _ = _country_data()
    key = " ".join(phrase.casefold().split())
    if key in demonyms or (key.endswith("s") and key[:-1] in demonyms):
        return _countries(key)[0]
    found = _countries(key)
    return found[0] if len(found) == 1 else None


# --------------------------------------------------------------------------- actors

# General English titles and ranks: a shared "President" or "Minister" says nothing about who it is.
TITLES = frozenset(
    """
    mr mrs ms miss dr sir dame lord lady madam king queen prince princess emperor sultan emir sheikh pope
    president presiden vice prime premier minister secretary general chancellor spokesman spokeswoman
    spokesperson official officials chief head leader deputy ambassador envoy senator sen representative rep
    congressman congresswoman governor mayor judge justice prosecutor attorney commissioner director chairman
    chairwoman chair professor prof rev reverend father cardinal bishop archbishop imam ayatollah mullah
    colonel col lieutenant lt major maj captain capt sergeant sgt sgts corporal cpl private pvt specialist spc
    staff admiral adm commander cmdr gen brigadier marshal officer jr sr
    """.split()
)

# Words for a state's forces or organs: "<nationality> troops" is that state.
_STATE_BODIES = frozenset(
    """
    troops troop forces force army armies navy military militaries police soldiers soldier marines sailors
    airmen paratroopers warships warplanes jets aircraft planes bombers tanks artillery submarines coastguard
    government authorities administration regime ministry
    """.split()
)
_STATE_MODIFIERS = frozenset(
    "armed special security naval air ground federal national border coast guard defence defense foreign "
    "interior state".split()
)

# Common nouns of institutions, determiners and directions. An alias made only of these and titles
# ("the government", "Police", "The President") names an actor only where the article uses it: it must be
# equal to the shown actor, not merely contained in it ("the Russian government" is not the UK's "the Government").
_GENERIC = (
    TITLES
    | _STATE_BODIES
    | frozenset(
        """
        the a an and of for in at on to this that these those its their his her our who
        ministry department office agency council committee commission court parliament congress senate house
        authority party group organisation organization service services delegation team network panel
        foreign affairs defence defense interior home security public military accused
        north south east west northern southern eastern western central
        """.split()
    )
)

# Besides titles, generic words and nationalities, words of an organisation's name that do not tell one
# actor from another when shared.
_NOT_SURNAMES = _GENERIC | frozenset(
    "united nations national international federal state states republic kingdom union people news new great "
    "royal democratic".split()
)
_ARTICLES = frozenset({"the", "a", "an"})
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b|(?<=s)['’](?!\w)")
_DOTTED = re.compile(r"\b(?:[A-Za-z]\.){2,}")  # U.S. -> US, U.N. -> UN


def _words(name: str) -> list[str]:
    """The words of a name as written: accents removed, possessives folded ("Russia's" -> "Russia"), dotted
    initialisms closed up ("U.S." -> "US")."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    plain = _DOTTED.sub(lambda m: m.group().replace(".", ""), _POSSESSIVE.sub("", plain))
    return re.findall(r"\w+", plain)


def _folded(name: str) -> tuple[str, ...]:
    """Case-folded words of a name, leading articles dropped."""
    words = [w.casefold() for w in _words(name)]
    while words and words[0] in _ARTICLES:
        words.pop(0)
    return tuple(words)


def _contains(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return n > 0 and any(words[i : i + n] == part for i in range(len(words) - n + 1))


def _surname(name: str, capitalised: bool) -> str | None:
    """The last distinctive word of a name, case-folded: 3+ letters, not a title, a generic or
    institutional word, or a nationality; with `capitalised`, only words written with a capital count."""
    for word in reversed(_words(name)):
        folded = word.casefold()
        if (
            len(folded) >= 3
            and folded.isalpha()
            and (word[0].isupper() or not capitalised)
            and folded not in _NOT_SURNAMES
            and not _countries(folded)
        ):
            return folded
    return None


def _shown_state(words: tuple[str, ...]) -> str | None:
    """The state a shown actor names as "<nationality> troops/forces/government..." or as a bare country
    name ("Britain", "the United States"), else None."""
    cut = next((i for i, w in enumerate(words) if w in _STATE_BODIES or w in _STATE_MODIFIERS), len(words))
    prefix, rest = words[:cut], words[cut:]
    if not prefix or len(prefix) > 3 or not all(w in _STATE_BODIES or w in _STATE_MODIFIERS for w in rest):
        return None
    if rest and not any(w in _STATE_BODIES for w in rest):
        return None
    phrase = " ".join(prefix)
    if rest:
        return _state_of(phrase)
    # A bare name must be a whole country name, not a demonym or a word that merely contains one.
    regexes = _country_data()[0]
    whole = {iso for iso, rx in regexes if (m := rx.search(phrase)) and m.start() == 0 and m.end() == len(phrase)}
    return next(iter(whole)) if len(whole) == 1 else None


def _gold_states(actor: dict[str, Any]) -> set[str]:
    """Countries a gold actor of kind "state" stands for, from its name and aliases."""
    if actor.get("kind") != "state":
        return set()
    states = set()
    for name in [actor.get("name", ""), *actor.get("aliases", [])]:
        words = _folded(name)
        if not words:
            continue
        whole = _state_of(" ".join(words)) if len(words) <= 4 else None
        states |= {whole} if whole else {s for w in words if len(w) >= 3 and (s := _state_of(w))}
    return states


class _GoldActor:
    """One gold actor prepared for matching: its aliases, surname and states."""

    def __init__(self, actor: dict[str, Any]) -> None:
        self.name = str(actor.get("name") or "")
        aliases = {f for n in [self.name, *actor.get("aliases", [])] if (f := _folded(n))}
        self.generic = {a for a in aliases if all(w in _GENERIC for w in a)}
        self.aliases = aliases - self.generic
        # From the name alone: aliases such as "Putin's forces" (for Russia) would tie a state to a person.
        self.surname = _surname(self.name, capitalised=True)
        self.states = _gold_states(actor)

    def matches(self, shown: str) -> bool:
        words = _folded(shown)
        if not words:
            return False
        if words in self.generic or any(_contains(words, alias) for alias in self.aliases):
            return True
        if self.surname and _surname(shown, capitalised=False) == self.surname:
            return True
        return bool(self.states) and _shown_state(words) in self.states


def actor_matches(shown: str, gold_actor: dict[str, Any]) -> bool:
    """Whether a shown actor name is the gold actor (`{"name", "aliases", "kind"}`), by the README's rule.

    Case, accents, possessives and dotted initialisms ("U.S.") are folded, and leading articles dropped. It
    matches when it:

    * equals the gold name or an alias, or contains one as whole words ("Russia's Vladimir Putin" contains
      "Vladimir Putin"); aliases made only of titles and generic words ("the government", "Police") must be
      equal, not contained;
    * shares the gold name's surname: the last word of 3+ letters of each that is not a title, a generic or
      institutional word or a nationality ("Mr Putin" and "Vladimir Putin"; but not "John Kerry" and
      "John Sifton", nor "President Obama" and "President Putin");
    * or, for a gold actor of kind "state", reads "<nationality> troops/forces/navy/police/government..." for
      that state ("Russian troops", "American forces"), or is a bare country name ("Britain").
    """
    return _GoldActor(gold_actor).matches(shown)


# --------------------------------------------------------------------------- citations


def _basename(path: str) -> str:
    return re.split(r"[\\/]", path)[-1]


class _Locator:
    """Maps gold quotes and briefing citations to sentence keys `(file name, sentence index)`."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.files = {_basename(name): _Sentences(text) for name, text in texts.items()}
        self.gold_quotes_missing = 0
        self.unresolved_citations = 0

    def gold_quote(self, file: str, quote: str) -> set[tuple[str, int]]:
        """Sentences a gold quote sits in; none (and one more `gold_quotes_missing`) if it is not in its file."""
        name = _basename(file or "")
        sentences = self.files.get(name)
        start = sentences.text.find(quote) if sentences is not None and quote else -1
        if start < 0:
            self.gold_quotes_missing += 1
            return set()
        return {(name, i) for i in sentences.overlapping(start, start + len(quote))}

    def citation(self, citation: dict[str, Any]) -> set[tuple[str, int]]:
        """Sentences a citation overlaps. Its `start`/`end` are used when they hold its `quote`; otherwise the
        quote is looked up in the file. Unknown files and unusable spans give none."""
        name = _basename(str(citation.get("source") or ""))
        sentences = self.files.get(name)
        if sentences is None:
            self.unresolved_citations += 1
            return set()
        text, quote = sentences.text, citation.get("quote") or ""
        start, end = citation.get("start"), citation.get("end")
        valid = isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
        if not valid or (quote and text[start:end] != quote):
            found = text.find(quote) if quote else -1
            if found >= 0:
                start, end = found, found + len(quote)
            elif not valid:
                self.unresolved_citations += 1
                return set()
        return {(name, i) for i in sentences.overlapping(start, end)}

    def item(self, item: dict[str, Any]) -> set[tuple[str, int]]:
        """Sentences touched by all citations of one briefing item."""
        keys: set[tuple[str, int]] = set()
        for citation in item.get("citations") or []:
            keys |= self.citation(citation)
        return keys


def _all_cited(node: Any) -> Iterator[dict[str, Any]]:
    """Every citation anywhere in a briefing dict (summary, actors, facts, claims, changes...)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "citations" and isinstance(value, list):
                yield from (c for c in value if isinstance(c, dict))
            else:
                yield from _all_cited(value)
    elif isinstance(node, list):
        for value in node:
            yield from _all_cited(value)


# --------------------------------------------------------------------------- scoring


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _score_actor_section(
    shown: list[dict[str, Any]], gold: list[dict[str, Any]], actors: dict[str, _GoldActor], loc: _Locator
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """Positions or movements: counts, per-shown details and the gold items no shown item matched."""
    gold_keys = [
        set().union(*(loc.gold_quote(q.get("file", ""), q.get("quote", "")) for q in g.get("quotes", []))) for g in gold
    ]
    gold_actors = [actors.get(g.get("actor", "")) or _GoldActor({"name": g.get("actor", "")}) for g in gold]
    found: set[int] = set()
    details = []
    for index, item in enumerate(shown):
        cited = loc.item(item)
        actor = str(item.get("actor") or "")
        touched = [j for j, keys in enumerate(gold_keys) if keys & cited]
        matched = [j for j in touched if gold_actors[j].matches(actor)]
        found.update(matched)
        details.append(
            {
                "index": index,
                "actor": actor,
                "matched": bool(matched),
                "gold": matched,
                "touched": touched,
                "wrong_actor": bool(touched) and not matched,
            }
        )
    counts = {**_counts(details, len(gold), found), "wrong_actor": sum(d["wrong_actor"] for d in details)}
    missed = [{"index": j, "actor": g.get("actor", "")} for j, g in enumerate(gold) if j not in found]
    return counts, details, missed


def _counts(details: list[dict[str, Any]], gold: int, found: set[int]) -> dict[str, Any]:
    """Shown, matched, precision, gold, found and recall of one section."""
    matched = sum(d["matched"] for d in details)
    return {
        "shown": len(details),
        "matched": matched,
        "precision": _ratio(matched, len(details)),
        "gold": gold,
        "found": len(found),
        "recall": _ratio(len(found), gold),
    }


def _score_disagreements(
    shown: list[dict[str, Any]], gold: list[dict[str, Any]], loc: _Locator
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    sides = [[loc.gold_quote(s.get("file", ""), s.get("quote", "")) for s in g.get("sides", [])] for g in gold]
    found: set[int] = set()
    details = []
    for index, item in enumerate(shown):
        cited: set[tuple[str, int]] = set()
        for claim in item.get("claims") or []:
            cited |= loc.item(claim)
        cited |= loc.item(item)  # a discrepancy may carry citations of its own
        touched = {j: sum(1 for keys in g_sides if keys & cited) for j, g_sides in enumerate(sides)}
        matched = [j for j, n in touched.items() if n >= 2]
        found.update(matched)
        details.append(
            {
                "index": index,
                "topic": str(item.get("topic") or ""),
                "matched": bool(matched),
                "gold": matched,
                "sides_touched": {j: n for j, n in touched.items() if n},
            }
        )
    counts = _counts(details, len(gold), found)
    missed = [{"index": j, "topic": g.get("topic", "")} for j, g in enumerate(gold) if j not in found]
    return counts, details, missed


def score_briefing(briefing: dict[str, Any], gold: dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    """Score one briefing (its JSON dict) against one gold annotation file (its JSON dict).

    `texts` maps each article's bare file name (e.g. "01.txt") to its text; citations are matched to files by
    the base name of their `source`. Returns a dict with, for `positions` and `movements`: shown, matched,
    precision, gold, found, recall, wrong_actor; `combined` (the same over positions and movements together);
    `disagreements`: shown, matched, precision, gold, found, recall; `key_facts`: gold, covered, coverage;
    `gold_quotes_missing` (gold quotes not found in their file, which then match nothing);
    `unresolved_citations` (briefing citations whose file is not in `texts` or whose span is invalid); and
    `details`: per section a list with one entry per shown item (matched or not, which gold items it matched,
    which it touched), the gold key facts with whether each is covered, and `missed`: the gold items nothing
    matched. Ratios are rounded to 3 places and are None when their denominator is 0.
    """
    loc = _Locator(texts)
    actors = {a.get("name", ""): _GoldActor(a) for a in gold.get("actors", [])}
    positions, pos_details, pos_missed = _score_actor_section(
        briefing.get("positions") or [], gold.get("positions") or [], actors, loc
    )
    movements, mov_details, mov_missed = _score_actor_section(
        briefing.get("military_movements") or briefing.get("movements") or [],
        gold.get("movements") or [],
        actors,
        loc,
    )
    disagreements, dis_details, dis_missed = _score_disagreements(
        briefing.get("discrepancies") or [], gold.get("disagreements") or [], loc
    )

    loc.unresolved_citations = 0  # count each citation once: in this pass over all of them
    cited: set[tuple[str, int]] = set()
    for citation in _all_cited(briefing):
        cited |= loc.citation(citation)
    fact_details = []
    for index, fact in enumerate(gold.get("key_facts") or []):
        keys = set().union(*(loc.gold_quote(q.get("file", ""), q.get("quote", "")) for q in fact.get("quotes", [])))
        fact_details.append({"index": index, "text": fact.get("text", ""), "covered": bool(keys & cited)})
    covered = sum(f["covered"] for f in fact_details)

    shown = positions["shown"] + movements["shown"]
    matched = positions["matched"] + movements["matched"]
    gold_n = positions["gold"] + movements["gold"]
    found = positions["found"] + movements["found"]
    return {
        "positions": positions,
        "movements": movements,
        "combined": {
            "shown": shown,
            "matched": matched,
            "precision": _ratio(matched, shown),
            "gold": gold_n,
            "found": found,
            "recall": _ratio(found, gold_n),
            "wrong_actor": positions["wrong_actor"] + movements["wrong_actor"],
        },
        "disagreements": disagreements,
        "key_facts": {"gold": len(fact_details), "covered": covered, "coverage": _ratio(covered, len(fact_details))},
        "gold_quotes_missing": loc.gold_quotes_missing,
        "unresolved_citations": loc.unresolved_citations,
        "details": {
            "positions": pos_details,
            "movements": mov_details,
            "disagreements": dis_details,
            "key_facts": fact_details,
            "missed": {"positions": pos_missed, "movements": mov_missed, "disagreements": dis_missed},
        },
    }


# --------------------------------------------------------------------------- table

_COLUMNS = [
    ("pos P", ("positions", "precision")),
    ("pos R", ("positions", "recall")),
    ("mov P", ("movements", "precision")),
    ("mov R", ("movements", "recall")),
    ("all P", ("combined", "precision")),
    ("all R", ("combined", "recall")),
    ("dis P", ("disagreements", "precision")),
    ("dis R", ("disagreements", "recall")),
    ("facts", ("key_facts", "coverage")),
]


def format_table(scores: dict[str, dict[str, Any]]) -> str:
    """A plain-text table, one row per set (name -> `score_briefing` result).

    Columns: positions, movements, combined and disagreements precision/recall, key-fact coverage, and the
    wrong-actor counts as "positions/movements". A ratio with nothing to divide by shows as "-".
    """
    header = ["set", *(label for label, _ in _COLUMNS), "wrong actor"]
    rows = [header]
    for name, score in scores.items():
        cells = [name]
        for _, (section, key) in _COLUMNS:
            value = (score.get(section) or {}).get(key)
            cells.append("-" if value is None else f"{value:.3f}")
        wrong = [(score.get(s) or {}).get("wrong_actor") for s in ("positions", "movements")]
        cells.append("/".join("-" if w is None else str(w) for w in wrong))
        rows.append(cells)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines) + "\n"
