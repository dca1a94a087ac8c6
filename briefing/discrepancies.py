"""Where sources disagree, found in code: different figures, claim against denial, one party answering another.

* `numeric_discrepancies`: every figure in the chunked (non-boilerplate) text counts something, the noun
  after it ("500 troops", "more than 240,000 lives", "about 190 countries"; for a generic noun, with what is
  said of it: "people homeless" is not "people killed"). Sources disagree when they give different figures
  for the same counted noun in sentences otherwise about the same thing (`SAME_CONTEXT` of their other
  words); so do two tellers one article quotes ("AP - ... 121,000", "NP&CP - ... 150,000"). A forecast ("could
  rise to 100,000") is not a count. No list of units: any counted noun.
* `polarity_conflicts`: two positions or movements from different sources or speakers, about the same
  thing (`SAME_TOPIC` shared content stems), where one says is not so what the other says is, of the same
  words (`opposed`).
* `stance_conflicts`: in one article, a statement whose verb pushes back (*rejected*, *denied*, *disputed*,
  *contends*, *cannot accept* ...; a bare *but* or *however* only turns from the sentence before) and the
  statements of the other speakers just before it; a
  party that names nobody in particular ("the defense", "survivors") takes a side too, and a state and its
  own leader are one side.
* `answered_accusations`: in one article, an accusation ("accused X of", "with claims that") and the answer
  of the accused or their counsel just after it; a speaker taking back ("recanted") an earlier statement.
  `distinct` shows each once.
* `conflict` says whether two statements conflict at all; the model's own "disagreements" are kept only
  when it is true (no disagreement whose sides agree).

Each side cites its own source's sentence, with who says it when a speaker is known.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from .aliases import TITLES
from .candidates import PRONOUNS, attribution, is_body_word, names_people
from .countries import country_of, is_demonym
from .faithful import lemma, negated_words, polarity_conflict, quantities, same_actor
from .models import Attributed, Citation, Claim, Discrepancy, MilitaryMovement, Source, file_name
from .text import SIMILAR, STOP_WORDS, content_stems, sentence_around, sentences, similarity

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
    rf"\b(?P<noun>toll|number|total|figure|count|tally)\b(?:\s+of\s+[a-z]+)?[^.;\n]{{0,40}}?\b"
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
    "million",
    "billion",
    "thousand",
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
    teller: str  # who gives the figure inside its source ("AP - ...", "X said ..."), "" for the source itself
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
            if _FORECAST.search(" ".join(text[a : m.start("num")].split()[-FORECAST_WORDS:])):
                continue  # "the toll could rise to 100,000" is a forecast, not a count
            value = next(iter(quantities(m.group(0))), number)  # "2 million" and "2,000,000" are one figure
            if noun in _GENERIC_COUNTS and m.re is _FIGURE:
                noun = _what_of(noun, text[m.end() : b])  # "people homeless" and "people killed" differ
                if noun is None:
                    continue
            out.append(
                _Figure(
                    source=source.path,
                    teller=_teller(text, a, b),
                    value=value,
                    text=" ".join(m.group(0).split()),
                    noun=noun,
                    citation=Citation(source=source.path, start=a, end=b, quote=text[a:b]),
                    context=_near(text, m.start(), m.end(), a, b) + (" " + noun if m.re is _TOLL else ""),
                )
            )
    return out


FORECAST_WORDS = 5
"""Words before a figure searched for a forecast (`_FORECAST`)."""
_FORECAST = re.compile(
    r"\b(?:could|may|might|would|will|expected to|likely to|feared to|set to|projected to|forecast to)\b", re.IGNORECASE
)

# A line of a list that names who says it: "* AP - ...", "BBC: ...".
_LIST_TELLER = re.compile(
    r"[ \t]*(?:[*•–-][ \t]+)?(?P<who>[A-Z][\w&.'’-]*(?:[ \t]+[A-Z&][\w&.'’-]*){0,4})[ \t]+[-–—:][ \t]"
)


def _teller(text: str, start: int, end: int) -> str:
    """Who gives the figure inside its article: the name a list line opens with, else the sentence's
    speaker (`candidates.attribution`), else "" (the article itself)."""
    line_start = text.rfind("\n", 0, start) + 1
    if m := _LIST_TELLER.match(text, line_start):
        return m.group("who")
    said = attribution(text[start:end])
    return said[0] if said else ""


CONTEXT_WORDS = 6
"""Words either side of a figure that say what it is about (a whole sentence often says more)."""


def _near(text: str, start: int, end: int, lo: int, hi: int) -> str:
    before = text[lo:start].split()[-CONTEXT_WORDS:]
    after = text[end:hi].split()[:CONTEXT_WORDS]
    return " ".join(before + after)


def numeric_discrepancies(sources: list[Source], spans: dict[str, list[tuple[int, int]]]) -> list[Discrepancy]:
    """Different figures for the same counted thing from different sources, or from different tellers one
    article quotes (see the module docstring)."""
    by_noun: dict[str, list[_Figure]] = defaultdict(list)
    given: dict[tuple[str, str, str], set[str]] = defaultdict(set)  # (source, teller, noun) -> values it gives
    for source in sources:
        for f in _figures(source, spans.get(source.path, [])):
            by_noun[f.noun].append(f)
            given[(f.source, f.teller.casefold(), f.noun)].add(f.value)
    out: list[Discrepancy] = []
    for noun, figures in by_noun.items():
        best: tuple[float, _Figure, _Figure] | None = None
        for i, x in enumerate(figures):
            for y in figures[i + 1 :]:
                one_source = x.source == y.source
                if x.value == y.value or (one_source and x.teller.casefold() == y.teller.casefold()):
                    continue
                gx, gy = given[(x.source, x.teller.casefold(), noun)], given[(y.source, y.teller.casefold(), noun)]
                if x.value in gy or y.value in gx:
                    continue  # each gives both figures: two different quantities, not a disagreement
                score = _overlap(x.context, y.context)
                # Two articles that each count this thing once are counting the same thing (not so for two
                # tellers in one article, who may count different things).
                alone = not one_source and noun not in _GENERIC_COUNTS and len(gx) == 1 and len(gy) == 1
                if (score >= SAME_CONTEXT or alone) and (best is None or score > best[0]):
                    best = (score, x, y)
        if best is None:
            continue
        _, x, y = best
        claims = [Claim(statement=f"{f.text} ({_by(f)})", citations=[f.citation]) for f in (x, y)]
        what = f"the {noun}" if noun in {"toll", "number", "total", "figure", "count", "tally"} else _plural(noun)
        out.append(Discrepancy(topic=f"Sources give different figures for {what}", claims=claims))
    return out


def _by(f: _Figure) -> str:
    """Who gives a figure: its file, and the teller inside it when there is one."""
    return f"{file_name(f.source)}, {f.teller}" if f.teller else file_name(f.source)


def _overlap(a: str, b: str) -> float:
    """Shared content stems over the smaller set ('Syria' meets 'Syrian', 'claimed' meets 'claim')."""
    sa, sb = content_stems(a), content_stems(b)
    return len(sa & sb) / min(len(sa), len(sb)) if sa and sb else 0.0


# Counted nouns used for many different things in one story (the dead, the injured, the homeless are all
# "people"): two figures for them must share their surroundings to be compared.
_GENERIC_COUNTS = {"people", "person", "dead", "time", "thing", "way", "case"}


_LINKING = frozenset("are were is was have has had been being be who which that more also".split())


def _what_of(noun: str, after: str) -> str | None:
    """A generic counted noun with what is said of it: the first content word after it ("people were
    killed" -> "people killed"); None when nothing says what they are."""
    for word in re.findall(r"[a-z][\w-]*", after.casefold())[:3]:
        if word not in _LINKING and word not in STOP_WORDS and word not in _NOT_COUNTED:
            return f"{noun} {word}"
    return None


def _plural(noun: str) -> str:
    if noun.split()[0] in {"people", "dead", "personnel"}:
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
            if len(stems[i] & stems[k]) < SAME_TOPIC:  # the cheap test first: most pairs are about other things
                continue
            if same_actor(label_a, label_b):
                continue  # one actor ('Yvo' and 'Yvo de Boer of the UNFCCC') does not disagree with itself
            if a.citations[0].source == b.citations[0].source and label_a == label_b:
                continue
            if not opposed(text_a, text_b):
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


PREDICATE_WORDS = 4
"""Words either side of a negated word that say what it is about: "Russia did not send troops" -> Russia,
troops."""


def opposed(a: str, b: str) -> bool:
    """One says is not so what the other says is, of the same thing: a word negated or denied in one is
    affirmed in the other with a word near it in both ("did not send troops" / "sent 500 troops"), not
    merely a word both happen to use ("does not expect a deal" / "talks expected next year"). A negation
    inside a condition ("if no agreement is reached") asserts nothing."""
    a, b = _CONDITION.sub(" ", a), _CONDITION.sub(" ", b)  # "if no agreement is reached" asserts nothing
    for x, y in ((a, b), (b, a)):
        for word in negated_words(x) - negated_words(y):
            if _around(x, word) & _around(y, word):
                return True
    return False


_CONDITION = re.compile(r"\b(?:if|unless|whether)\b[^,.;:]*", re.IGNORECASE)


def _around(text: str, word: str) -> set[str]:
    """Content lemmas within `PREDICATE_WORDS` words of each use of `word` (a lemma) in text."""
    words = [lemma(w) for w in re.findall(r"[\w']+", text.casefold())]
    out: set[str] = set()
    for i, w in enumerate(words):
        if w == word:
            near = words[max(0, i - PREDICATE_WORDS) : i] + words[i + 1 : i + 1 + PREDICATE_WORDS]
            out |= {v for v in near if len(v) >= 4 and v not in STOP_WORDS and v not in _NEGATORS}
    return out


_NEGATORS = frozenset({"not", "never", "no", "deny", "reject", "refuse", "dismiss"})


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


# --------------------------------------------------------------------------- one party answering another

EXCHANGE_SENTENCES = 3
"""How far back (in sentences of one article) a reply looks for the statement it answers; a side also cites
its speaker's other statements this near the exchange."""
FRAGMENT_WORDS = 3
"""Pieces shorter than this ("Lt.", "Col." cut at their dots) are not counted as sentences of an exchange."""
SIDE_SENTENCES = 2
"""Sentences of a side's own paragraph that run on from its statement without another speaker (the rest of
its quotation or argument), cited with it: a side is what its speaker says, not one line of it."""

# A sentence that answers another: its speaker's verb or words push back. An opening "But" / "However" alone
# does not: on the five gold sets every exchange found only by it (5 of 14 shown) was not a disagreement the
# analysts listed ("But Putin said backing Assad was the only way"), and no gold one was lost without it.
_REPLY = re.compile(
    r"\b(?:disagreed|disagrees|disagree|contradict\w*|rejected|rejects|dismissed|dismisses|denied|denies|"
    r"declined(?! to)|countered|counters|disputed|disputes|contends|contended|maintained|maintains|"
    r"(?:can ?not|cannot|could not|won't|will not) accept|not as \w+)\b",
    re.IGNORECASE,
)


def stance_conflicts(sources: list[Source], stated: list[tuple[str, Attributed]]) -> list[Discrepancy]:
    """One party answering others in the same article: a statement that pushes back (`_REPLY`: *rejected*,
    *denied*, *disputed*, *contends*, *cannot accept* ...) and the statements before it, within
    `EXCHANGE_SENTENCES`, of other speakers (nearest first, `MAX_ANSWERED` at most). Each side cites its
    speaker's sentences in the exchange and the sentences of its paragraph that run on from them
    (`SIDE_SENTENCES`)."""
    by_source: dict[str, list[tuple[int, int, str]]] = defaultdict(list)  # source -> (start, end, speaker)
    acted: set[tuple[str, int]] = set()  # sentences that report forces acting: a reply answers statements
    for label, item in stated:
        for c in item.citations:
            by_source[c.source].append((c.start, c.end, label))
            if isinstance(item, MilitaryMovement):
                acted.add((c.source, c.start))
    out: list[Discrepancy] = []
    everything = "\n".join(source.text for source in sources)  # where a person's nationality is given
    states: dict[str, str | None] = {}  # speaker -> `_state_of` it in `everything`: each searched for once

    def state_of(label: str) -> str | None:
        if label not in states:
            states[label] = _state_of(label, everything)
        return states[label]

    for source in sources:
        said = sorted(set(by_source.get(source.path, [])) | set(_parties(source, by_source.get(source.path, []))))
        if len(said) < 2:
            continue
        text = source.text
        order = [a for a, b in sentences(text) if len(text[a:b].split()) >= FRAGMENT_WORDS]
        index = {a: i for i, a in enumerate(order)}
        speakers: dict[int, str] = {start: label for start, _, label in said}
        for k, (start, end, label) in enumerate(said):
            if not _REPLY.search(text[start:end]):
                continue
            answered: list[tuple[int, int, str]] = []
            for start0, end0, label0 in reversed(said[:k]):
                if index.get(start, 0) - index.get(start0, 0) > EXCHANGE_SENTENCES or len(answered) >= MAX_ANSWERED:
                    break
                if start0 == start or (source.path, start0) in acted or not _others(label0, label):
                    continue
                if (state := state_of(label0)) and state == state_of(label):
                    continue  # "Moscow" and "President Putin" speak for one state
                if _opens_with(text[start0:end0], label):
                    continue  # the earlier sentence is the replier's own, under another label
                if any(label0 == who or same_actor(label0, who) for _, _, who in answered):
                    continue  # one side per speaker: their other statements are cited with it below
                answered.append((start0, end0, label0))
            if not answered:
                continue
            lo = min(index.get(a, 0) for a, _, _ in answered) - EXCHANGE_SENTENCES
            hi = index.get(start, 0) + EXCHANGE_SENTENCES
            claims = []
            for a, b, who in [*reversed(answered), (start, end, label)]:
                cited = _side(source, a, b, who, speakers)
                for a2, b2, who2 in said:  # the speaker's other statements in the exchange
                    if lo <= index.get(a2, -1) <= hi and a2 != a and (who2 == who or same_actor(who2, who)):
                        cited += [c for c in _side(source, a2, b2, who, speakers) if c not in cited]
                cited.sort(key=lambda c: c.start)
                claims.append(Claim(statement=f"{who}: {text[a:b]}", citations=cited))
            names = [who for _, _, who in reversed(answered)]
            out.append(Discrepancy(topic=f"{' and '.join(names)} and {label} answer each other", claims=claims))
    return out


MAX_ANSWERED = 2
"""Other speakers a reply is taken to answer at most: the nearest before it in the exchange."""


def _parties(source: Source, known: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Statements of parties no position names, in sentences no position cites: "survivors argue", "the
    defense contends", "environmental groups, who say" take sides in a dispute though they name nobody in
    particular (so they are never shown as positions of their own). Pronoun speakers are left out."""
    cited = [(a, b) for a, b, _ in known]
    out = []
    for a, b in sentences(source.text):
        if any(a < e and s < b for s, e in cited):
            continue
        said = attribution(source.text[a:b])
        if said and _a_party(said[0]):
            out.append((a, b, said[0]))
    return out


# Nouns for a side that names nobody in particular (with `BODY_WORDS` and bare plurals of people): general
# English for the parties of a dispute, trial or negotiation.
PARTY_NOUNS = frozenset(
    """defense defence prosecution government administration opposition authorities jury campaigners groups
    people townspeople residents families relatives unions delegates negotiators activists critics experts
    scientists lawyers officials survivors victims""".split()
)


def _a_party(speaker: str) -> bool:
    """A speaker that can take a side: its head word is a party, a body or people ("the defense",
    "environmental groups", "survivors"), not a thing ("the objection", "the report") or a pronoun."""
    words = re.findall(r"[\w'’-]+", speaker.casefold())
    if not words or speaker.casefold() in PRONOUNS:
        return False
    head = re.sub(r"['’]s?$", "", words[-1])
    return head in PARTY_NOUNS or is_body_word(head) or names_people(head)


def _state_of(label: str, text: str) -> str | None:
    """The state an actor is or speaks for: a country it names ("Moscow", "the US"), or the nationality
    the articles give the person ("Russian President Vladimir Putin" makes "Putin" Russia's)."""
    if state := country_of(label):
        return state
    names = [w for w in re.findall(r"[A-Z][\w'’-]+", label) if w.casefold() not in TITLES]
    if not names:
        return None
    last = re.escape(names[-1])
    for m in re.finditer(rf"\b([A-Z][a-z]+)(['’]s)?\s+(?:[A-Z][\w.'’-]*\s+){{0,4}}{last}\b", text):
        if is_demonym(m.group(1)) or (m.group(2) and country_of(m.group(1))):
            return country_of(m.group(1))  # "Russian President Vladimir Putin", "Russia's President Putin"
    return None


def _others(a: str, b: str) -> bool:
    """Two different speakers: `faithful.same_actor` says so, or cannot tell and they share no word
    ("the port authority" and "the dockers' union")."""
    same = same_actor(a, b)
    return same is False or (same is None and not content_stems(a) & content_stems(b))


OPENING_WORDS = 8
"""Words at a sentence's start that hold its subject."""


def _opens_with(sentence: str, speaker: str) -> bool:
    """The sentence names the speaker (a name word of 4+ letters) among its first `OPENING_WORDS` words."""
    opening = {w.casefold() for w in re.findall(r"[\w'’-]+", sentence)[:OPENING_WORDS]}
    return any(len(w) >= 4 and w[:1].isupper() and w.casefold() in opening for w in re.findall(r"[\w'’-]+", speaker))


def _side(source: Source, start: int, end: int, speaker: str, speakers: dict[int, str]) -> list[Citation]:
    """The speaker's sentence and up to `SIDE_SENTENCES` sentences of its paragraph after it that no other
    speaker says."""
    text = source.text
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    cited = [Citation(source=source.path, start=start, end=end, quote=text[start:end])]
    for a, b in sentences(text, end, line_end)[:SIDE_SENTENCES]:
        other = speakers.get(a)
        if other is not None and same_actor(other, speaker) is not True:
            break
        cited.append(Citation(source=source.path, start=a, end=b, quote=text[a:b]))
    return cited


# --------------------------------------------------------------------------- an accusation answered, a statement taken back

# An accusation in a sentence: "X accused Y of ...", "Y was accused of ...", "charged with", "alleged that",
# "blamed", "with claims that". "One of the accused" (a noun) accuses nobody.
_ACCUSATION = re.compile(
    r"\b(?:accus(?:ed|es|ing)\b(?:\s+[\w'’.-]+){0,5}?\s+of|charged with|alleg(?:ed|es|ing) that|"
    r"blam(?:ed|es|ing)|with claims? that|claims? that)\b",
    re.IGNORECASE,
)
# A speaker taking back what they said before.
_RETRACTION = re.compile(
    r"\b(?:recanted|recants|retracted|retracts|backtracked|backtracks|walked back|"
    r"withdrew (?:his|her|their|the) (?:remark|statement|comment|claim)s?)\b",
    re.IGNORECASE,
)
COUNSEL_NOUNS = frozenset("defense defence lawyer lawyers attorney attorneys counsel".split())
"""Head words of a speaker who answers for the accused: "Miller's lawyer", "the defense"."""


def answered_accusations(sources: list[Source]) -> list[Discrepancy]:
    """Claim against denial within one article: an accusation ("the townspeople accused Ms Varga of ...",
    "the prosecution ... with claims that the defendants acted criminally") and, within
    `EXCHANGE_SENTENCES` after it, the first statement of the accused (a name word of the speaker is in the
    accusation) or of their counsel ("Varga's lawyer"; a bare "the defense" only with a verb that pushes
    back); and a speaker taking back an earlier statement ("later recanted his statement") with that
    statement, within `EXCHANGE_SENTENCES` before it. Each side cites its own sentence."""
    out: list[Discrepancy] = []
    for source in sources:
        text = source.text
        order = [(a, b) for a, b in sentences(text) if len(text[a:b].split()) >= FRAGMENT_WORDS]
        cues = [i for i, (a, b) in enumerate(order) if _RETRACTION.search(text[a:b]) or _ACCUSATION.search(text[a:b])]
        near = {k for i in cues for k in range(i - EXCHANGE_SENTENCES, i + EXCHANGE_SENTENCES + 1)}
        said = [attribution(text[a:b]) if i in near else None for i, (a, b) in enumerate(order)]
        for i in cues:
            a, b = order[i]
            sentence = text[a:b]
            if _RETRACTION.search(sentence):
                if said[i] and (earlier := _earlier_statement(order, said, i)) is not None:
                    who = said[i][0]
                    out.append(
                        _exchange(
                            source, f"{who} takes back an earlier statement", [(order[earlier], who), ((a, b), who)]
                        )
                    )
                continue
            accusation = _ACCUSATION.search(sentence)
            if not accusation:
                continue
            accuser = said[i][0] if said[i] else None
            for k in range(i + 1, min(len(order), i + 1 + EXCHANGE_SENTENCES)):
                if said[k] is None or (accuser and not _others(accuser, said[k][0])):
                    continue
                who = said[k][0]
                if _answers_for_accused(who, sentence[accusation.start() :], text[order[k][0] : order[k][1]]):
                    out.append(_exchange(source, f"{who} answers an accusation", [((a, b), accuser), (order[k], who)]))
                    break
    return out


def _answers_for_accused(speaker: str, accusation: str, reply: str) -> bool:
    """The speaker is the accused (a name word of theirs is in the accusation) or speaks for them."""
    words = re.findall(r"[\w'’-]+", speaker)
    if not words:
        return False
    named = any(len(w) >= 4 and w[:1].isupper() and re.sub(r"['’]s?$", "", w) in accusation for w in words)
    if words[-1].casefold() not in COUNSEL_NOUNS:
        return named
    if re.search(r"['’]s?\s+[\w-]+$", speaker):  # "Miller's lawyer": Miller must be the accused
        return named
    return bool(_REPLY.search(reply))  # "the defense" answers only by pushing back


def _earlier_statement(order: list[tuple[int, int]], said: list, i: int) -> int | None:
    """The nearest sentence before `i`, within `EXCHANGE_SENTENCES`, that the same speaker says."""
    for k in range(i - 1, max(-1, i - 1 - EXCHANGE_SENTENCES), -1):
        if said[k] and same_actor(said[k][0], said[i][0]):
            return k
    return None


def _exchange(source: Source, topic: str, sides: list[tuple[tuple[int, int], str | None]]) -> Discrepancy:
    text = source.text
    claims = [
        Claim(
            statement=f"{who}: {text[a:b]}" if who else text[a:b],
            citations=[Citation(source=source.path, start=a, end=b, quote=text[a:b])],
        )
        for (a, b), who in sides
    ]
    return Discrepancy(topic=topic, claims=claims)


def distinct(discrepancies: list[Discrepancy]) -> list[Discrepancy]:
    """Each disagreement once: one whose cited sentences an earlier one already cites is left out."""
    out: list[Discrepancy] = []
    seen: list[set[tuple[str, int]]] = []
    for d in discrepancies:
        cited = {(c.source, c.start) for claim in d.claims for c in claim.citations}
        if any(cited <= s for s in seen):
            continue
        out.append(d)
        seen.append(cited)
    return out
