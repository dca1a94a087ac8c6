"""Candidate items found in code: which sentences attribute a stance to someone, or report forces acting.

The small model is poor at deciding *who* holds a stance or whose forces act, and at telling a movement
from diplomacy; English marks both in ways code can read. For every sentence of the chunked text:

* `attribution` finds a speaker and a reporting verb ("X said", "said X", "according to X", "X, the
  minister, warned", "X denied"), a pronoun speaker resolved to the last person named before it;
* `forces_action` finds a physical action by armed or security forces (a force noun and an action verb)
  and whose forces they are (the sentence's subject, a nationality before the force noun, or "by X");
* `status_of` reads the sentence's status: reported, claimed, denied, planned or hypothetical;
* `addressed_to_model` marks text written to a language model (instructions, role-play, fake JSON or
  citations): such a sentence is never a candidate and never cited.

Only general English is used here (verbs, pronouns, force nouns, modal words): nothing about any story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from .aliases import TITLES
from .countries import country_of, is_demonym
from .models import Source
from .text import sentences

# --------------------------------------------------------------------------- vocabulary (general English)

SAY_VERBS = (
    "said|says|say|told|tells|added|adds|stated|states|claimed|claims|claim|warned|warns|urged|urges|accused|accuse|"
    "accuses|denied|denies|deny|insisted|insists|argued|argues|announced|announces|declared|declares|rejected|"
    "rejects|condemned|condemns|criticised|criticized|criticises|criticizes|welcomed|welcomes|demanded|demands|"
    "called|calls|pledged|pledges|vowed|vows|promised|promises|threatened|threatens|admitted|admits|confirmed|"
    "confirms|believes|believe|believed|wants|want|hopes|hope|fears|fear|expects|expect|estimated|estimates|"
    "described|describes|agreed|agrees|refused|refuses|dismissed|dismisses|blamed|blames|alleged|alleges|"
    "stressed|stresses|suggested|suggests|predicted|predicts|acknowledged|acknowledges|"
    "asserted|asserts|explained|explains|questioned|questions|opposed|opposes|supported|supports|backed|backs|"
    "proposed|proposes|recommended|recommends|asked|asks|appealed|appeals|reported|reports|noted|notes|"
    "insisted|emphasised|emphasized|reiterated|reiterates|countered|responded|replied|concluded|concludes|"
    "revealed|reveals|disclosed|signalled|signaled|indicated|indicates|thinks|think|thought|considers|"
    "considered|regards|regarded|plans|planned|intends|intended|seeks|sought|objected|protested|pleaded|"
    "testified|ruled|decided|decides|sentenced|convicted|acquitted|ordered|orders|recognised|recognized|"
    "offered|offers|pressed|presses|floated|sees|see|saw|resents|resent|favours|favors|hinted|hints|"
    "pushed|lobbied|endorsed|endorses|approved|approves|vetoed|expressed|voiced|charged|praised|"
    "defended|defends|justified|argue|insist|oppose|deplored|lamented|cautioned|conceded|described|"
    "speculated|speculates|observed|remarked|commented|maintain(?:s|ed)(?= that )|contended|contends|wrote|writes|"
    "tweeted|forecast|recalled|assessed|guaranteed|assured|reassured|estimating|predicting|warning|insisting|"
    "arguing|urging|demanding|adding|saying|stating|claiming|noting|stressing|calling|restated|restates|declined|declines|"
    # a base form only after "to": "went on to demand", "is expected to emphasize" ("the state" is a noun)
    r"(?<=\bto )(?:say|state|demand|accuse|warn|urge|insist|stress|emphasi[sz]e|argue|reject|propose|deny|"
    r"oppose|condemn|critici[sz]e)"
)
_SAY = rf"(?:{SAY_VERBS})"
_AUX_WORDS = (
    r"has|have|had|was|were|is|are|been|being|will|would|could|also|previously|repeatedly|later|then|earlier|"
    r"again|not|now|already|still|reportedly|did|does|do|publicly|strongly|clearly|firmly|formally|officially|"
    r"(?:is|are|was|were)\s+(?:expected|set|due|likely|about|ready|willing|prepared|trying|seeking|hoping|"
    r"planning|keen|going|said|understood|believed|thought|reported)\s+to|(?:want|wants|wanted|aims?|seeks?|"
    r"hopes?|plans?|intends?|tried|tries|attempted|attempts|continued|continues|refused|refuses)\s+to|"
    r"(?:went|goes|go)\s+on\s+to"
)
_AUX = rf"(?:(?:{_AUX_WORDS})\s+)*"

FORCE_NOUNS = (
    "troops|troop|forces|force|soldiers|soldier|servicemen|army|armies|navy|naval|air force|military|marines|"
    "warships|warship|ships|vessels|submarines|jets|aircraft|warplanes|planes|helicopters|drones|tanks|"
    "artillery|missiles|missile|rockets|weapons|arms|ammunition|militants|fighters|rebels|insurgents|guerrillas|"
    "militia|militias|police|officers|commandos|special forces|units|brigade|battalion|division|coast guard|"
    "border guards|guards|gunmen|bombers|snipers|paratroopers|personnel|advisers|advisors|equipment|convoy|"
    "generals|commanders|fighter jets|fighter aircraft|air defences|air defenses"
)
ACTION_VERBS = (
    "deploy|deployed|deploying|deploys|send|sent|sending|sends|move|moved|moving|moves|mass|massed|massing|"
    "patrol|patrolled|patrolling|patrols|exercise|exercises|drills|seize|seized|seizing|seizes|capture|captured|"
    "capturing|detain|detained|detaining|arrest|arrested|arresting|strike|struck|striking|strikes|airstrikes|"
    "air strikes|attack|attacked|attacking|attacks|fire|fired|firing|shot|shoot|shooting|shelled|shelling|"
    "bomb|bombed|bombing|bombings|raid|raided|raiding|raids|search|searched|searching|withdraw|withdrew|"
    "withdrawn|withdrawing|pull out|pulled out|deliver|delivered|delivering|deliveries|airlift|airlifted|"
    "airlifting|ship|shipped|shipping|shipments|land|landed|landing|invade|invaded|invading|occupy|occupied|"
    "advance|advanced|advancing|launch|launched|launching|station|stationed|build up|built up|reinforce|"
    "reinforced|arrive|arrived|arriving|enter|entered|stormed|storm|killed|kill|blockade|intercepted|"
    "recovered|evacuated|rescued|flew|flown|sailed|dispatched|mobilised|mobilized|trained|training|supply|"
    "supplied|supplying|armed|arming|cross|crossed|crossing|pulled back|pull back|pulling back|retreat|retreated|"
    "retreating|took control|taken control|seized control|overran|shelled|clashed|ambushed|surrounded|"
    "provide|provides|provided|providing|brought in|bring in|bringing in|escorted|guarded|guarding"
)
_FORCE = re.compile(rf"\b(?:{FORCE_NOUNS})\b", re.IGNORECASE)
# lower case only: "King's Cross" and "Fire Service" are names, not actions
_ACTION = re.compile(rf"(?<![\w-])(?:{ACTION_VERBS})\b")

PRONOUNS = {"he", "she", "they", "it", "we", "i"}
_NAME_WORD = r"(?:[A-Z][\w'’.-]*|al-\w+|el-\w+|bin|ibn|de|del|van|von|of|the|for|and|&)"
# A name: capitalised words, allowing small joining words inside ("Ministry of Defence", "Bashar al-Assad").
_NAME = rf"(?:[A-Z][\w'’.-]*(?:\s+{_NAME_WORD})*?(?:\s+[A-Z][\w'’.-]*)?)"
# A speaker phrase: a name, or a determiner + up to four words ("the Russian president", "a police spokesman").
_DESCRIPTION = r"(?:(?:the|a|an|one|two|three|several|many|some|other|senior|top)\s+(?:[\w'’-]+\s+){0,3}[\w'’-]+)"
_SPEAKER = rf"(?:{_NAME}|{_DESCRIPTION}|[Hh]e|[Ss]he|[Tt]hey|[Ww]e|[Ii]t)"
_OPENERS = {
    "the",
    "a",
    "an",
    "but",
    "and",
    "in",
    "on",
    "at",
    "as",
    "after",
    "before",
    "when",
    "while",
    "if",
    "however",
    "meanwhile",
    "this",
    "that",
    "these",
    "those",
    "it",
    "there",
    "since",
    "although",
    "though",
    "yesterday",
    "today",
    "last",
    "earlier",
    "later",
    "also",
    "according",
}

# A sentence's closing attribution: ', X said.', ', said X in a statement.', ', X has said.'
_CLOSING = re.compile(
    rf"[,\"”]\s+(?:[^,\"”]{{1,80}}?\s+(?:{_AUX})?(?:{_SAY})|(?:{_SAY})\s+[^,\"”]{{1,80}}?)(?:\s+(?:in|on|at)\s+[^,]{{1,40}})?[.!?]?[\"”’]?$"
)
_NAME_TAIL = re.compile(r"(?:\s+(?:(?:de|del|da|van|von|der|bin|ibn|al|el|la|le)\s+)*[A-Z][\w'’.-]*)+")
# Verbs that come before their speaker ('..., said X'); others take an object there ('criticised the men').
_INVERTED = r"said|says|added|adds|stated|states|claimed|claims|explained|noted|insisted|asked|replied|wrote|continued|warned|argued|concluded|announced|declared"
_VERB_SUBJECT = re.compile(rf"[,\"'”’]\s*(?P<verb>{_INVERTED})\s+(?P<speaker>{_NAME}|{_DESCRIPTION})", re.UNICODE)
# A quotation closed, then its speaker's name and a description in commas, and the verb at the very end.
_QUOTE_THEN_SPEAKER = re.compile(
    rf"[,!?][\"”]\s+(?P<speaker>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){{1,3}}),[^\"“”]{{0,200}}?\s(?P<verb>{_INVERTED})\.?\s*$"
)
# "a statement by a Pakistani official, saying that ...", "cites an unnamed official saying ...".
_SAYING = re.compile(
    rf"\b(?:by|cites|cited|quoted|quotes|quoting|from)\s+(?P<speaker>{_DESCRIPTION}|{_NAME}),?\s+(?P<verb>saying)\b",
    re.UNICODE,
)
_ACCORDING = re.compile(rf"\b[Aa]ccording to (?P<speaker>{_NAME}|{_DESCRIPTION})", re.UNICODE)

_NEGATED_DENIAL = re.compile(r"\b(?:denied|denies|deny|rejected|rejects|dismissed|dismisses)\b", re.IGNORECASE)
_CLAIM = re.compile(
    r"\b(?:claimed|claims|claim|alleged|alleges|allegedly|reportedly|purportedly|according to)\b", re.IGNORECASE
)
_PLAN = re.compile(
    r"\b(?:will|plans?|planned|planning|intends?|intended|to be sent|would be|is to|are to|"
    r"expected to|set to|scheduled|going to|prepared to|ready to)\b",
    re.IGNORECASE,
)
_NOT_DENIED = re.compile(r"\b(?:not|n't|never)\s+(?:deny|denied|reject|rejected|dismiss|dismissed)\b", re.IGNORECASE)

# Text written to a language model, not to a reader: instructions about earlier instructions, role-play set-ups,
# chat-format role markers and tags, and direct address to an AI. Bare topic words ("JSON", "AI", "model",
# "grounding") are not enough: news is written about all of them.
_TO_MODEL = re.compile(
    r"(?:\b(?:ignore|forget|disregard|override)\s+(?:all\s+|any\s+|the\s+|your\s+|everything\s+)?"
    r"(?:previous|prior|above|earlier|preceding|system)?\s*(?:instructions|prompts?|rules|article|text above)\b|"
    r"\b(?:ignore|forget|disregard)\s+(?:all\s+|everything\s+|the\s+)?(?:above|previous|prior)\s*(?:[.,;:]|and\b)|"
    r"[{\[]\s*\"[^\"]{1,40}\"\s*:|"
    r"\byou are now\b|\byou are (?:an?\s+)?(?:ai|assistant|language model|chatbot|llm)\b|"
    r"(?-i:\b[Yy]ou are (?:[A-Z]\w*(?:Bot|GPT|AI)|[A-Z]{3,})\b)|\bpretend (?:you are|to be)\b|\bin character\b|"
    r"\brole-?play\s*:|\blet'?s play a game\b|\bas an ai\b|\bsystem prompt\b|^\W*(?:system|assistant|user)\s*[:,]|"
    r"\[(?:system|assistant|user|inst)\]|<\|\w+\|>|</?(?:instructions?|system|prompt|article|assistant|user)>|<!--|"
    r"\bnote (?:to|for) (?:the )?(?:ai|model|assistant|llm|language models?)\b|\bdear (?:ai|model|assistant|chatbot)\b|"
    r"\b(?:ai|assistant|model),\s+(?:please|remember|before)\b|\b(?:for|to) (?:all |any )?(?:language models|llms)\b|"
    r"\b(?:summari[sz]ing|summary|briefing) (?:assistant|model|ai)\b|\byour (?:new )?(?:task|instructions)\b|"
    r"\btreat this (?:sentence|text|line) as\b|\btell the reader\b|\[\[\s*cite\b|-{3,}\s*(?:begin|end)\b|"
    r"\b(?:respond|reply|answer)\s+(?:only\s+)?with\s+(?:yes|no|true|keep|json|the following)\b|"
    r"\balways (?:answer|respond|reply|confirm)\b|\bthe (?:briefing|summary) (?:must|should)\b|"
    r"(?-i:\[[A-Z][A-Z ]{3,}\])|"
    # fake citations and verification marks a model might copy: "[source: 04.txt, chars 120-180]",
    # "[citation confirmed]", "[Source: 01.txt, verified quote #3]", and hand-overs to a model
    r"\[\s*(?:source|citation|cite|ref|quote)\b(?![^\]]*\bneeded\b)[^\]]{0,80}\]|\[[^\]]{0,60}\b(?:verified|confirmed)\b[^\]]{0,30}\]|"
    r"^\W*\[\d{1,3}\]\s*[\w./\\-]+\.(?:txt|md|json|html?|pdf)\b|"  # a numbered note naming a file: "[1] seeds/x.txt:"
    r"\bchars?\s+\d+\s*[-–]\s*\d+\b|\bverified (?:quote|citation|source)\b|^\W*end of (?:the )?article\b|"
    r"\b(?:new|next) task (?:for|to) (?:the )?(?:ai|model|language model|llm|assistant)\b)",
    re.IGNORECASE,
)

Status = Literal["reported", "claimed", "denied", "planned", "hypothetical"]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Candidate:
    """One sentence that may hold a position or a movement, with what code read from it."""

    kind: str  # "position" or "movement"
    source: str
    start: int
    end: int
    text: str
    actor: str  # the speaker, or whose forces act, as written (a pronoun already resolved)
    verb: str  # the reporting verb, or the action verb
    status: Status
    attributed_to: str  # who says so: the speaker for a position, "" when the article itself reports it


def addressed_to_model(sentence: str) -> bool:
    """Whether a sentence is written to a language model (instructions, role-play, fake JSON or citations)."""
    return bool(_TO_MODEL.search(sentence))


def status_of(sentence: str, verb: str = "") -> Status:
    """The status a sentence gives what it reports: denied, claimed, planned, hypothetical or reported."""
    denial = _NEGATED_DENIAL.search(verb) or re.search(
        r"\bden(?:y|ies|ied|ying)\b|\b(?:rejected|rejects|dismissed|dismisses)\s+(?:the\s+|any\s+)?"
        r"(?:reports?|claims?|allegations?|accusations?|suggestions?)\b",
        sentence,
        re.IGNORECASE,
    )
    if denial and not _NOT_DENIED.search(sentence):
        return "denied"
    if re.search(r"\b(?:[Ii]f|[Cc]ould|[Mm]ight|may)\b", sentence):
        return "hypothetical"
    if _PLAN.search(sentence):
        return "planned"
    if _CLAIM.search(sentence) or _CLAIM.search(verb):
        return "claimed"
    return "reported"


def _clean_speaker(speaker: str) -> str:
    """Trim an opener ('But', 'However', 'The') and trailing punctuation from a speaker phrase."""
    words = speaker.strip(" ,'\"“”‘’").split()
    while len(words) > 1 and words[0].casefold() in _OPENERS - {"the", "a", "an"}:
        words = words[1:]
    phrase = " ".join(words).strip(" ,;:")
    return phrase if re.search(r"\b[A-Z]\.$", phrase) else phrase.rstrip(".")  # "the U.S." keeps its dot


def _is_name(phrase: str) -> bool:
    return bool(phrase) and phrase[0].isupper() and phrase.split()[0].casefold() not in _OPENERS


_QUOTED = re.compile(r"[\"“”][^\"“”]*[\"“”]|(?<!\w)['‘][^'‘’]*['’](?!\w)")
_PASSIVE = re.compile(r"\b(?:was|were|is|are|been|being|be)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_CLAUSE_START = re.compile(
    r"(?:^|[,;:\"“”(]\s*|\s[-–—]\s+|\bthat\s+|\band\s+|\bbut\s+|\bas\s+|\bwhile\s+|\bwhen\s+|\bwhat\s+|"
    r"\bunless\s+|\bif\s+|\bbecause\s+|\balthough\s+|\bafter\s+|\bbefore\s+|\breport(?:s|ed)\s+(?:that\s+)?)"
)
_PEOPLE = r"(?!others\b)[a-z]+(?:ists|ers|ors|ians|ants|ents|ics|ats|officials)"
"""A bare plural that names people: "environmentalists accuse", "critics say", "diplomats warned"."""


def names_people(phrase: str) -> bool:
    """A bare plural that names people and no one in particular ("environmentalists", "critics")."""
    return bool(re.fullmatch(_PEOPLE, phrase.strip()))


_HEAD = re.compile(rf"^(?:{_DESCRIPTION}|{_NAME}|[Hh]e|[Ss]he|[Tt]hey|[Ww]e|[Ii]t|I|{_PEOPLE}$)\b")
_STOP_AT = re.compile(r"\s+(?:in|at|from|with|for|on|who|which|whose|during|after|before|to)\s+", re.IGNORECASE)


_CAPITALISED_RUN = re.compile(r"(?:(?:[A-Z][\w'’.-]*|al-\w+|de|bin)\s+)*[A-Z][\w'’.-]*$")
_PREPOSITIONS = frozenset("of at in for from to with by into on about over under near across".split())


def _ending_name(clause: str) -> str | None:
    """The name that ends a clause after a title or a leading phrase ("London Metropolitan Police
    commissioner Sir Ian Blair", "In recent weeks Russia"): its last three words at most, when what comes
    before it is a lower-case word that is no preposition or verb ("researcher at Human Rights Watch",
    "bombers entering Luton" are not subjects)."""
    run = _CAPITALISED_RUN.search(clause)
    if not run:
        return None
    before = clause[: run.start()].rstrip().split()
    if not before or not re.fullmatch(r"[a-z]+,?", before[-1]):
        return None
    word = before[-1].rstrip(",")
    if word in {"the", "a", "an"} and len(before) > 1:
        word = before[-2]  # "of the UNFCCC" hangs on "of"
    if word in _PREPOSITIONS or re.search(r"(?:ing|ed)$", word) or re.fullmatch(_SAY, word):
        return None
    words = run.group(0).split()
    return " ".join(words[-3:] if len(words) > 3 else words)


_TRAILING_AUX = re.compile(rf"(?:\s+(?:{_AUX_WORDS}))+\s*$", re.IGNORECASE)
# A subject holds no verb, number, negation or question word: "Sweden has 17", "the guilty had", "What we".
_NOT_A_SUBJECT = re.compile(
    r"\b(?:has|have|had|is|are|was|were|will|would|could|should|can|may|might|must|do|does|did|don't|"
    r"doesn't|didn't|won't|not|if|how|what|why|where|when|who|which|thus|follow|follows|comments|"
    r"per cent|percent|most|one of|despite|for|from|with|by|to|under|over|through|against|among|between|"
    r"about|like|unlike|amid|because|during|whether)\b|\d|^(?:i|we|you|us|our|my|your)$|^\w+ly\b|^\w+ed$",
    re.IGNORECASE,
)


# What comes right before a reporting word that is a noun or an adjective here, not a verb: a hyphen
# ("US-backed"), a determiner or possessive ("the proposed changes", "his claims"), a gerund ("answering
# questions").
_NOT_A_VERB = re.compile(
    r"(?:-|\b(?:the|a|an|his|her|its|their|our|my|your|this|these|those|such|no|any|every|[A-Za-z][a-z]+ing))\s*$"
)


# "X reported/reports ...": X is the outlet passing on what someone else holds, not the one who holds it.
_RELAYED = re.compile(r"reported|reports")


# A determiner, a possessive or a preposition before an action word makes it a noun: "the attacks", "their
# strikes", "a magnet for attacks" ("to" is left out: "sent to patrol").
_DETERMINED = re.compile(
    r"\b(?:the|a|an|his|her|its|their|our|this|these|those|such|no|any|every|for|of|in|on|against|from|with|"
    r"without|after|before|during|amid)\s+$"
)


_ASIDE = re.compile(r"\s\([^()]{1,40}\)")


def _a_state(phrase: str) -> bool:
    """A country named as such ("Indonesia", "the United States"), not an outlet named for it ("The Australian")."""
    return bool(country_of(phrase)) and not is_demonym(phrase.split()[-1])


def _quoted_spans(sentence: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _QUOTED.finditer(sentence)]


# When a clause opens with its time ("Earlier this week the government rejected"), the subject comes after it.
_TIME_OPENER = re.compile(
    r"^\W*(?:(?:earlier|later)\s+)?(?:(?:on|in|over|during|this|last|next|the past|recent)\s+)*"
    r"(?:(?:recent|past|last|coming)\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|week|weeks|"
    r"weekend|month|months|year|years|days|morning|afternoon|evening|night)\b,?\s*(?=[A-Za-z])",
    re.IGNORECASE,
)
# "survivors of the attack", "members of the public": a lower-case head and what it is of.
_OF_WHAT = re.compile(r"(?<![\w'’.-])(?P<head>[a-z][\w'’-]*)\s+of\s+.*$")


def _subject_before(sentence: str, at: int) -> str | None:
    """The subject of the clause that ends at `at` (a verb): from the clause's start, cut at the first
    preposition or relative pronoun ('Delegates in Bali' -> 'Delegates')."""
    # the rules for a speaker's subject (a time before it, "survivors of", "X and others", "Name, role at")
    # apply to reporting verbs only: a force's subject keeps to the plain rules
    saying = bool(re.match(rf"(?:{_SAY})\b", sentence[at:]))
    clause = _TIME_OPENER.sub(lambda m: " " * len(m.group(0)), sentence[:at]) if saying else sentence[:at]
    found = list(_CLAUSE_START.finditer(clause))
    starts = [m.end() for m in found]
    partner = _joined_by_and(clause, found)
    shared = _shared_subject(clause, found, sentence[at:])
    if shared and not re.search(rf"\s(?:{_SAY})$", shared):
        return shared
    # an appositive ("X, the minister, said") closes a clause but the subject is before it
    named = re.match(r"^\W*([A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){1,3}),\s+(?:(?:an?|the)\s+)?[a-z][^,]{2,80}$", clause)
    if saying and named and clause.count(",") == 1:
        return named.group(1)  # "John Sifton, researcher at Human Rights Watch said": the name before the role
    appositive = re.search(rf"([^,;:\"“”]+),\s*[^,]{{2,90}},\s*(?:(?:{_AUX_WORDS})\s+)*$", clause)
    if appositive and _is_name(re.sub(r"^(?:The|A|An)\s+(?=[A-Z])", "", appositive.group(1).strip())):
        subject = appositive.group(1)
    else:
        subject = clause[max(starts) if starts else 0 :]
    if saying and partner and subject.strip().casefold() == "others":
        return partner  # "The EU and others say": the one named
    before = re.search(r"([A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)+),\s*(?:the|a|an)\s[^,]{2,80}$", clause)
    if before and re.match(r"(?i)(?:the|a|an)\b", subject.strip()):
        subject = before.group(1)  # "Jan Egeland, the UN's relief chief said": the name, not its description
    org = re.match(
        r"(?i:(?:the|a|an)\s+(?:[\w'’-]+\s+){0,2}?(?:spokes\w+|official|officials|member|members|"
        r"head|chief|director|leader|representative|envoy|minister|secretary|lawyer|attorney))\s+"
        r"(?:for|of|from|at)\s+(?P<org>(?:the\s+)?[A-Z][\w'’.-]*(?:\s+(?:of\s+)?[A-Z][\w'’.-]*)*)",
        subject.strip(),
    )
    if org:
        subject = org.group("org")  # "a spokesman for the Red Cross" speaks for the Red Cross
    trailing = re.match(
        r"(?:[Tt]he|[Aa]n?)\s+(?:[a-z][\w'’-]*\s+){1,4}(?P<name>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)$", subject.strip()
    )
    if trailing:
        subject = trailing.group("name")  # "a televised interview Putin", "the foreign minister Sergei Lavrov"
    subject = _STOP_AT.split(_TRAILING_AUX.sub("", subject.strip()), maxsplit=1)[0]
    if saying:
        subject = _OF_WHAT.sub(r"\g<head>", subject)  # "survivors of the attack" -> "survivors"
    subject = _TRAILING_AUX.sub("", subject)
    subject = _clean_speaker(subject)
    pronoun = re.match(r"(?i)(he|she|they|it|we)\s+[a-z]+$", subject)
    if pronoun:
        subject = pronoun.group(1)  # "He further said", "He went on to say": the pronoun
    if subject and (len(subject.split()) > 6 or not _HEAD.match(subject)):
        # a long title or a leading phrase before the name: "London Metropolitan Police commissioner Sir Ian
        # Blair said", "In recent weeks Russia has deployed": the name that ends the phrase
        subject = _ending_name(_TRAILING_AUX.sub("", clause.rstrip())) or ""
    progressive = re.match(r"\w+ing\b", sentence[at:])  # "is estimating" is no passive
    if not subject or (_PASSIVE.search(clause) and not progressive) or _NOT_A_SUBJECT.search(subject):
        return None
    if re.search(rf"\s(?:{_SAY})$", subject):
        return None  # "the government rejected" (of "the government rejected calls") holds its own verb
    return f"{partner} and {subject}" if partner else subject


def _shared_subject(clause: str, starts: list[re.Match[str]], rest: str) -> str | None:
    """The subject a verb shares with the clause before it: "The Red Cross has deposited the cheque, but has
    indicated ...", "Police are searching and have asked ...", "Egeland recanted, adding that ..."."""
    if not starts or not re.fullmatch(rf"(?:(?:{_AUX_WORDS}|\w+ly)\s+)*", clause[starts[-1].end() :], re.IGNORECASE):
        return None
    joined = starts[-1].group(0).strip() in {"and", "but"}
    participle = starts[-1].group(0).startswith(",") and re.match(r"\w+ing\b", rest)
    if not (joined or participle):
        return None
    return clause_subject(clause[: starts[-1].start()])


def _joined_by_and(clause: str, starts: list[re.Match[str]]) -> str | None:
    """The first of two subjects joined by "and" ("Kellerman and Ostrow said", "the European Union and
    environmentalists say"): a name or description alone between the clause's start and the "and"."""
    if not starts or starts[-1].group(0).strip() != "and":
        return None
    begin = max((m.end() for m in starts[:-1]), default=0)
    before = _clean_speaker(clause[begin : starts[-1].start()])
    if not before or len(before.split()) > 5 or _NOT_A_SUBJECT.search(before):
        return None
    return before if re.fullmatch(rf"(?:{_NAME}|{_DESCRIPTION})", before) else None


_FINITE = re.compile(
    rf"\s+(?:{_AUX})(?:is|are|was|were|has|have|had|will|would|can|could|may|might|must|should|"
    rf"[a-z]+ed|[a-z]+s|{SAY_VERBS}|{ACTION_VERBS})\b"
)


def clause_subject(clause: str) -> str | None:
    """The subject a clause opens with: the name, description or pronoun before its first finite verb."""
    clause = _TIME_OPENER.sub("", clause.strip(" ,;:\"'“”‘’"))
    words = clause.split()
    while words and words[0].casefold() in _OPENERS - {"the", "a", "an", "it", "this", "that", "these", "those"}:
        words = words[1:]
    clause = " ".join(words)
    described = re.match(r"(?:The|A|An|Some|Several|Many|Most|Other|Two|Three|Four|Five)\s+[a-z]", clause)
    if described:
        clause = clause[0].lower() + clause[1:]  # "Some survivors", "The bombers" are descriptions, not names
    heads = rf"(?P<who>{_NAME}|{_DESCRIPTION}|[Hh]e|[Ss]he|[Tt]hey|[Ii]t|[Pp]olice|[A-Z][\w'’-]+s)"
    head = re.match(heads, clause)
    if not head or not _FINITE.match(clause[head.end() :]):
        # the longest head is not followed by a verb: the longest one that is ("the suspects were caught")
        head = re.match(rf"{heads}(?={_FINITE.pattern})", clause)
        if not head:
            return None
    who = _clean_speaker(_STOP_AT.split(head.group("who"), maxsplit=1)[0])
    if described and who:
        who = who[0].upper() + who[1:]
    return who or None


def attribution(sentence: str) -> tuple[str, str] | None:
    """(speaker, verb) when the sentence attributes what it says to someone, else None.

    The speaker is the subject of a reporting verb ("X said", "X, the minister, warned"), the name after
    it ("..., said X"), or the name after "according to"; never words inside quotation marks, never the
    subject of a passive ("was accused"). A named speaker wins over a description or a pronoun."""
    # an aside in brackets ("The World Health Organization (WHO) estimates") is blanked, offsets kept
    sentence = _ASIDE.sub(lambda m: " " * len(m.group(0)), sentence)
    quoted = _quoted_spans(sentence)

    def inside_quote(i: int) -> bool:
        return any(a < i < b for a, b in quoted)

    after_quote = _QUOTE_THEN_SPEAKER.search(sentence)
    if after_quote:  # '"...," Thorne Lay, professor of ... at the University of California, Santa Cruz said.'
        return after_quote.group("speaker"), after_quote.group("verb")
    found: list[tuple[int, str, str]] = []
    for pattern in (_VERB_SUBJECT, _ACCORDING, _SAYING):
        for m in pattern.finditer(sentence):
            if inside_quote(m.start("speaker")):
                continue
            speaker = m.group("speaker")
            more = _NAME_TAIL.match(sentence, m.end("speaker"))
            if more and speaker[:1].isupper():
                speaker += more.group(0)  # the lazy name stops early: "Yvo" of "Yvo de Boer"
            speaker = _clean_speaker(_STOP_AT.split(speaker, maxsplit=1)[0])
            verb = m.groupdict().get("verb") or "according to"
            if speaker and speaker.casefold() not in _OPENERS and not _NOT_A_SUBJECT.search(speaker):
                found.append((m.start("speaker"), speaker, verb))
    first_said: int | None = None
    for m in re.finditer(rf"\b(?P<verb>{_SAY})\b", sentence):
        if inside_quote(m.start()) or _NOT_A_VERB.search(sentence, 0, m.start()):
            continue
        if first_said is not None and re.search(r"\bthat\b", sentence[first_said : m.start()]):
            continue  # "He noted that some members ... have expressed": the reported clause's subject is no speaker
        if first_said is None and not _RELAYED.fullmatch(m.group(0)):  # an outlet passes the speaker on
            first_said = m.end()
        subject = _subject_before(sentence, m.start())
        if subject and _RELAYED.fullmatch(m.group(0)) and not _a_state(subject):
            continue
        if subject and subject.casefold() not in _OPENERS:
            found.append((m.start(), subject, m.group("verb")))
    if not found:
        return None
    # the attribution that closes the sentence ('..., the EU's foreign policy chief said.') governs what came
    # before it; otherwise a named speaker wins over a description, and a description over a pronoun
    closing = _CLOSING.search(sentence)

    def rank(f: tuple[int, str, str]) -> tuple[int, int, int]:
        last = 0 if closing and f[0] >= closing.start() and f[1].casefold() not in PRONOUNS else 1
        return last, 2 if f[1].casefold() in PRONOUNS else 0 if _is_name(f[1]) else 1, f[0]

    found.sort(key=rank)
    _, speaker, verb = found[0]
    return speaker, verb


_NATIONALITY_FORCE = re.compile(
    rf"(?<!against )(?<!on )(?<!at )(?<!targeting )(?<!of )\b(?P<who>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?"
    rf"(?:\s+(?:\w+\s+){{0,2}}?)(?:{FORCE_NOUNS}))\b"
)
_BY = re.compile(rf"\bby (?P<who>(?:{_NAME}|{_DESCRIPTION})(?:\s+(?:{FORCE_NOUNS})\b)?)")


def _agent(phrase: str) -> str:
    """A force's name without what follows it ('the Sylvanian navy in the strait' -> 'the Sylvanian navy')."""
    phrase = _STOP_AT.split(phrase.strip(), maxsplit=1)[0]
    return _clean_speaker(re.sub(r"\s+(?:the|a|an|and|or)$", "", phrase))


_NOT_A_HOLDER = re.compile(
    r"\b(?:has|have|had|is|are|was|were|will|would|could|should|can|may|might|must|do|does|did|not|if|how|"
    r"what|why|who|which|subsequent|allegedly|some|of the)\b",
    re.IGNORECASE,
)


def _force_holder(who: str | None) -> str | None:
    """`who` when it can hold forces: a name (a capitalised word), or a force noun phrase; never a clause
    fragment ('He said military', 'His flight subsequent') or a pronoun left unresolved."""
    if not who:
        return None
    words = who.split()
    if _NOT_A_HOLDER.search(who) or words[0].casefold() in {"his", "her", "its", "their", "he", "she", "they", "it"}:
        return None
    if re.search(rf"\b(?:{SAY_VERBS}|{ACTION_VERBS})\b", " ".join(words[1:])):
        return None
    if not any(w[:1].isupper() for w in words) and not _FORCE.search(who):
        return None
    return who


def forces_action(sentence: str, speaker: str = "") -> tuple[str, str] | None:
    """(whose forces, action verb) when the sentence reports forces acting and names whose (see
    `_forces_action`), else None."""
    found = _forces_action(sentence, speaker)
    if found is None:
        return None
    who = found[0] if found[0].casefold() in PRONOUNS else _force_holder(found[0])
    return (who, found[1]) if who else None


def _forces_action(sentence: str, speaker: str = "") -> tuple[str, str] | None:
    """(whose forces, action verb) when the sentence reports armed or security forces acting, else None.

    Whose forces: the subject of the action verb ("France said it launched" -> the speaker, France), the
    agent of a passive ("were sent by X"), or a name before a force noun ("Russian troops"); never the
    ones acted upon ("strikes against X militants")."""
    action = next((m for m in _ACTION.finditer(sentence) if not _DETERMINED.search(sentence, 0, m.start())), None)
    if action is None or _FORCE.search(sentence) is None:
        return None
    verb = action.group(0)
    clause = sentence[: action.start()]
    if re.search(r"\b(?:was|were|been|being|be|is|are)\s+(?:\w+ly\s+)?$", clause):  # passive: the agent acts
        by = _BY.search(sentence, action.end())
        if by:
            return _agent(by.group("who")), verb
    said = list(re.finditer(rf"\b(?:{SAY_VERBS})\b", clause))
    if said:  # "X said it (had) launched ...", "X denied sending ...": the action's subject is X
        tail = _TRAILING_AUX.sub("", " " + clause[said[-1].end() :]).strip(" ,").casefold()
        tail = tail.removeprefix("that ").strip()
        if tail in {"", "it", "they", "he", "she", "we"}:
            who = speaker or _subject_before(sentence, said[-1].start())
            if who:
                return who, verb
    subject = _subject_before(sentence, action.start())
    if subject and subject.casefold() not in PRONOUNS:
        return subject, verb
    for pattern in (_BY, _NATIONALITY_FORCE):
        m = pattern.search(sentence)
        if m:
            who = _agent(m.group("who"))
            if who and who.casefold() not in _OPENERS:
                return who, verb
    if subject:
        return subject, verb
    return None


# Words that make a capitalised phrase a body, a document or a place, never a person (general English).
BODY_WORDS = frozenset(
    """
    university institute department ministry council committee commission union nations organisation
    organization agency office bank fund court party army navy force forces police protocol convention
    conference agreement treaty accord bay cross street road square island islands river sea ocean gulf
    strait city town village province region state states republic kingdom prison jail airport station
    centre center hospital school college news post times journal herald network television radio press
    group company corporation association foundation watch secretariat panel assembly parliament congress
    senate house government presidency palace camp base facility coalition alliance front movement church
    """.split()
)


def is_body_word(word: str) -> bool:
    """'Nations', 'Cross', "Court's": a word of a body's, a document's or a place's name (`BODY_WORDS`)."""
    return re.sub(r"['’]s?$", "", word).casefold() in BODY_WORDS


_PERSON_TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Lord|Lady|President|Prime Minister|Minister|Secretary|Senator|"
    r"Governor|Mayor|Judge|General|Gen|Colonel|Col|Lieutenant|Lt|Major|Maj|Captain|Capt|Sergeant|Sgt|"
    r"Private|Pte|Spc|Specialist|Cpl|Corporal|Professor|Prof|King|Queen|Prince|Princess|Pope)\.?\s+$"
)
_PERSON_NAME = re.compile(r"\b([A-Z][a-z]+(?:\s+(?:al-|bin\s+|de\s+)?[A-Z][\w'’-]+)+)")


# Words for what only a person is, in an appositive: "Ilse Varga, the Freedonian envoy," (with `TITLES`).
_ROLE_WORDS = "|".join(
    sorted(
        TITLES
        | set(
            "spokesman spokeswoman professor researcher analyst journalist reporter correspondent editor lawyer "
            "attorney activist author writer member resident survivor witness victim mother father son daughter "
            "wife husband brother sister soldier sergeant private specialist commissioner coordinator executive "
            "producer founder economist scientist expert campaigner councillor chairwoman".split()
        )
        - {"of", "the", "state", "foreign", "home", "interior", "defense", "defence", "general", "head"}
    )
)


def _is_person(name: str, text: str, at: int) -> bool:
    """Whether a capitalised name is a person's: no word of a body or a place, not a country, and the article
    treats it as a person somewhere: a title before it ("Mr", "General") or it, or its last word alone,
    speaking ("Graner said", "said Charles Graner")."""
    words = name.split()
    if any(is_body_word(w) for w in words) or country_of(name):
        return False
    if _PERSON_TITLE.search(text[max(0, at - 30) : at]):
        return True
    last = words[-1]
    return bool(
        _stands_before(text, (name, last), _SPEAKING)
        or _spoken_of(name, last).search(text)
        or _addressed(last).search(text)
        or _stands_before(text, (name, last), _DESCRIBED)
    )


# What follows a person's name (or its last word) where the article treats it as a person's: it speaking
# ("Graner said", "Charles Graner has repeatedly denied"), or an age or a person's role in apposition
# ("Graner, 36,", "Ilse Varga, the Freedonian envoy").
_SPEAKING = re.compile(rf",?[ \t]+(?:{_AUX})(?:{_SAY})\b")
_DESCRIBED = re.compile(rf",[ \t]+(?:\d{{1,3}},|(?:the|a|an)\s[^,\n]{{0,60}}?\b(?:{_ROLE_WORDS})\b)")
_BOUNDARY = re.compile(r"\b")


def _stands_before(text: str, forms: tuple[str, ...], after: re.Pattern[str]) -> bool:
    """Whether one of `forms` is in `text` from a word boundary with `after` matching right behind it: what
    `re.search(rf"\b(?:{forms}){after}")` says, without compiling a pattern for every name."""
    for form in dict.fromkeys(forms):
        at = text.find(form)
        while at >= 0:
            if _BOUNDARY.match(text, at) and after.match(text, at + len(form)):
                return True
            at = text.find(form, at + 1)
    return False


PERSON_PATTERNS_CACHE = 2048
"""Names whose other `_is_person` patterns are kept compiled (least recently used go first): the one holding
the speech verbs costs ~3 ms to compile, `_last_person` asks about the same names again and again, and
`re`'s own cache (512 patterns, shared by every module) does not keep them for long."""


@lru_cache(maxsize=PERSON_PATTERNS_CACHE)
def _spoken_of(name: str, last: str) -> re.Pattern[str]:
    """A speech verb before the name or its last word: "said Charles Graner"."""
    return re.compile(rf"\b(?:{_SAY}),?[ \t]+(?:{re.escape(name)}|{re.escape(last)})\b")


@lru_cache(maxsize=PERSON_PATTERNS_CACHE)
def _addressed(last: str) -> re.Pattern[str]:
    """The last word after "Mr", "Mrs", "Ms", "Dr"."""
    return re.compile(rf"(?:Mr|Mrs|Ms|Dr)\.?[ \t]+{re.escape(last)}\b")


def _last_person(text: str, before: int, lo: int) -> str | None:
    """The last person named in text[lo:before] (what a 'he said' refers to), skipping bodies and places."""
    fallback = None
    for m in reversed(list(_PERSON_NAME.finditer(text, lo, before))):
        words = m.group(1).split()
        while len(words) > 2 and words[0].casefold() in TITLES:
            words = words[1:]  # "General Ban Ki-moon" (of "Secretary General Ban Ki-moon")
        name = " ".join(words)
        if _is_person(name, text, m.start()):
            return name
        if fallback is None and not any(is_body_word(w) for w in words):
            if not country_of(name):
                fallback = name
    return fallback  # no name the article treats as a person's: the last that could be one


def names_someone(actor: str, sentence: str, text: str) -> bool:
    """Whether a speaker phrase names someone: a proper name in it (a capitalised word that is not a title
    or an opener: mid-sentence, or first in the sentence but never written in lower case in the article),
    an acronym, or a country. "Delegates", "The jury", "Many scientists" and "the Minister" name nobody."""
    words = re.findall(r"[\w'’.-]+", actor)
    if re.fullmatch(r"(?i)the\s+(?:government|authorities|administration|police)", actor.strip()):
        return True  # the article's own government or police, named by the story
    opening = sentence.lstrip(" \"'“‘(").startswith(actor.strip())
    for i, word in enumerate(words):
        core = re.sub(r"(?:['’]s?|[.-])+$", "", word)
        if not core[:1].isupper() or core.casefold() in TITLES or core.casefold() in _OPENERS:
            continue
        if len(core) >= 2 and core.replace(".", "").isupper():
            return True  # "EU", "U.S.", "NATO"
        if not (opening and i == 0):
            return True
        if len(words) >= 2 and all(w[:1].isupper() or w.startswith(("al-", "el-", "bin", "de")) for w in words):
            return True  # a name's shape: "Saleh al-Humaidi said", "Human Rights Watch says"
        # first in its sentence, a capital proves nothing: a name is also capitalised mid-sentence elsewhere
        # in the article and never written in lower case ("Leaders said", "Findings reported" are not names)
        lower = re.search(rf"\b{re.escape(core.casefold())}\b", text)
        if country_of(core) or (not lower and re.search(rf"(?<=[a-z,;] ){re.escape(core)}\b", text)):
            return True
    return False


# A sentence of prose: opens with a capital, a digit or a quotation mark (a lower-case start is the tail of a
# sentence cut at an abbreviation) and ends as a sentence ends (a headline, a standfirst, or a list's or a
# quotation's lead-in ending in a colon, does not).
_PROSE = re.compile(r"""^[\"'“‘(]*[A-Z0-9].*[.!?"'”’)]$""", re.DOTALL)

MAX_SENTENCE_CHARS = 800
"""Longer "sentences" (tables, lists run together, unpunctuated text) are not read for candidates: the
patterns here are for prose, and their cost grows with the length."""


def find_candidates(source: Source, spans: list[tuple[int, int]]) -> tuple[list[Candidate], list[tuple[int, int]]]:
    """Candidates in `spans` of `source`, and the spans of sentences written to a model (never cited)."""
    out: list[Candidate] = []
    planted: list[tuple[int, int]] = []
    text = source.text
    headline = text.lstrip()[: len(source.title)] if source.title else None
    for lo, hi in spans:
        for a, b in sentences(text, lo, hi):
            sentence = text[a:b]
            if headline and sentence.strip() == headline.strip():
                continue  # the headline restates the article: its body is cited instead
            if addressed_to_model(sentence):
                planted.append((a, b))
                continue
            if len(sentence) > MAX_SENTENCE_CHARS or not _PROSE.match(sentence.strip()):
                continue
            said = attribution(sentence)
            teller = said[0] if said else ""
            acted = forces_action(sentence, teller)
            if said and acted and acted[0] == said[0]:
                said = None  # "France said it launched air strikes": a movement, told by its own side
            for kind, found in (("position", said), ("movement", acted)):
                if not found:
                    continue
                who, verb = found
                if who.casefold() in PRONOUNS:  # only "he"/"she" name a person; "they"/"it" stay unresolved
                    who = (_last_person(text, a, lo) if who.casefold() in {"he", "she"} else None) or ""
                if kind == "position" and who and not names_someone(who, sentence, text):
                    continue
                if who:
                    by = who if kind == "position" else teller
                    out.append(Candidate(kind, source.path, a, b, sentence, who, verb, status_of(sentence, verb), by))
    return out, planted


# --------------------------------------------------------------------------- an article's lead

LEAD_SENTENCES = 2
"""Sentences of an article's first paragraph kept as its lead: news is written with the most important
facts first (the "inverted pyramid"), so the opening says what the article reports. Measured on the five
gold sets: the first sentence of each article holds 19 of the 49 facts the analysts listed, the first two
24 (`eval/notes.md`)."""

LEAD_MIN_WORDS = 12
"""A paragraph shorter than this (a dateline, a byline, a caption) is not an article's opening."""

# A piece that ends in an initial ("Alvin K."), an initialism ("U.S.") or a title ("Maj.") is cut at an
# abbreviation, not at a sentence end: it runs on into the next piece.
_ABBREVIATED = re.compile(r"(?:\b[A-Z]|\b(?:[A-Za-z]\.)+[A-Za-z]|\b(?P<word>[A-Z][a-z]{1,5}))\.$")


def lead_of(source: Source) -> tuple[int, int] | None:
    """The span of the article's lead: the first `LEAD_SENTENCES` sentences of its first paragraph of prose
    (at least `LEAD_MIN_WORDS` words, ending as a sentence ends, outside boilerplate, not the headline),
    sentences cut at an abbreviation joined back. None when no paragraph qualifies or the opening is
    addressed to a model (such text is never cited)."""
    text = source.text
    boilerplate = [(s.start, s.end) for s in source.boilerplate]
    headline = (source.title or "").strip()
    pos = 0
    for raw in text.splitlines(keepends=True):
        start = pos + len(raw) - len(raw.lstrip())
        body = raw.strip()
        pos += len(raw)
        if (
            len(body.split()) < LEAD_MIN_WORDS
            or body == headline
            or not _PROSE.match(body)
            or any(a <= start < b for a, b in boilerplate)
        ):
            continue
        picked: list[tuple[int, int]] = []
        for a, b in sentences(text, start, start + len(body)):
            if picked and _cut_at_abbreviation(text[picked[-1][0] : picked[-1][1]]):
                picked[-1] = (picked[-1][0], b)
            elif len(picked) < LEAD_SENTENCES:
                picked.append((a, b))
            else:
                break
        if any(addressed_to_model(text[a:b]) for a, b in picked):
            return None
        return (picked[0][0], picked[-1][1]) if picked else None
    return None


def _cut_at_abbreviation(piece: str) -> bool:
    m = _ABBREVIATED.search(piece)
    return bool(m) and (not m.group("word") or m.group("word").casefold() in TITLES | _SHORT_FORMS)


_SHORT_FORMS = frozenset(
    "spc pfc cpl adm rep sen gov jr sr st mt ft no vs jan feb mar apr aug sep sept oct nov dec".split()
)
