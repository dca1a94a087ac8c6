"""Alias resolution: which names in the notes denote the same actor.

Rules a reader can check, applied in `AliasResolver.key()`, none of them written for one story:
1. fold case, quotes and possessives; drop honorifics and titles ("Mr", "President", "foreign minister")
   and nationality words ("Russian President Vladimir Putin" is Vladimir Putin);
2. states by any of their names (`countries.country_of`: the country's names and codes, its demonym, its
   capital as the whole name): "US", "the U.S.", "America", "Washington" and "the United States" are one,
   and so are "the Russian government", "the Kremlin's" capital "Moscow" and "Russia";
3. an organisation and its initials, when the articles use both ("European Union" and "EU");
4. people by surname: "Putin", "Mr Putin", "VLADIMIR Putin" and "Vladimir Putin" are one actor when their
   first names do not conflict ("Sergei" and "Sergey" agree on the initial);
5. roles learned from the notes themselves: when a note calls "Vladimir Putin" the "Russian president",
   an actor named "the Russian president" is Putin.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from .countries import country_names, country_of, is_demonym
from .text import fold_name

if TYPE_CHECKING:
    from .models import Briefing

# General English honorifics, titles and offices: never part of who someone is.
TITLES = frozenset(
    """
    mr mrs ms miss dr sir dame lord lady president vice prime premier minister secretary general gen
    chief king queen prince princess state of the foreign defense defence interior home director chairman
    spokesman spokeswoman spokesperson ambassador envoy senator governor mayor judge leader commander
    colonel col lieutenant lt major maj captain capt sergeant sgt officer official deputy head
    """.split()
)
# Words that make a state's organ of the state itself: "the Russian government" is Russia.
_ORGANS = r"(?:government|authorities|administration|state|leadership|regime|officials)"


def _nationality(word: str) -> bool:
    """A nationality adjective or a state's code used as a title word ('Russian President', 'US Secretary')."""
    return is_demonym(word) or (
        word.replace(".", "").isupper() and len(word.replace(".", "")) <= 3 and country_of(word) is not None
    )


def state_of(name: str) -> str | None:
    """The state a name denotes: a country by any of its names, or '<state or demonym> <organ>'."""
    folded = fold_name(name).removeprefix("the ").strip()
    if not folded:
        return None
    whole = country_of(name) or country_of(folded)
    if whole:
        return whole
    m = re.fullmatch(rf"(?:the\s+)?(.+?)(?:['’]s?)?\s+{_ORGANS}", name.strip(), re.IGNORECASE)
    return country_of(m.group(1)) if m else None


def initials(name: str) -> str:
    """'European Union' -> 'eu', 'United Nations' -> 'un' (words of 3+ letters, 'of'/'and'/'the' skipped)."""
    words = [w for w in fold_name(name).split() if w not in {"of", "and", "the", "for"}]
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


def person_tokens(name: str) -> list[str]:
    """The name without titles: 'Russian President Vladimir Putin' -> ['vladimir', 'putin'].

    An Arabic article prefix on the surname is dropped ('al-Assad' -> 'assad').
    """
    originals = [w for w in re.split(r"\s+", name.strip()) if fold_name(w)]
    tokens = [fold_name(w) for w in originals]
    kept = [t for t, w in zip(tokens, originals, strict=True) if t not in TITLES and not _nationality(w)] or tokens
    if kept:
        kept[-1] = re.sub(r"^(al|el|ad|as|ash)-(?=\w)", "", kept[-1])
    return kept


def known_kind(name: str) -> str | None:
    """'state' for a name that denotes a state (a small model often calls Russia an organisation)."""
    return "state" if state_of(name) else None


def mention_terms(name: str) -> list[str]:
    """Words whose presence in a quote shows it is about `name`: the name, its surname, and for a state
    its other names (the country's name, its demonym as an adjective, its capital)."""
    terms = [name.strip()]
    state = state_of(name)
    if state:
        terms += [state, *country_names(state)]
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
    while i < len(words) - 1 and (fold_name(words[i]) in TITLES or _nationality(words[i])):
        i += 1
    return " ".join(words[i:]) if len(words) - i >= 2 else name


class AliasResolver:
    """Learns the actors of one briefing, then maps every name to a canonical key."""

    def __init__(self) -> None:
        self._people: dict[str, list[list[str]]] = {}  # surname -> token lists seen
        self._roles: dict[str, str] = {}  # folded role -> the person's name (keyed only when asked)
        self._display: dict[str, Counter[str]] = {}
        self._joined: dict[str, str] = {}  # key -> key it was joined to (union-find)
        self._initials: dict[str, str] = {}  # 'eu' -> 'european union'

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
        if kind == "person" and tokens and state_of(name) is None:  # a name of punctuation has no surname
            self._people.setdefault(tokens[-1], []).append(tokens)
        if kind == "person" and role:
            # The name, not its key: a namesake learned later can still change which key it has.
            self._roles.setdefault(fold_name(role).removeprefix("the ").strip(), name)

    def learn_initials(self, name: str) -> None:
        """Let `name`'s initials ('EU' for 'European Union') mean it, once the notes use the long name."""
        short = initials(name)
        if len(short) >= 2:
            self._initials.setdefault(short, fold_name(name).removeprefix("the ").strip())

    def key(self, name: str) -> str:
        """The canonical key of `name`: equal keys denote one actor."""
        return self._root(self._base_key(name))

    def _base_key(self, name: str) -> str:
        role = fold_name(name).removeprefix("the ").strip()
        if state_of(name) is None and role in self._roles:
            name = self._roles[role]  # 'the Russian president' -> 'Vladimir Putin'
        return self._name_key(name)

    def _name_key(self, name: str) -> str:
        state = state_of(name)
        if state:
            return "state:" + state
        folded = fold_name(name).removeprefix("the ").strip()
        folded = re.sub(r"\s+group$", "", folded)  # "the Islamic State group" is Islamic State
        folded = self._initials.get(folded.replace(".", ""), folded)
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
        if key.startswith("state:"):
            return key.removeprefix("state:")
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
