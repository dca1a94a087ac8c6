"""Alias resolution: which names in the notes denote the same actor.

Rules a reader can check, applied in `AliasResolver.key()`:
1. fold case, quotes and possessives; drop honorifics and titles ("Mr", "President", "foreign minister");
2. known synonym groups (`SYNONYMS`): ISIS / ISIL / IS / Islamic State / Daesh, US / United States / America,
   Russia / Moscow / the Kremlin, ...;
3. people by surname: "Putin", "Mr Putin", "VLADIMIR Putin" and "Vladimir Putin" are one actor when their
   first names do not conflict ("Sergei" and "Sergey" agree on the initial);
4. roles learned from the notes themselves: when a note calls "Vladimir Putin" the "Russian president",
   an actor named "the Russian president" is Putin.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from .text import fold_name

if TYPE_CHECKING:
    from .models import Briefing

SYNONYMS: dict[str, list[str]] = {
    "Islamic State": [
        "isis",
        "isil",
        "is",
        "daesh",
        "islamic state group",
        "islamic state of iraq and the levant",
        "islamic state of iraq and syria",
        "islamic state militants",
        "islamic state fighters",
        "islamic state extremists",
        "isis fighters",
        "isis militants",
        "the islamic state",
    ],
    "United States": [
        "us",
        "u.s.",
        "usa",
        "u.s.a.",
        "america",
        "washington",
        "united states of america",
        "us government",
        "the us",
        "the united states",
    ],
    "United Kingdom": ["uk", "u.k.", "britain", "great britain", "uk government", "british government"],
    "Russia": ["russian federation", "moscow", "kremlin", "the kremlin", "russian government"],
    "Syria": ["syrian government", "damascus", "syrian state", "syrian arab republic"],
    "European Union": ["eu", "e.u."],
    "United Nations": ["un", "u.n.", "the un", "the united nations"],
    "NATO": ["nato", "north atlantic treaty organization"],
    "France": ["french government", "paris"],
    "Iran": ["iranian government", "tehran"],
    "Israel": ["israeli government"],
}

STATES = {"United States", "United Kingdom", "Russia", "Syria", "France", "Iran", "Israel"}
ORGANISATIONS = {"European Union", "United Nations", "NATO"}
ARMED_GROUPS = {"Islamic State"}

TITLES = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "sir",
    "president",
    "presiden",
    "prime",
    "minister",
    "foreign",
    "defense",
    "defence",
    "secretary",
    "general",
    "gen",
    "chief",
    "king",
    "queen",
    "prince",
    "state",
    "of",
    "the",
    "uk",
    "us",
    "russian",
    "syrian",
    "iranian",
    "israeli",
    "french",
    "british",
    "american",
    "eu",
    "eu's",
    "director",
}
_SYNONYM_INDEX = {fold_name(alias): canon for canon, aliases in SYNONYMS.items() for alias in [canon, *aliases]}


def person_tokens(name: str) -> list[str]:
    """The name without titles: 'Russian President Vladimir Putin' -> ['vladimir', 'putin'].

    An Arabic article prefix on the surname is dropped ('al-Assad' -> 'assad').
    """
    tokens = fold_name(name).split()
    kept = [t for t in tokens if t not in TITLES] or tokens
    if kept:
        kept[-1] = re.sub(r"^(al|el|ad|as|ash)-(?=\w)", "", kept[-1])
    return kept


def known_kind(name: str) -> str | None:
    """The kind of a well-known actor (a small model often calls Russia an organisation)."""
    canon = AliasResolver.synonym(name)
    if canon in STATES:
        return "state"
    if canon in ORGANISATIONS:
        return "organisation"
    if canon in ARMED_GROUPS:
        return "armed group"
    return None


def mention_terms(name: str) -> list[str]:
    """Words whose presence in a quote shows it is about `name`: the name, its surname, its synonyms."""
    terms = [name.strip()]
    canon = AliasResolver.synonym(name)
    if canon:
        terms += [canon, *SYNONYMS[canon]]
        terms += {
            "Russia": ["Russian", "Russians"],
            "Syria": ["Syrian"],
            "United States": ["American", "US-led"],
            "United Kingdom": ["British"],
            "France": ["French"],
            "Iran": ["Iranian"],
            "Israel": ["Israeli"],
        }.get(canon, [])
    tokens = [t for t in name.replace("’", "'").split() if t.casefold().strip(".,'") not in TITLES]
    if tokens:
        surname = re.sub(r"^(al|el)-", "", tokens[-1], flags=re.IGNORECASE).strip(".,'")
        if len(surname) >= 3:
            terms.append(surname)
    return [t for t in terms if t]


def strip_titles(name: str) -> str:
    """'Iranian foreign minister Javad Zarif' -> 'Javad Zarif' (leading title words only)."""
    words = name.split()
    i = 0
    while i < len(words) - 1 and fold_name(words[i]) in TITLES | {"minister", "secretary"}:
        i += 1
    return " ".join(words[i:]) if len(words) - i >= 2 else name


class AliasResolver:
    """Learns the actors of one briefing, then maps every name to a canonical key."""

    def __init__(self) -> None:
        self._people: dict[str, list[list[str]]] = {}  # surname -> token lists seen
        self._roles: dict[str, str] = {}  # folded role -> the person's name (keyed only when asked)
        self._display: dict[str, Counter[str]] = {}
        self._joined: dict[str, str] = {}  # key -> key it was joined to (union-find)

    @classmethod
    def joining(cls, *briefings: Briefing) -> AliasResolver:
        """A resolver over finished briefings: every alias an actor lists is joined to its name, in
        whichever briefing it appears (what "since the previous briefing" compares with)."""
        resolver = cls()
        for b in briefings:
            for actor in b.actors:
                for alias in actor.aliases:
                    resolver.join(actor.name, alias)
        return resolver

    def join(self, name: str, other: str) -> None:
        """From now on `name` and `other` have one key."""
        a, b = self._root(self._base_key(name)), self._root(self._base_key(other))
        if a != b:
            self._joined[b] = a

    def _root(self, key: str) -> str:
        while self._joined.get(key, key) != key:
            key = self._joined[key]
        return key

    def learn(self, name: str, kind: str, role: str = "") -> None:
        tokens = person_tokens(name)
        if kind == "person" and tokens and self.synonym(name) is None:  # a name of punctuation has no surname
            self._people.setdefault(tokens[-1], []).append(tokens)
        if kind == "person" and role:
            # The name, not its key: a namesake learned later can still change which key it has.
            self._roles.setdefault(fold_name(role).removeprefix("the ").strip(), name)

    @staticmethod
    def synonym(name: str) -> str | None:
        folded = fold_name(name)
        return _SYNONYM_INDEX.get(folded) or _SYNONYM_INDEX.get(folded.removeprefix("the "))

    def key(self, name: str) -> str:
        """The canonical key of `name`: equal keys denote one actor."""
        return self._root(self._base_key(name))

    def _base_key(self, name: str) -> str:
        role = fold_name(name).removeprefix("the ").strip()
        if self.synonym(name) is None and role in self._roles:
            name = self._roles[role]  # 'the Russian president' -> 'Vladimir Putin'
        return self._name_key(name)

    def _name_key(self, name: str) -> str:
        canon = self.synonym(name)
        if canon:
            return canon.casefold()
        folded = fold_name(name).removeprefix("the ").strip()
        tokens = person_tokens(name)
        if tokens and tokens[-1] in self._people:
            firsts = {t[0][0] for t in self._people[tokens[-1]] if len(t) > 1}
            if len(tokens) == 1 or len(firsts) <= 1 and (not firsts or tokens[0][0] in firsts):
                return "person:" + tokens[-1]
        return folded

    def note_display(self, name: str) -> None:
        self._display.setdefault(self.key(name), Counter())[name.strip()] += 1

    def display(self, key: str) -> str:
        """The fullest common spelling: 'Vladimir Putin' over 'Putin' and 'VLADIMIR Putin'."""
        for canon in SYNONYMS:
            if canon.casefold() == key:
                return canon
        names = self._display.get(key)
        if not names:
            return key
        surname = key.removeprefix("person:") if key.startswith("person:") else None

        def rank(n: str) -> tuple[bool, bool, int, bool, int, int]:
            tokens = person_tokens(n)
            return (
                surname is None or (bool(tokens) and tokens[-1] == surname),  # a name, not a role
                len(tokens) <= 3,
                len(tokens),
                not any(w.isupper() and len(w) > 3 for w in n.split()),  # 'VLADIMIR Putin' loses
                names[n],
                -len(n),
            )

        best = max(names, key=rank)
        return strip_titles(best) if surname else best
