"""What changed since the previous briefing: a pure stage over two `Briefing`s -> `Changes`.

Actors match by name or alias (`aliases.AliasResolver.joining`: folded, known synonyms, and every alias
a briefing lists joined to its actor); positions and movements by actor plus wording (`text.SAME`) or
by citing the same words of the same file content; questions by wording or citation.
"""

from __future__ import annotations

from .aliases import AliasResolver
from .models import Briefing, Changes, Cited, MilitaryMovement, OpenQuestion, Position
from .text import SAME, similarity


def _source_ids(b: Briefing) -> dict[str, str]:
    """Path -> content identity (sha256 when known): the same file briefed twice is the same source."""
    return {r.path: r.sha256 or r.path for r in b.sources}


def _shared_words(a: Cited, ids_a: dict[str, str], b: Cited, ids_b: dict[str, str]) -> bool:
    """True when both items cite overlapping words of the same file content."""
    return any(
        ids_a.get(x.source, x.source) == ids_b.get(y.source, y.source) and x.start < y.end and y.start < x.end
        for x in a.citations
        for y in b.citations
    )


def compute_changes(previous: Briefing, current: Briefing, previous_date: str) -> Changes:
    """What `current` says that `previous` did not, and which of its open questions are still open."""
    names = AliasResolver.joining(previous, current)
    ids_prev, ids_cur = _source_ids(previous), _source_ids(current)

    known = {names.key(a.name) for a in previous.actors}
    known |= {names.key(p.actor) for p in previous.positions}
    known |= {names.key(m.actor) for m in previous.military_movements}
    new_actors = [a for a in current.actors if names.key(a.name) not in known]

    def stated_before(p: Position) -> bool:
        return any(
            names.key(q.actor) == names.key(p.actor)
            and (_shared_words(p, ids_cur, q, ids_prev) or similarity(p.stance, q.stance) >= SAME)
            for q in previous.positions
        )

    changed_positions = [p for p in current.positions if names.key(p.actor) in known and not stated_before(p)]

    def reported_before(m: MilitaryMovement) -> bool:
        return any(
            names.key(n.actor) == names.key(m.actor)
            and (
                _shared_words(m, ids_cur, n, ids_prev)
                or similarity(f"{m.what} {m.where}", f"{n.what} {n.where}") >= SAME
            )
            for n in previous.military_movements
        )

    new_movements = [m for m in current.military_movements if not reported_before(m)]

    answered: list[OpenQuestion] = []
    still_open: list[OpenQuestion] = []
    for q in previous.open_questions:
        today = next(
            (
                t
                for t in current.open_questions
                if _shared_words(t, ids_cur, q, ids_prev) or similarity(t.question, q.question) >= SAME
            ),
            None,
        )
        if today is None:
            answered.append(q)  # cited where it was raised
        elif today not in still_open:
            still_open.append(today)  # cited where it is raised today

    return Changes(
        previous_date=previous_date,
        new_actors=new_actors,
        changed_positions=changed_positions,
        new_movements=new_movements,
        answered_questions=answered,
        still_open=still_open,
    )
