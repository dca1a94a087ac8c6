"""Reduce step: grounded items from every chunk -> one set of briefing items.

* aliases resolved (`aliases.AliasResolver`), duplicates merged keeping the union of citations
  (same actor and overlapping citations, or wording `text.SAME`);
* corroboration = the number of distinct sources behind an item, near-identical copies of one wire story
  counted once (`origin`, from `copies.wire_copies`); items are ordered by it.

What sources disagree about is found by `discrepancies`; key points are written by `summarize`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, TypeVar

from .aliases import AliasResolver
from .models import Actor, Citation, Cited, Items, MilitaryMovement, Position
from .text import SAME, word_similarity, words

C = TypeVar("C", bound=Cited)


def union_citations(*groups: Iterable[Citation]) -> list[Citation]:
    """Citations in first-seen order, without duplicates or spans nested in another from the same source."""
    out: list[Citation] = []
    for c in (c for g in groups for c in g):
        if any(o.source == c.source and o.start <= c.start and c.end <= o.end for o in out):
            continue
        out = [o for o in out if not (o.source == c.source and c.start <= o.start and o.end <= c.end)]
        out.append(c)
    return out


def overlaps(a: Cited, b: Cited) -> bool:
    return any(x.source == y.source and x.start < y.end and y.start < x.end for x in a.citations for y in b.citations)


def dedupe(
    items: list[C],
    same: Callable[[C, C], bool],
    combine: Callable[[C, C], C],
    origin: Mapping[str, str] | None = None,
    keys: Callable[[C], Iterable[Hashable]] | None = None,
) -> list[C]:
    """Merge items judged the same; keep first-seen order, then sort by corroboration (stable), copies of one
    story counting once (`origin`: a copy's path -> the path it copies).

    `keys`, when given, must give any two items `same` could join a key in common (the actor's key; a source
    or a word both have): then an item is compared only with the merged items sharing a key, in their order,
    and the result is the one comparing every pair would give, without comparing every pair (a 1,000-article
    briefing has tens of thousands of items)."""
    merged: list[C] = []
    index: dict[Hashable, set[int]] = defaultdict(set)
    for item in items:
        candidates = range(len(merged)) if keys is None else sorted({i for k in keys(item) for i in index.get(k, ())})
        for i in candidates:
            if same(merged[i], item):
                merged[i] = combine(merged[i], item)
                if keys is not None:  # the combined item may carry more sources
                    for k in keys(merged[i]):
                        index[k].add(i)
                break
        else:
            merged.append(item)
            if keys is not None:
                for k in keys(item):
                    index[k].add(len(merged) - 1)
    return sorted(merged, key=lambda x: -x.sources_counted(origin or {}))


def with_citations_of(item: C, other: Cited) -> C:
    """`item` with the union of its citations and `other`'s."""
    return item.model_copy(update={"citations": union_citations(item.citations, other.citations)})


def _canonical(resolver: AliasResolver, item: Position | MilitaryMovement) -> dict[str, str]:
    """The item's actor, and who says so, by their canonical names ('The US' -> 'United States')."""
    by = item.attributed_to
    return {
        "actor": resolver.display(resolver.key(item.actor)),
        "attributed_to": resolver.display(resolver.key(by)) if by else "",
    }


def merge(notes: Items, origin: Mapping[str, str] | None = None) -> Items:
    """One item per actor, stance, movement, question and fact, across every chunk (module docstring);
    `origin` maps a wire copy's path to the path it copies, so that copies count as one source."""
    origin = origin or {}
    resolver = AliasResolver()
    for a in notes.actors:
        resolver.learn(a.name, a.kind, a.role)
        resolver.learn_initials(a.name)
    for name in (
        [a.name for a in notes.actors] + [p.actor for p in notes.positions] + [m.actor for m in notes.movements]
    ):
        resolver.note_display(name)

    groups: dict[str, list[Actor]] = defaultdict(list)
    for a in notes.actors:
        groups[resolver.key(a.name)].append(a)
    actors = []
    for key, group in groups.items():
        name = resolver.display(key)
        kinds = Counter(a.kind for a in group)
        roles = Counter(a.role for a in group if a.role)
        aliases = sorted({a.name for a in group if a.name != name}, key=str.casefold)
        actors.append(
            Actor(
                name=name,
                kind=kinds.most_common(1)[0][0],
                role=roles.most_common(1)[0][0] if roles else "",
                aliases=aliases,
                citations=union_citations(*(a.citations for a in group)),
            )
        )
    actors.sort(key=lambda a: -a.sources_counted(origin))

    keys: dict[str, str] = {}  # actor -> its resolver key, worked out once per name

    def actor_key(actor: str) -> str:
        if actor not in keys:
            keys[actor] = resolver.key(actor)
        return keys[actor]

    seen_words: dict[str, frozenset[str]] = {}  # text -> its words, folded once per text

    def similar(a: str, b: str) -> float:
        for t in (a, b):
            if t not in seen_words:
                seen_words[t] = frozenset(words(t))
        return word_similarity(seen_words[a], seen_words[b])

    def by_text(text: Callable[[Any], str]) -> Callable[[Any], list[Hashable]]:
        """Blocking keys of an item merged when it overlaps another or its wording is `SAME`: its sources
        (overlapping citations share one) and its words (a similarity above 0 shares one)."""

        def item_keys(item: Any) -> list[Hashable]:
            similar(text(item), text(item))  # fills seen_words
            return [("source", c.source) for c in item.citations] + sorted(seen_words[text(item)])

        return item_keys

    positions = dedupe(
        [p.model_copy(update=_canonical(resolver, p)) for p in notes.positions],
        lambda x, y: (
            actor_key(x.actor) == actor_key(y.actor) and (overlaps(x, y) or similar(x.stance, y.stance) >= SAME)
        ),
        with_citations_of,
        origin,
        keys=lambda x: [actor_key(x.actor)],
    )
    movements = dedupe(
        [m.model_copy(update=_canonical(resolver, m)) for m in notes.movements],
        lambda x, y: (
            actor_key(x.actor) == actor_key(y.actor)
            and (overlaps(x, y) or similar(f"{x.what} {x.where}", f"{y.what} {y.where}") >= SAME)
        ),
        with_citations_of,
        origin,
        keys=lambda x: [actor_key(x.actor)],
    )

    def by_wording(items: list[C], text: Callable[[C], str]) -> list[C]:
        """Items merged when their citations overlap or their wording is `SAME`."""

        def same(x: C, y: C) -> bool:
            return overlaps(x, y) or similar(text(x), text(y)) >= SAME

        return dedupe(items, same, with_citations_of, origin, keys=by_text(text))

    questions = by_wording(notes.questions, lambda q: q.question)
    facts = by_wording(notes.facts, lambda f: f.text)
    return Items(facts=facts, actors=actors, positions=positions, movements=movements, questions=questions)
