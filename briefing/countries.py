"""States by any of their names: country names, codes, demonyms and capitals, from packaged data (countryinfo).

`country_of("Russian")`, `country_of("Moscow")`, `country_of("the U.S.")` and `country_of("United States")`
each give one canonical name ("Russia", "Russia", "United States", "United States"); `countries_in(text)`
lists the states a text names that way. Nothing here is written for one story: the data is countryinfo's
(MIT), read once. A capital stands for its government only when it is the whole phrase ("Washington said"),
never inside a longer name ("Kingston Crown Court").
"""

from __future__ import annotations

import functools
import re

_DOTS = re.compile(r"\b((?:[A-Za-z]\.){2,})")
_WORDS = re.compile(r"[\w'’-]+")
_TRAILING = re.compile(r"\s+(?:d\.?\s?c\.?|city)$")


def _key(phrase: str) -> str:
    phrase = _DOTS.sub(lambda m: m.group(1).replace(".", ""), phrase)
    phrase = re.sub(r"['’]s\b", "", phrase.casefold())
    words = _WORDS.findall(phrase)
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


@functools.lru_cache(maxsize=1)
def _index() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    """(names, capitals, codes, demonyms), each folded phrase -> country. Codes ('US', 'GBR') count only
    when written in capitals: 'In', 'It', 'No' and 'Mr' are words, not India, Italy, Norway, Mauritania."""
    from countryinfo import all_countries

    names: dict[str, tuple[int, str]] = {}
    capitals: dict[str, tuple[int, str]] = {}
    codes: dict[str, tuple[int, str]] = {}
    demonym_table: dict[str, tuple[int, str]] = {}

    def add(table: dict[str, tuple[int, str]], key: str, rank: int, country: str) -> None:
        if key and (key not in table or table[key][0] < rank):
            table[key] = (rank, country)

    for c in all_countries():
        info = c.info()
        country = info.get("name")
        if not country:
            continue
        rank = info.get("population") or 0
        country_codes = [v for k, v in (info.get("ISO") or {}).items() if k in ("alpha2", "alpha3")]
        for spelling in [country, info.get("nativeName") or "", *(info.get("altSpellings") or [])]:
            key = _key(spelling)
            add(codes if len(key) <= 3 and spelling.replace(".", "").isupper() else names, key, rank, country)
        for code in country_codes:
            add(codes, _key(code), rank, country)
        demonyms = info.get("demonym") or ""
        for demonym in demonyms if isinstance(demonyms, list) else demonyms.split(","):
            key = _key(demonym)
            add(names, key, rank, country)
            add(names, key + "s", rank, country)
            add(demonym_table, key, rank, country)
        capital = info.get("capital") or ""
        for one in capital if isinstance(capital, list) else [capital]:
            add(capitals, _TRAILING.sub("", _key(str(one))), rank, country)
    # Country names whose last word is itself used alone ("Great Britain" -> "Britain", "United States of
    # America" -> "America"); never over a country's own name.
    for key, (rank, country) in list(names.items()):
        words = key.split()
        tail = (
            words[-1]
            if (len(words) == 2 and words[0] in {"great", "united"}) or (len(words) >= 3 and words[-2] == "of")
            else None
        )
        if tail and tail not in names:
            add(names, tail, rank, country)

    def plain(table: dict[str, tuple[int, str]]) -> dict[str, str]:
        return {k: v for k, (_, v) in table.items()}

    return plain(names), plain(capitals), plain(codes), plain(demonym_table)


def country_of(phrase: str) -> str | None:
    """The state a phrase names (a country's name or code, a demonym, or its capital as the whole phrase)."""
    names, capitals, codes, _ = _index()
    key = _key(phrase)
    if not key:
        return None
    if key in names:
        return names[key]
    if key in capitals:
        return capitals[key]
    bare = re.sub(r"(?i)^the\s+", "", phrase.strip())
    if key in codes and bare.replace(".", "").isupper():
        return codes[key]
    return None


def is_demonym(word: str) -> bool:
    """Whether a word is a nationality adjective ('Russian', 'Thai'), as in 'Russian President Putin'."""
    return _key(word) in _index()[3]


def country_names(country: str) -> list[str]:
    """Other names of a state as articles write them: its codes, demonym and capital ('Russia' ->
    ['RU', 'RUS', 'Russian', 'Moscow', ...])."""
    names, capitals, codes, _ = _index()
    found = [k for table in (names, capitals, codes) for k, v in table.items() if v == country]
    return sorted({k.upper() if len(k) <= 3 else k.title() for k in found if k != _key(country)})


def countries_in(text: str) -> set[str]:
    """Every state `text` names by a country name, code or demonym (one to three words at a time)."""
    names, _, codes, _ = _index()
    words = _WORDS.findall(_DOTS.sub(lambda m: m.group(1).replace(".", ""), text))
    found: set[str] = set()
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            chunk = words[i : i + size]
            if not chunk[0][:1].isupper():  # names and demonyms are capitalised in English text
                continue
            phrase = " ".join(chunk)
            country = names.get(_key(phrase)) or (codes.get(_key(phrase)) if phrase.isupper() else None)
            if country:
                found.add(country)
    return found
