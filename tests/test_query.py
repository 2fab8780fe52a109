"""Query understanding, direct answers and follow-ups: pure functions on real phrasings and passages."""

from __future__ import annotations

from datetime import date

from bot.conversation import Conversation, is_follow_up
from bot.direct import direct_answer
from bot.query import understand
from bot.sentences import sentences
from indexer.clean import join_lines
from tests.conftest import corpus_lines

MEETINGS = [date(2021, 8, 23), date(2023, 1, 20), date(2023, 3, 31), date(2023, 8, 21)]


def test_dates_and_periods_become_filters() -> None:
    exact = understand("hvad var på dagsordenen den 21. august 2023?", MEETINGS)
    assert (exact.date_from, exact.date_to, exact.wants_agenda) == (date(2023, 8, 21), date(2023, 8, 21), True)
    assert understand("hvad skete der på mødet 21.08.2023", MEETINGS).date_from == date(2023, 8, 21)
    month = understand("hvem var med om selvskadende unge i aug 2021?", MEETINGS)
    assert (month.date_from, month.date_to) == (date(2021, 8, 1), date(2021, 8, 31))
    year = understand("hvad blev besluttet i 2023?", MEETINGS)
    assert (year.date_from, year.date_to) == (date(2023, 1, 1), date(2023, 12, 31))
    assert understand("hvad skete der på seneste møde?", MEETINGS).date_from == date(2023, 8, 21)


def test_years_that_are_not_meeting_periods_are_left_alone() -> None:
    assert not understand("Har Socialtilsyn Nord fået flere plejefamilier siden budget 2019?", MEETINGS).has_period
    assert not understand("Nordjysk Socialaftale 2018-2020", MEETINGS).has_period
    # no meeting in 2022: the period is dropped rather than emptying the answer
    assert not understand("hvad skete der på mødet i 2022?", MEETINGS).has_period
    # a bare year dates the event asked about, which a later meeting's record may tell
    assert not understand("hvor mange var med til recovery-webinaret i 2021?", MEETINGS).has_period
    assert understand("hvilke punkter på martsmødet 2023 havde Komponent en rolle i?", MEETINGS).date_to == date(
        2023, 3, 31
    )


def test_direct_answer_is_a_sentence_of_the_passage() -> None:
    lines = [line.text for line in corpus_lines("001") if 40 <= line.no <= 80]
    passage = join_lines(lines)
    answer = direct_answer("hvad koster en plads på de særlige pladser?", [(1, passage)])
    assert answer is not None and answer.rank == 1
    assert "4.107 kr. pr. anvendt plads" in answer.text
    assert answer.text in passage  # extractive: never text that is not in the record


def test_no_direct_answer_without_the_kind_of_fact_asked_for() -> None:
    text = "DAS drøfter kommissoriet for arbejdsgruppen og udpeger en formand."
    assert direct_answer("hvornår skal DAS drøfte kommissoriet?", [(1, text)]) is None
    assert direct_answer("hvor mange medlemmer har arbejdsgruppen?", [(1, text)]) is None


def test_sentences_do_not_break_at_abbreviations() -> None:
    text = "Døgntaksten er 4.107 kr. pr. anvendt plads, svarende til ca. 1,5 mio. kr. om året. Dertil kommer tomme pladser."
    assert sentences(text)[0].endswith("om året.")


def test_follow_ups_take_the_previous_question_along() -> None:
    chat = Conversation()
    assert chat.resolve("hvad er taksten for Attruphøj boniveau 6 i 2023?", now=0) == (
        "hvad er taksten for Attruphøj boniveau 6 i 2023?"
    )
    follow = chat.resolve("og i 2022?", now=30)
    assert "Attruphøj" in follow and "2023" not in follow and follow.endswith("og i 2022?")
    assert "brevet" in chat.resolve("hvem har skrevet brevet til ministeren?", now=60)
    assert "brevet" in chat.resolve("hvornår blev det sendt?", now=90)
    # a new topic, and an old context expires
    assert chat.resolve("hvad blev indstillet om Kvisten?", now=120) == "hvad blev indstillet om Kvisten?"
    assert chat.resolve("og hvem skrev det?", now=10_000) == "og hvem skrev det?"
    assert not is_follow_up("hvad blev indstillet om Kvisten i budgettet for Socialtilsyn Nord?")
