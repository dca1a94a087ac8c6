"""Does a cited sentence back a claim? Code checks what a small model gets wrong when it paraphrases.

`check_claim(claim, evidence, actor=...)` returns a `Verdict`: backed, or the reasons it is not:

* the evidence is written to a language model (instructions, role-play, fake JSON or citations);
* a number or quantity in the claim is not in the evidence ("fifteen" = 15; "thousands" is not 500);
* the claim and the evidence differ in polarity (a dropped or added "not", "denied", "refused");
* a name, place, month or other capitalised word of the claim is not in the evidence (a demonym meets
  its country: "Russian" and "Russia");
* the actor is not the one the evidence gives: not named there at all, or not the speaker when the
  sentence attributes what it says ("X said ...");
* too little of the claim's content is in the evidence (`text.CLAIM_SUPPORT`).

It never asks a model: what is shown is decided here, the model only proposes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .aliases import TITLES, initials, mention_terms
from .candidates import addressed_to_model, attribution, clause_subject, forces_action, is_body_word, names_people
from .countries import countries_in, country_of, is_demonym
from .text import CLAIM_SUPPORT, WORD_CACHE, coverage, fold_text, mentions

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12, "hundred": 100, "thousand": 1000,
    "million": 1_000_000, "billion": 1_000_000_000, "trillion": 1_000_000_000_000,
}  # fmt: skip
_VAGUE = {"dozens", "hundreds", "thousands", "millions", "billions", "tens", "scores", "several", "few", "many"}
_MULTIPLIER = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000, "bn": 1_000_000_000,
               "m": 1_000_000, "k": 1000, "trillion": 1_000_000_000_000}  # fmt: skip
_QUANTITY = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)*)\s*(?P<mult>hundred|thousand|million|billion|trillion|bn|m|k)?\b|"
    r"(?P<words>\b(?:"
    + "|".join(sorted(_UNITS, key=len, reverse=True))
    + r")(?:[\s-]+(?:"
    + "|".join(sorted(_UNITS, key=len, reverse=True))
    + r"))*\b)|(?P<vague>\b(?:"
    + "|".join(_VAGUE)
    + r")\b)",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without|cannot|denied|denies|deny|denying|refused|refuses|"
    r"refuse|rejected|rejects|failed|fails|unable|dismissed|dismisses)\b|n't\b",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*[a-z][\w'’-]*\b|\b[A-Z]{2,}\b")
_MONTHS_DAYS = re.compile(
    r"^(?:January|February|March|April|May|June|July|August|September|October|November|December|Monday|Tuesday|"
    r"Wednesday|Thursday|Friday|Saturday|Sunday)$"
)


@dataclass(frozen=True)
class Verdict:
    """Whether the evidence backs the claim, and if not, why (one reason per failed check)."""

    backed: bool
    reasons: tuple[str, ...] = ()


_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}


_NOT_A_NUMBER = re.compile(
    r"\b(?:no one|one of|one ever|one another|the one|one day|this one|that one|every one)\b", re.IGNORECASE
)


def quantities(text: str) -> set[str]:
    """The numbers and quantity words of `text`, normalised: '15' and 'fifteen' -> '15', '1,500' -> '1500',
    '2.5 million' -> '2500000', 'thousands' -> 'thousands'."""
    return {value for value, _ in counted(text)}


def counted(text: str) -> set[tuple[str, str]]:
    """(quantity, the word it counts) pairs: 'a ten-year plan' -> ('10', 'year'), '500 troops' -> ('500',
    'troop'); the word is '' when none follows."""
    text = _NOT_A_NUMBER.sub(" ", text)
    found: set[tuple[str, str]] = set()
    for m in _QUANTITY.finditer(text):
        after = re.match(r"[\s-]*([A-Za-z]+)", text[m.end() :])
        unit = _lemma(after.group(1)) if after else ""
        for value in _values(m):
            found.add((value, unit))
    found |= {(str(_ORDINALS[w]), "") for w in re.findall(r"[a-z]+", text.casefold()) if w in _ORDINALS}
    return found


def _values(m: re.Match[str]) -> set[str]:
    """The normalised value of one quantity match."""
    if m.group("vague"):
        return {m.group("vague").casefold()}
    if m.group("words"):
        return {_number(_words_value(m.group("words")))}
    raw = m.group("num")
    if not re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", raw):
        return {raw}
    value = float(raw.replace(",", "")) * _MULTIPLIER.get((m.group("mult") or "").casefold(), 1)
    return {_number(value)}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _words_value(words: str) -> float:
    total, current = 0.0, 0.0
    for w in re.split(r"[\s-]+", words.casefold()):
        v = _UNITS.get(w)
        if v is None:
            continue
        if v >= 1000:
            total += max(current, 1) * v
            current = 0
        elif v == 100:
            current = max(current, 1) * 100
        else:
            current += v
    return total + current


def negated(text: str) -> bool:
    """Whether the text says something is not so (not, never, denied, refused, ...)."""
    return bool(_NEGATION.search(text))


def _name_in(word: str, evidence_folded: str) -> bool:
    """A capitalised word of the claim is in the evidence: whole, or as the stem of a demonym or country
    ('Russian' ~ 'Russia', 'Syrian' ~ 'Syria'), or as a possessive."""
    w = fold_text(word).strip("'")
    w = re.sub(r"'s$", "", w)
    if re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", evidence_folded):
        return True
    stem = re.sub(r"(?:ians?|ans?|ese|ish|i|s)$", "", w)
    return len(stem) >= 4 and re.search(r"(?<!\w)" + re.escape(stem), evidence_folded) is not None


_ROLE_STOP = {
    "the",
    "and",
    "for",
    "his",
    "her",
    "its",
    "their",
    "forces",
    "troops",
    "government",
    "officials",
    "president",
    "minister",
    "prime",
    "foreign",
    "secretary",
    "spokesman",
    "spokeswoman",
    "police",
    "chief",
    "leader",
    "army",
    "military",
    "navy",
    "ministry",
    "office",
    "state",
    "defense",
    "defence",
}
_PRONOUNS = {"he", "she", "they", "it", "we", "i"}


def _name_words(actor: str) -> set[str]:
    return {w for w in re.findall(r"\w+", fold_text(actor)) if len(w) >= 3 and w not in _ROLE_STOP}


def _actor_words(actor: str) -> list[str]:
    return [w for w in re.findall(r"[A-Z][\w'’-]+", actor) if len(w) >= 3]


_PEOPLE_OF = re.compile(
    r"\b(?:public|people|peoples|citizens|population|voters|media|press|opposition|community|diaspora|civilians|"
    r"rebels|students|businesses|companies|firms|charities|survivors|families|victims)\b",
    re.IGNORECASE,
)
"""Nouns after a nationality that name its people, not its state: "the Romanian public", "Syrian rebels"."""


def _people_of(phrase: str) -> bool:
    return bool(_PEOPLE_OF.search(phrase) and countries_in(phrase))


def _states(phrase: str) -> set[str]:
    if _PEOPLE_OF.search(phrase):
        return set()
    whole = country_of(phrase)
    return {whole} if whole else countries_in(phrase)


def same_actor(actor: str, other: str) -> bool | None:
    """Whether two actor phrases denote one actor: True (a shared name word, or one state by its name,
    code, demonym or capital), False (both name someone, differently), None (cannot tell: a pronoun, or a
    description without a name such as 'the superpower')."""
    a, b = _name_words(actor), _name_words(other)
    if _shares_name({w for w in a if not is_demonym(w)}, {w for w in b if not is_demonym(w)}):
        return True  # a nationality alone is no shared name: "the Romanian public" is not "the Romanian Government"
    if names_people(other) and _actor_words(actor):
        return False  # "environmentalists" are not the European Union
    sa, sb = _states(actor), _states(other)
    if (sa and _people_of(other)) or (sb and _people_of(actor)):
        return False  # the Romanian public is not the Romanian Government
    if sa and sb:
        return bool(sa & sb)
    if re.match(r"(?i)(?:the|a|an|one|two|some|several|many|other)\b", other.strip()):
        return _body_in_description(actor, other)
    named = any(w[:1].isupper() for w in re.findall(r"[\w'’-]+", other))
    return False if named and b else None


def _is_body(actor: str) -> bool:
    """A state, or a name with a word of a body ('Red Cross', 'United Nations', 'CBS News'), or an acronym."""
    words = re.findall(r"[\w'’.-]+", actor)
    return bool(_states(actor)) or any(is_body_word(w) or (len(w) >= 2 and w.replace(".", "").isupper()) for w in words)


_BODY_RUN = re.compile(r"[A-Z][\w'’.-]*(?:\s+(?:of\s+|for\s+|and\s+|the\s+)*[A-Z][\w'’.-]*)*")


def _body_in_description(actor: str, description: str) -> bool | None:
    """A description that names a body ('a U.N. official', 'a spokesman for the Red Cross') speaks for that
    body: the same actor as a body of that name or initials, another actor than a different body. A person,
    or a description with no body's name in it ('the Russian president', 'the Bush administration'),
    cannot be told apart (None)."""
    if _states(actor):
        return None  # a state acts through bodies of any name
    bodies = [
        run
        for run in (re.sub(r"^(?:The|A|An)\s+", "", m.group(0)) for m in _BODY_RUN.finditer(description))
        if not _states(run) and not is_demonym(run.rstrip("'’s")) and _is_body(run) and fold_text(run) not in TITLES
    ]
    if not bodies:
        return None
    if not _is_body(actor):
        # a person may speak for a body ('the UN's chief'), but a body as a whole is not a person
        whole = re.sub(r"^(?:the|a|an)\s+", "", description.strip(), flags=re.IGNORECASE)
        return False if whole in bodies else None
    short = initials(actor)
    for body in bodies:
        if re.sub(r"['’]s$|\.", "", body).casefold() == short or _shares_name(_name_words(actor), _name_words(body)):
            return True
    return False


def _shares_name(a: set[str], b: set[str]) -> bool:
    return bool(a & b) or any(x[:5] == y[:5] for x in a for y in b if len(x) >= 5 and len(y) >= 5)


def _named(actor: str, evidence: str, folded: str) -> bool:
    """The actor, its initials ('EU'), or its state by another of its names, is in the evidence."""
    if mentions(evidence, [actor]) or any(_name_in(w, folded) for w in _actor_words(actor)):
        return True
    initials = "".join(w[0] for w in re.findall(r"[A-Z][a-z]+", actor))
    if len(initials) >= 2 and re.search(rf"\b{initials}\b", evidence):
        return True
    states = _states(actor)
    if not states:
        return False
    return bool(states & countries_in(evidence)) or any(
        country_of(w) in states for w in re.findall(r"[A-Z][\w'’.-]+", evidence)
    )


def _clauses(text: str) -> list[str]:
    return [c for c in re.split(r"[,;:]\s+|\s+(?:but|although|though|while|whereas)\s+", text) if c.strip()]


_NEGATORS = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without|cannot|no longer|denied|denies|deny|denying|"
    r"refused|refuses|refuse|rejected|rejects|failed|fails|dismissed|dismisses)\b|n't\b",
    re.IGNORECASE,
)
_UN = re.compile(
    r"\bun(likely|sure|able|clear|known|willing|aware|certain|true|founded|confirmed|lawful|fair)\b", re.IGNORECASE
)
_SKIP = {
    "be",
    "been",
    "being",
    "to",
    "the",
    "a",
    "an",
    "any",
    "have",
    "has",
    "had",
    "is",
    "are",
    "was",
    "were",
    "do",
    "does",
    "did",
    "will",
    "would",
    "can",
    "could",
    "that",
    "it",
    "yet",
    "so",
    "all",
    "very",
    "more",
    "only",
    "also",
    "longer",
}


@lru_cache(maxsize=WORD_CACHE)
def _lemma(word: str) -> str:
    """A crude stem that makes 'resume', 'resumed' and 'resumes' one word (and 'denies', 'denied', 'deny')."""
    w = word.casefold()
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: len(w) - len(suffix)] + repl
            break
    return w[:-1] if w.endswith("e") and len(w) > 4 else w


_LEXICAL = {"deni": "deny", "deny": "deny", "refus": "refuse", "reject": "reject", "dismiss": "dismiss", "fail": "fail"}


@lru_cache(maxsize=WORD_CACHE)
def _lexical(word: str) -> str | None:
    for root, name in _LEXICAL.items():
        if word.startswith(root):
            return name
    return None


@lru_cache(maxsize=WORD_CACHE)
def _polarity(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(what is said to be not so, every lemma): the first content word after each "not", "never", "no",
    "without", "un-" ("did not apply" -> apply, "unlikely" -> likely), and each denial, refusal or
    rejection itself ("denied" -> deny) unless a "not" cancels it. Remembered: a sentence is read once."""
    text = _UN.sub(lambda m: "not " + m.group(1), text)
    text = re.sub(
        r"(?i)\b(ca|wo|do|does|did|is|are|was|were|has|have|had|could|would|should|must)n['’]t\b",
        lambda m: {"ca": "can", "wo": "will"}.get(m.group(1).casefold(), m.group(1)) + " not",
        text,
    )
    words = re.findall(r"[\w']+", text.casefold())
    negated_lemmas: set[str] = set()
    cancelled: set[int] = set()
    for i, w in enumerate(words):
        if _lexical(w):
            continue
        if _NEGATORS.fullmatch(w):
            for j in range(i + 1, min(len(words), i + 5)):
                nxt = words[j]
                if nxt in _SKIP:
                    continue
                negated_lemmas.add(_lexical(nxt) or _lemma(nxt))
                cancelled.add(j)
                break
    lexical = {_lexical(w) for i, w in enumerate(words) if _lexical(w) and i not in cancelled}
    negated_lemmas |= {f"~{name}" for name in lexical}
    every = {_lemma(w) for w in words} | {_lexical(w) or "" for w in words} | {f"~{n}" for n in lexical}
    return frozenset(negated_lemmas), frozenset(every)


def _polarity_differs(claim: str, evidence: str) -> bool:
    """A word the claim says is not so, the evidence says is (or the reverse): a dropped or added "not",
    "never", "denied", "un-"."""
    claim_neg, claim_all = _polarity(claim)
    evid_neg, evid_all = _polarity(evidence)
    if (claim_neg & evid_all) - evid_neg or (evid_neg & claim_all) - claim_neg:
        return True
    if claim_neg and not evid_neg:  # "could not stay" against "could remain": no negation to back it
        return True
    claim_lex = {n for n in claim_neg if n.startswith("~")}
    evid_lex = {n for n in evid_neg if n.startswith("~")}
    if claim_lex - evid_neg or (evid_lex - claim_neg and not (claim_neg - evid_lex)):
        return True
    clauses = _clauses(evidence) or [evidence]
    best = max(clauses, key=lambda c: coverage(claim, c))
    return bool(_polarity(best)[0]) and not claim_neg and coverage(claim, best) > 0


def lemma(word: str) -> str:
    """The crude stem this module compares words by ('denies', 'denied', 'deny' -> 'deny')."""
    return _lemma(word)


def negated_words(text: str) -> set[str]:
    """Lemmas of what the text says is not so: the word after a "not", "never", "no", and what is denied."""
    return {w for w in _polarity(text)[0] | _objects_of_denial(text) if _meaningful(w)}


def polarity_conflict(a: str, b: str) -> bool:
    """Whether one text says is not so what the other says is: a word negated, denied or refused in one
    and affirmed in the other ("did not send troops" / "sent troops"; "denied the report" / "the report")."""
    neg_a, neg_b = negated_words(a), negated_words(b)
    plain_a = {_lemma(w) for w in re.findall(r"[\w']+", a.casefold())}
    plain_b = {_lemma(w) for w in re.findall(r"[\w']+", b.casefold())}
    return bool((neg_a & plain_b) - neg_b) or bool((neg_b & plain_a) - neg_a)


def _meaningful(lemma: str) -> bool:
    return len(lemma) >= 4 and not lemma.startswith("~") and lemma not in _FUNCTION_WORDS


_FUNCTION_WORDS = {
    "other",
    "more",
    "less",
    "such",
    "same",
    "just",
    "only",
    "even",
    "much",
    "many",
    "part",
    "longer",
    "there",
    "their",
    "this",
    "that",
    "what",
    "which",
    "when",
    "where",
    "with",
    "from",
    "about",
}


def _objects_of_denial(text: str) -> set[str]:
    """What a denial, refusal or rejection is of: the first content word after it ('denied sending' -> send)."""
    words = re.findall(r"[\w']+", text.casefold())
    out: set[str] = set()
    for i, w in enumerate(words):
        if _lexical(w) and not (i and words[i - 1] in {"not", "never"}):
            for nxt in words[i + 1 : i + 5]:
                if nxt not in _SKIP:
                    out.add(_lemma(nxt))
                    break
    return out


def _acronym_in(word: str, evidence: str) -> bool:
    """'UN' is in 'the United Nations said': the initials of capitalised words in a row."""
    if not (word.isupper() and 2 <= len(word) <= 5):
        return False
    for run in re.findall(r"(?:[A-Z][a-z]+(?:\s+(?:of|for|and|the)\s+|\s+)?)+", evidence):
        initials = "".join(w[0] for w in re.findall(r"[A-Z][a-z]+", run))
        if word in initials:
            return True
    return False


# A claim's first word is capitalised by sentence case: it is a name only if it looks like one.
_COMMON_FIRST = re.compile(
    r"^(?:\w+(?:ly|ing|ed|es|s)|has|have|had|is|are|was|were|will|would|could|can|may|must|should|the|a|an|"
    r"there|it|its|this|that|these|those|some|any|all|no|not|more|most|both|each|every|after|before|in|on|at|"
    r"by|for|with|to|of|as|if|when|over|under|about|around|nearly|almost|only|also|up|down)$",
    re.IGNORECASE,
)


def _unbacked_names(claim: str, evidence: str, folded: str, actor: str) -> set[str]:
    names = {
        w
        for w in _CAPITALISED.findall(claim)
        if not _name_in(w, folded) and not _acronym_in(w, evidence) and not (_states(w) & countries_in(evidence))
    }
    first = re.match(r"\W*([\w'’-]+)", claim)
    word = first.group(1) if first else ""
    if word in names and word.istitle() and not _MONTHS_DAYS.match(word) and not _states(word):
        names.discard(word)  # sentence case: the first word is capitalised whatever it is
    if actor.strip():
        names -= set(_actor_words(actor))  # the actor is checked with all its names, below
    return names


def _role(evidence: str, kind: str, claim: str = "") -> str | None:
    """Who the evidence says holds the stance (a position) or whose forces act (a movement): read in the
    clause that says most of the claim when that clause names its own subject, else in the sentence."""
    clauses = _clauses(evidence)
    if claim and len(clauses) > 1:
        best = max(clauses, key=lambda c: coverage(claim, c))
        own = attribution(best) if kind == "position" else forces_action(best)
        if own:
            return own[0]
        if (
            re.match(r"(?:which|who)\b", best)
            and coverage(claim, best) >= CLAIM_SUPPORT
            and not re.search(r"\b(?:by|from)\s+(?:the\s+)?[A-Z]", best)  # "which is under pressure from NATO"
        ):
            # "talks with Saudi Arabia, which is firmly bent on unseating Assad": the clause is about the name
            antecedent = re.search(
                r"(?:[A-Z][\w'’.-]*\s+)*[A-Z][\w'’.-]*$", evidence[: evidence.index(best)].rstrip(", ")
            )
            if antecedent:
                return antecedent.group(0)
        if kind == "movement" and coverage(claim, best) >= CLAIM_SUPPORT and (subject := clause_subject(best)):
            return subject
    if kind == "position":
        said = attribution(evidence)
        return said[0] if said else None
    if kind == "movement":
        acted = forces_action(evidence)
        return acted[0] if acted else None
    return None


def _mention_offsets(actor: str, evidence: str) -> list[int]:
    """Where the evidence names the actor: its name words, or a state's other names ("the U.S." for the
    United States, with or without the dots), never its demonym ("American soldiers" are not the state)."""
    words = [w for w in _actor_words(actor) if w.casefold() not in {"the", "and", "for"}] or [actor]
    words += [t for t in mention_terms(actor)[1:] if not is_demonym(t)]
    patterns = [r"\.?".join(map(re.escape, w)) + r"\.?" if w.isupper() and len(w) <= 5 else re.escape(w) for w in words]
    spans = sorted({m.span() for p in patterns for m in re.finditer(r"(?<!\w)" + p + r"(?!\w)", evidence, re.I)})
    # "Kingston Crown Court" is one mention, not three
    return [a for a, _ in spans if not any(b < a and a - e <= 1 for b, e in spans)]


def _object_only(actor: str, evidence: str, role_verb_at: int) -> bool:
    """The actor is named only after the verb that carries the claim: the one acted upon or spoken to."""
    at = _mention_offsets(actor, evidence)
    return bool(at) and min(at) > role_verb_at


def _coordinated(actor: str, role: str, evidence: str) -> bool:
    """The actor and the role are joined by "and" as one subject ("the EU and environmentalists say")."""
    at = evidence.find(role)
    if at < 0:
        return False
    for i in _mention_offsets(actor, evidence):
        if i < at and re.fullmatch(r"[\w'’.-]+(?:\s+[\w'’.-]+){0,3}\s+(?:and|&)\s+(?:the\s+)?", evidence[i:at]):
            return True
        if i > at and re.fullmatch(r"\s+(?:and|&)\s+(?:the\s+)?", evidence[at + len(role) : i]):
            return True
    return False


_GOVERNED = re.compile(
    r"\b(?<!along )(?<!together )(?:to|against|with|toward|towards|than|told|urged|warned|asked|accused|blamed|"
    r"thanked|criticised|criticized|pressed|called on|appealed to)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
"""Words before a name that make it the one spoken to, acted upon or compared with, not the one who acts."""


def _only_acted_upon(actor: str, evidence: str) -> bool:
    """Every mention of the actor is governed by a preposition or a verb of address ("told the west it must",
    "donated $10,000 to the Red Cross", "rich nations like the U.S.")."""
    at = _mention_offsets(actor, evidence)
    return bool(at) and all(
        _GOVERNED.search(evidence[max(0, i - 40) : i]) and not _RELATIVE.match(evidence, i + 1) for i in at
    )


_RELATIVE = re.compile(r"[^,;]{0,60}?,\s+(?:which|who)\b")
"""A name that a relative clause is about ("talks with Saudi Arabia, which is bent on ...") may hold what
that clause says."""


def check_claim(claim: str, evidence: str, *, actor: str = "", kind: str = "fact") -> Verdict:
    """Whether `evidence` (the cited sentence or sentences) backs `claim` said of `actor` (see the module
    docstring). `kind` is "position", "movement" or "fact"; it decides which role the actor must have."""
    reasons: list[str] = []
    folded = fold_text(evidence)
    if addressed_to_model(evidence) or addressed_to_model(claim):
        reasons.append("the text is written to a language model")
    missing = sorted(quantities(claim) - quantities(evidence))
    evidence_counts = counted(evidence)
    units = {u: {v for v, u2 in evidence_counts if u2 == u} for _, u in evidence_counts if u}
    missing += sorted(f"{v} {u}" for v, u in counted(claim) if u in units and v not in units[u])
    if missing:
        reasons.append(f"the quantities {', '.join(missing)} are not in the cited words")
    if _polarity_differs(claim, evidence):
        reasons.append("the claim and the cited words differ in polarity (not, never, denied, refused)")
    names = _unbacked_names(claim, evidence, folded, actor)
    if names:
        reasons.append(f"{', '.join(sorted(names))} not in the cited words")
    if actor.strip():
        role = _role(evidence, kind, claim)
        same = same_actor(actor, role) if role and role.casefold() not in _PRONOUNS else None
        does = "says it" if kind == "position" else "acts"
        if same is False and role and _coordinated(actor, role, evidence):
            pass  # "the European Union and environmentalists say": both say it
        elif same is False:
            reasons.append(f"the cited words give {role}, not {actor}, as the one who {does}")
        elif (
            same is None
            and role
            and role in evidence
            and _object_only(actor, evidence, evidence.index(role) + len(role))
        ):
            reasons.append(f"{actor} is named only as the one acted upon or spoken to, not the one who {does}")
        elif same is None and _only_acted_upon(actor, evidence):
            reasons.append(f"{actor} is named only as the one acted upon or spoken to, not the one who {does}")
        elif same is None and not role and not _named(actor, evidence, folded):
            subject = clause_subject(evidence)
            if not subject or same_actor(actor, subject) is False:
                reasons.append(f"{actor} is not named in the cited words")
    if coverage(claim, evidence, leave_out=actor) < CLAIM_SUPPORT:
        reasons.append("too little of the claim is in the cited words")
    return Verdict(backed=not reasons, reasons=tuple(reasons))
