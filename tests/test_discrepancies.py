"""Disagreements found in code: figures for one counted thing, denials, replies, and only real conflicts.

Invented articles (no story's names), so nothing here is tuned to the seeds or the shared clusters.
"""

from __future__ import annotations

import pytest

from briefing.discrepancies import (
    answered_accusations,
    conflict,
    distinct,
    numeric_discrepancies,
    placeholder_topic,
    opposed,
    polarity_conflicts,
    stance_conflicts,
    topic_from,
)
from briefing.models import Citation, MilitaryMovement, Position
from briefing.sources import source_from_text


def sources(**texts: str):
    out = [source_from_text(f"{name}.txt", text) for name, text in texts.items()]
    return out, {s.path: [(0, len(s.text))] for s in out}


def test_two_sources_counting_the_same_thing_differently_disagree_whatever_the_noun():
    found, spans = sources(
        a="The storm has destroyed more than 1,200 homes on the coast, officials said.",
        b="Rescuers said about 800 homes on the coast were destroyed by the storm.",
    )
    [d] = numeric_discrepancies(found, spans)
    assert d.topic == "Sources give different figures for homes"
    assert {c.citations[0].source for c in d.claims} == {"a.txt", "b.txt"}
    assert all(c.citations[0].quote in s.text for c in d.claims for s in found if s.path == c.citations[0].source)


def test_the_same_figure_in_two_sources_is_no_disagreement():
    found, spans = sources(a="Officials said 40 boats left the port.", b="About 40 boats left the port on Monday.")
    assert numeric_discrepancies(found, spans) == []


def test_a_source_that_gives_both_figures_is_counting_two_things():
    found, spans = sources(
        a="The appeal raised 300,000 euro, while the government gave 100,000 euro.",
        b="The government gave 100,000 euro to the appeal, which raised 300,000 euro.",
    )
    assert numeric_discrepancies(found, spans) == []


def test_years_are_not_figures():
    found, spans = sources(a="The treaty was signed in 1998 by both sides.", b="The treaty was signed in 2001 by both.")
    assert numeric_discrepancies(found, spans) == []


def test_figures_outside_the_chunked_text_are_ignored():
    found, spans = sources(a="The flood killed 30 people in the valley.", b="The flood killed 45 people in the valley.")
    assert numeric_discrepancies(found, {found[0].path: spans[found[0].path], found[1].path: []}) == []


def _position(actor: str, source: str, quote: str) -> Position:
    return Position(
        actor=actor, stance=quote, citations=[Citation(source=source, start=0, end=len(quote), quote=quote)]
    )


def test_a_denial_of_what_another_source_reports_is_a_disagreement():
    a = _position("Sylvania", "a.txt", "Sylvania denied sending troops across the northern border last week.")
    b = _position("Freedonia", "b.txt", "Freedonia said Sylvania is sending troops across the northern border.")
    [d] = polarity_conflicts([(a.actor, a), (b.actor, b)])
    assert [c.citations[0].source for c in d.claims] == ["a.txt", "b.txt"]
    assert "Sylvania" in d.topic and "Freedonia" in d.topic


def test_statements_that_agree_are_no_disagreement():
    a = _position("Sylvania", "a.txt", "Sylvania said it will send troops across the northern border.")
    b = _position("Freedonia", "b.txt", "Freedonia said Sylvania will send troops across the northern border.")
    assert polarity_conflicts([(a.actor, a), (b.actor, b)]) == []
    assert not conflict(a.stance, b.stance)


def test_conflict_sees_different_figures_and_opposite_polarity():
    assert conflict("The army sent 500 troops.", "The army sent 5,000 troops.")
    assert conflict("The talks did not resume on Monday.", "The talks resumed on Monday.")
    assert not conflict("The talks resumed on Monday.", "On Monday the talks resumed in Calden.")


@pytest.mark.parametrize("topic", ["", "what they disagree about", "What the sources disagree about."])
def test_a_topic_that_names_nothing_is_a_placeholder(topic):
    assert placeholder_topic(topic)


def test_a_topic_that_names_something_is_kept():
    assert not placeholder_topic("Death toll in the northern province")


def test_a_topic_is_made_from_the_words_both_sides_share():
    topic = topic_from(["The death toll in Tarvos passed 8,000.", "Tarvos officials put the death toll at 12,000."])
    assert topic == "Sources differ on: death toll Tarvos"


def test_one_actor_under_two_names_does_not_disagree_with_itself():
    first = "Ilse Varga said the border is open."
    second = "Ilse Varga of the Tarvos council said the border is not open."
    a = Position(actor="Ilse Varga", stance="open", citations=[Citation(source="a.txt", start=0, end=35, quote=first)])
    b = Position(
        actor="Ilse Varga of the Tarvos council",
        stance="not open",
        citations=[Citation(source="b.txt", start=0, end=len(second), quote=second)],
    )
    assert polarity_conflicts([(a.actor, a), (b.actor, b)]) == []
    other = b.model_copy(update={"actor": "Karl Ostrow"})
    assert len(polarity_conflicts([(a.actor, a), (other.actor, other)])) == 1  # two actors do disagree


def test_two_tellers_quoted_in_one_article_giving_different_figures_disagree():
    found, spans = sources(
        a=(
            "Reports on the flood differ:\n"
            '    * Tarvos Radio - "the death toll passed 1,300, and 20,000 people were homeless."\n'
            '    * Varna Post - "The death toll passed 1,900."\n'
            '    * Red Crescent - "About 9,000 people are homeless and 20,000 people need shelter."\n'
        )
    )
    by_topic = {d.topic: d for d in numeric_discrepancies(found, spans)}
    toll = by_topic["Sources give different figures for the toll"]
    assert [c.statement for c in toll.claims] == [
        "toll passed 1,300 (a.txt, Tarvos Radio)",
        "toll passed 1,900 (a.txt, Varna Post)",
    ]
    homeless = by_topic["Sources give different figures for people homeless"]  # not "people need"
    assert {c.statement for c in homeless.claims} == {
        "20,000 people (a.txt, Tarvos Radio)",
        "About 9,000 people (a.txt, Red Crescent)",
    }
    assert len(by_topic) == 2


def test_one_teller_giving_two_figures_in_one_article_is_no_disagreement():
    found, spans = sources(a="The flood killed 300 cattle in the north. Further south, 1,200 cattle were lost.")
    assert numeric_discrepancies(found, spans) == []


def test_a_forecast_is_not_a_count():
    found, spans = sources(
        a="The death toll from the flood passed 1,300 on Monday.",
        b="A relief official warned the death toll could rise to 5,000 in the flood.",
    )
    assert numeric_discrepancies(found, spans) == []


def test_a_negation_opposes_only_what_is_said_of_the_same_thing():
    assert opposed("Tarvos did not deploy troops to the border.", "Tarvos deployed 500 troops to the border.")
    # a word both use, with nothing said of the same thing near it
    assert not opposed("Ilse Varga does not expect a deal this week.", "Talks on fishing quotas are expected in May.")
    assert not opposed("If no deal is reached, the summit ends.", "A deal was reached on Friday.")


def _said(text: str, phrase: str, actor: str) -> tuple[str, Position]:
    start = text.index(phrase)
    citation = Citation(source="a.txt", start=start, end=start + len(phrase), quote=phrase)
    return actor, Position(actor=actor, stance=phrase, citations=[citation])


REPLY = (
    "The port authority said the new quay will open in May. "
    "But the dockers' union rejected the plan, saying the quay is unsafe. "
    '"Nobody has checked the cranes," it added. Ships will wait.\n'
)


def test_a_reply_and_the_statement_it_answers_are_a_disagreement_with_each_speakers_words():
    [article], _ = sources(a=REPLY)
    stated = [
        _said(REPLY, "The port authority said the new quay will open in May.", "The port authority"),
        _said(REPLY, "But the dockers' union rejected the plan, saying the quay is unsafe.", "the dockers' union"),
    ]
    [d] = stance_conflicts([article], stated)
    first, second = d.claims
    assert first.statement.startswith("The port authority: ") and second.statement.startswith("the dockers' union: ")
    # the reply's side runs on through its paragraph's quotation, which no other speaker says
    assert [c.quote for c in second.citations] == [
        "But the dockers' union rejected the plan, saying the quay is unsafe.",
        '"Nobody has checked the cranes," it added.',
        "Ships will wait.",
    ]
    assert all(article.text[c.start : c.end] == c.quote for claim in d.claims for c in claim.citations)


def test_no_reply_without_a_push_back_a_second_speaker_or_within_reach():
    [article], _ = sources(a=REPLY)
    first = _said(REPLY, "The port authority said the new quay will open in May.", "The port authority")
    same = _said(REPLY, "But the dockers' union rejected the plan, saying the quay is unsafe.", "The port authority")
    assert stance_conflicts([article], [first, same]) == []  # one speaker does not answer itself
    text = "Ilse Varga said the quay will open in May. Karl Ostrow said the cranes arrive in June.\n"
    [plain], _ = sources(a=text)
    calm = [
        _said(text, "Ilse Varga said the quay will open in May.", "Ilse Varga"),
        _said(text, "Karl Ostrow said the cranes arrive in June.", "Karl Ostrow"),
    ]
    assert stance_conflicts([plain], calm) == []  # no push-back: two statements, no disagreement
    text = "Ilse Varga said the quay will open. Karl Ostrow declined to comment on the quay.\n"
    [declined], _ = sources(a=text)
    pair = [
        _said(text, "Ilse Varga said the quay will open.", "Ilse Varga"),
        _said(text, "Karl Ostrow declined to comment on the quay.", "Karl Ostrow"),
    ]
    assert stance_conflicts([declined], pair) == []  # declining to comment answers nobody
    # "But" or "However" only turns from the sentence before: without a verb that pushes back (rejected,
    # denied, disputed, cannot accept ...) the second speaker answers nobody
    text = "Ilse Varga said the quay will open in May. But Karl Ostrow said the cranes matter most.\n"
    [contrast], _ = sources(a=text)
    turn = [
        _said(text, "Ilse Varga said the quay will open in May.", "Ilse Varga"),
        _said(text, "But Karl Ostrow said the cranes matter most.", "Karl Ostrow"),
    ]
    assert stance_conflicts([contrast], turn) == []


EXCHANGE = (
    "Ilse Varga said the tribunal must hear every witness. "
    "Karl Ostrow, her co-counsel, said the hearing should last a month. "
    "But the prosecution contends the witnesses add nothing, and that the hearing should close.\n"
)


def test_a_reply_answers_every_other_speaker_before_it_and_a_party_that_names_nobody_takes_a_side():
    [article], _ = sources(a=EXCHANGE)
    stated = [
        _said(EXCHANGE, "Ilse Varga said the tribunal must hear every witness.", "Ilse Varga"),
        _said(EXCHANGE, "Karl Ostrow, her co-counsel, said the hearing should last a month.", "Karl Ostrow"),
    ]
    # "the prosecution" is no position of its own (it names nobody), but it answers both speakers
    [d] = stance_conflicts([article], stated)
    assert [c.statement.split(":")[0] for c in d.claims] == ["Ilse Varga", "Karl Ostrow", "the prosecution"]
    assert d.claims[2].citations[0].quote.startswith("But the prosecution contends")


def test_a_thing_is_no_party_and_a_reported_movement_is_not_answered():
    text = (
        "Tarvos troops crossed the river on Monday. "
        "The objection regarded the phrasing of one paragraph. "
        "However, the ministry rejected the plan.\n"
    )
    [article], _ = sources(a=text)
    start = text.index("Tarvos troops")
    moved = MilitaryMovement(
        actor="Tarvos",
        what="Tarvos troops crossed the river on Monday.",
        citations=[Citation(source="a.txt", start=start, end=start + 42, quote=text[start : start + 42])],
    )
    assert stance_conflicts([article], [("Tarvos", moved)]) == []


def test_a_state_and_its_leader_are_one_side():
    text = (
        "Chile has called for a mandate for any operation. "
        "However, President Marek Dvorak has said he will back the government against any intervention.\n"
    )
    elsewhere = "Chilean President Marek Dvorak visited the capital.\n"
    [article, other], _ = sources(a=text, b=elsewhere)
    stated = [
        _said(text, "Chile has called for a mandate for any operation.", "Chile"),
        _said(
            text,
            "However, President Marek Dvorak has said he will back the government against any intervention.",
            "President Marek Dvorak",
        ),
    ]
    assert stance_conflicts([article, other], stated) == []


ACCUSED = (
    "Harbour traders accused councillor Ilse Varga of pushing the quay vote through at night. "
    "The vote passed by one seat. "
    "Varga said the deadline for the port grant left no other evening.\n"
)


def test_an_accusation_answered_by_the_accused_is_a_disagreement_with_each_sides_words():
    [article], _ = sources(a=ACCUSED)
    [d] = answered_accusations([article])
    accusation, answer = d.claims
    assert accusation.statement.startswith("Harbour traders: Harbour traders accused councillor Ilse Varga")
    assert answer.statement.startswith("Varga: Varga said the deadline")
    assert all(article.text[c.start : c.end] == c.quote for claim in d.claims for c in claim.citations)


def test_counsel_answers_for_the_accused_and_a_bare_defense_only_by_pushing_back():
    text = (
        "The prosecution is seeking a trial with claims that the two guards acted on their own. "
        "The defense contends the guards were following orders.\n"
    )
    [article], _ = sources(a=text)
    [d] = answered_accusations([article])
    assert d.claims[1].statement.startswith("The defense: The defense contends")
    calm = "The prosecution is seeking a trial with claims that the guards acted alone. The defense said the trial opens in May.\n"
    [article], _ = sources(a=calm)
    assert answered_accusations([article]) == []  # "the defense" names nobody: only a push-back answers
    text = "Inspectors accused Karl Ostrow of hiding the cranes. Ostrow's lawyer said the cranes were sold.\n"
    [article], _ = sources(a=text)
    assert [c.statement.split(":")[0] for c in answered_accusations([article])[0].claims] == [
        "Inspectors",
        "Ostrow's lawyer",
    ]
    text = "Inspectors accused Karl Ostrow of hiding the cranes. Varga's lawyer said the cranes were sold.\n"
    [article], _ = sources(a=text)
    assert answered_accusations([article]) == []  # the lawyer of someone not accused answers nothing


def test_no_accusation_answered_without_the_accused_a_verb_of_accusing_or_within_reach():
    cases = [
        # another speaker after an accusation is not the accused
        "Traders accused Ilse Varga of pushing the vote through. Karl Ostrow said the quay opens in May.\n",
        # "one of the accused" is a noun: nobody is accused in that sentence
        "A lawyer for one of the accused asked Ilse Varga about the vote. Varga said the vote was fair.\n",
        # the accuser speaking again answers nobody
        "Traders accused Ilse Varga of pushing the vote through. The traders said Varga must resign.\n",
        # the answer comes too late (more than EXCHANGE_SENTENCES sentences on)
        "Traders accused Ilse Varga of pushing the vote through. The vote passed by one seat. "
        "Ships wait in the bay for weeks. Cranes stand idle on the new quay. Varga said the deadline was tight.\n",
    ]
    for text in cases:
        [article], _ = sources(a=text)
        assert answered_accusations([article]) == [], text


def test_a_speaker_taking_back_an_earlier_statement_disagrees_with_it():
    text = (
        "Ilse Varga, the harbour master, said the port was stingy with repairs. "
        "Varga later retracted her statement, saying the port had paid for every crane.\n"
    )
    [article], _ = sources(a=text)
    [d] = answered_accusations([article])
    assert [c.citations[0].quote[:20] for c in d.claims] == ["Ilse Varga, the harb", "Varga later retracte"]
    alone = "Varga later retracted her statement, saying the port had paid for every crane.\n"
    [article], _ = sources(a=alone)
    assert answered_accusations([article]) == []  # nothing earlier of hers to take back


def test_a_disagreement_whose_sentences_an_earlier_one_cites_is_shown_once():
    [article], _ = sources(a=ACCUSED)
    [d] = answered_accusations([article])
    assert distinct([d, d.model_copy(deep=True)]) == [d]
