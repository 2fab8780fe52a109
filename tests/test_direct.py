"""The direct answer on real lines of the bundled records: sentence splitting, the asked kind, and the choice
of the sentence that holds the kind of answer asked for (or none)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.asked import Kind, asked, holds_kind, named_years
from bot.direct import WEIGHTS, DirectAnswer, Weights, candidates, direct_answer, tariff_answer
from bot.lookups.tariffs import TariffRow
from bot.sentences import sentences
from tests.conftest import corpus_lines

# The scoring mechanism with every shown: tests of the choice do not depend on the fitted threshold.
ANY = Weights(kind_bonus=0.2, rank_step=0.1, clash=0.2, depth=3, strict=False, threshold=float("-inf"))


def passage(prefix: str, anchor: str, before: int = 2, after: int = 5) -> str:
    """Cleaned lines of a bundled record around the first line holding `anchor`, joined as a passage is."""
    lines = corpus_lines(prefix)
    at = next(i for i, line in enumerate(lines) if anchor in line.text)
    return " ".join(line.text for line in lines[max(0, at - before) : at + after])


def sentence(prefix: str, anchor: str) -> str:
    """The sentence of a bundled record that holds `anchor`."""
    return next(s for s in sentences(passage(prefix, anchor)) if anchor in s)


def test_sentences_keep_abbreviations_and_amounts() -> None:
    parts = sentences(passage("001", "Prisen for en plads", before=0, after=3))
    assert parts[0].startswith("Prisen for en plads på de særlige pladser")
    assert "døgntaksten er 4.107 kr. pr. anvendt plads" in parts[0]
    assert parts[0].endswith("svarende til ca. 1,5 mio. kr. om året.")
    assert parts[1].startswith("Dertil skal kommunerne betale 75 pct. af døgntaksten")
    assert parts[1].endswith("(3.080 kr.), svarende til ca. 1,1 mio. kr. om året.")


def test_sentences_keep_dates() -> None:
    parts = sentences(passage("004", "01.07.2019", before=1, after=1))
    assert any(p.endswith("ske inden 01.07.2019.") for p in parts)
    assert any(p.startswith("Dertil kommer eventuelle nyansøgninger.") for p in parts)
    thisted = sentence("003", "Pr. 1. juli 2016")
    assert thisted.startswith("Pr. 1. juli 2016 overgik pædagoguddannelsen")
    assert thisted.endswith("overgik fra KKR Midtjylland til KKR Nordjylland.")


FIRST_ROWS = ("35.341 3.534 31.378 9.998", "42.409 4.241 37.654 11.998", "70.682 7.068 62.756 19.996")


def test_sentences_split_bullets_and_table_rows() -> None:
    parts = sentences(passage("002", "• Drøfter Socialtilsynets budget 2023", before=1, after=1))
    assert "Drøfter Socialtilsynets budget 2023 med henblik på anbefalinger til KKR." in parts
    rows = sentences(passage("000", "Sonjavej Boniveau 2 ABL", before=0, after=4))
    assert [row.split()[3] for row in rows] == ["2", "3", "4", "5"]
    # a table's caption and its first row, extracted as one line
    caption = sentences(passage("004", "Samlet oversigt over Socialtilsyn Nords Takstkategorier", before=0, after=8))
    assert caption[0].endswith("Væsentlig ændring")
    assert caption[1:4] == [f"Takstkategori {n} {figures}" for n, figures in enumerate(FIRST_ROWS, start=1)]
    # a list set with dashes, its lines joined into one
    dashes = sentences(passage("000", "Forpligtigelserne indebærer, at:", before=0, after=12))
    assert "Tilbuddet er forpligtet til at dele sin viden og ekspertise med alle kommuner i regionen" in dashes
    assert "Forpligtigelserne indebærer, at:" in dashes


@pytest.mark.parametrize(
    "prefix, anchor",
    [
        ("001", "Prisen for en plads"),
        ("003", "Pr. 1. juli 2016"),
        ("002", "Tilsynschef Line"),
        ("000", "falder med 1000 kr"),
        ("000", "Sonjavej Boniveau 2 ABL"),
    ],
)
def test_sentences_are_verbatim(prefix: str, anchor: str) -> None:
    text = passage(prefix, anchor)
    parts = sentences(text)
    assert len(parts) > 1
    assert all(part in text and part == part.strip() for part in parts)


@pytest.mark.parametrize(
    "question, kind",
    [
        ("Hvad koster en plads på de særlige pladser?", Kind.AMOUNT),
        ("hvad er døgntaksten for Sonjavej boniveau 7", Kind.AMOUNT),
        ("Hvor meget betaler Aalborg til Børnehus Nord?", Kind.AMOUNT),
        ("hvor mange studiepladser er der på pædagoguddannelsen?", Kind.NUMBER),
        ("Hvor stor en andel af budgettet går til overhead?", Kind.NUMBER),
        ("Hvornår overgik uddannelsen i Thisted til UCN?", Kind.DATE),
        ("i hvilket år kom den centrale udmelding?", Kind.DATE),
        ("Hvem deltager fra Socialtilsyn Nord?", Kind.PERSON),
        ("hvilken direktør har skrevet brevet?", Kind.PERSON),
        ("Hvorfor falder budgettet for Børnehus Nord?", Kind.REASON),
        ("hvad er grunden til overskuddet?", Kind.REASON),
        ("Hvad skal DAS godkende om budgettet?", Kind.DECISION),
        ("Hvilke tilbud er med i det forstærkede samarbejde?", Kind.LIST),
        ("hvilke punkter på martsmødet havde Komponent en rolle i?", Kind.LIST),  # items, not a decision
        ("Hvilke sager skal DAS godkende i juni?", Kind.LIST),
        ("Hvad handler punktet om tegnsprog om?", Kind.OTHER),
    ],
)
def test_asked_kind(question: str, kind: Kind) -> None:
    assert asked(question).kind is kind


@pytest.mark.parametrize(
    "text, years",
    [
        ("hvad er taksten i 2024?", (2024,)),
        ("dimensioneringen for studieåret 2023/2024", (2023, 2024)),
        ("socialaftalen 2023-24", (2023, 2024)),
        ("mødet den 31.03.2023", ()),
        ("mødet 2021-08-23", (2021,)),
    ],
)
def test_named_years(text: str, years: tuple[int, ...]) -> None:
    assert named_years(text) == years


@pytest.mark.parametrize(
    "kind, prefix, anchor, held",
    [
        (Kind.AMOUNT, "001", "Prisen for en plads", True),
        (Kind.AMOUNT, "002", "overskud på kr. 501.980", True),
        (Kind.AMOUNT, "003", "Pr. 1. juli 2016", False),
        (Kind.NUMBER, "003", "fra 405 til 469 studiepladser", True),
        (Kind.NUMBER, "002", "Tilsynschef Line", False),
        (Kind.DATE, "003", "Pr. 1. juli 2016", True),
        (Kind.DATE, "001", "Prisen for en plads", False),
        (Kind.PERSON, "002", "Tilsynschef Line", True),
        (Kind.PERSON, "001", "Prisen for en plads", False),
        (Kind.REASON, "000", "Det skyldes primært", True),
        (Kind.REASON, "004", "kan dermed ikke nøjes", True),
        (Kind.DATE, "004", "For Budget 2019 forventes", False),  # a year in a name is no time
        (Kind.REASON, "001", "Prisen for en plads", False),
        (Kind.DECISION, "002", "Drøfter Socialtilsynets budget 2023", True),
        (Kind.DECISION, "003", "Pr. 1. juli 2016", False),
    ],
)
def test_holds_kind_on_real_sentences(kind: Kind, prefix: str, anchor: str, held: bool) -> None:
    assert holds_kind(kind, sentence(prefix, anchor)) is held


def test_price_question_picks_the_sentence_with_the_amount() -> None:
    text = passage("001", "Tanken med De særlige pladser", before=0, after=6)
    answer = direct_answer("Hvad koster en plads på de særlige pladser pr. døgn?", [(1, text)], weights=ANY)
    assert answer is not None and answer.rank == 1
    assert "4.107 kr. pr. anvendt plads" in answer.text and answer.text in text


def test_price_question_picks_the_row_of_the_level_asked() -> None:
    table = passage("000", "Sonjavej Boniveau 2 ABL", before=0, after=8)
    answer = direct_answer("hvad er døgntaksten for Sonjavej boniveau 7 efter § 105?", [(1, table)], weights=ANY)
    assert answer is not None
    assert answer.text.startswith("Botilbud Sonjavej Boniveau 7 ABL § 105") and "3.214" in answer.text


def test_rows_without_the_level_or_year_asked_clash() -> None:
    table = passage("000", "Sonjavej Boniveau 2 ABL", before=0, after=8)
    _, found = candidates("hvad er døgntaksten for Sonjavej boniveau 7 efter § 105?", [(1, table)], depth=1)
    assert {c.text.split()[3]: c.clash for c in found} == {level: level != "7" for level in "23456789"}
    budget = passage("000", "falder med 1000 kr", before=0, after=2)
    _, found = candidates("hvad faldt budgettet for Børnehus Nord med i 2019?", [(1, budget)], depth=1)
    assert [c.clash for c in found if "1000 kr." in c.text] == [True]


def test_amount_in_a_later_passage_beats_a_topical_one_without_amount() -> None:
    topical = passage("001", "Tanken med De særlige pladser", before=0, after=2)
    priced = passage("001", "Prisen for en plads", before=0, after=3)
    answer = direct_answer("Hvad koster en plads på de særlige pladser?", [(1, topical), (2, priced)], weights=ANY)
    assert answer == DirectAnswer(sentence("001", "Prisen for en plads"), 2)


def test_when_question_picks_the_sentence_with_the_date() -> None:
    text = passage("003", "Pr. 1. juli 2016", before=2, after=5)
    answer = direct_answer("hvornår kom pædagoguddannelsen i Thisted ind under UCN?", [(4, text)], weights=ANY)
    assert answer is not None and answer.rank == 4
    assert answer.text.startswith("Pr. 1. juli 2016 overgik pædagoguddannelsen")


def test_no_sentence_of_the_asked_kind_gives_no_answer() -> None:
    text = passage("001", "Prisen for en plads", before=0, after=3)
    assert direct_answer("Hvornår blev prisen for de særlige pladser justeret?", [(1, text)], weights=ANY) is None
    assert direct_answer("Hvem betaler for de ubenyttede særlige pladser?", [(1, text)], weights=ANY) is None
    assert direct_answer("Hvor mange særlige pladser er ubenyttede?", [(1, text)], weights=ANY) is not None


def test_the_questions_own_year_is_no_date_answer() -> None:
    text = passage("000", "falder med 1000 kr", before=0, after=2)
    question = "hvornår falder budgettet for Børnehus Nord i 2023?"
    assert direct_answer(question, [(1, text)], weights=ANY) is None
    assert direct_answer("hvor meget falder budgettet for Børnehus Nord i 2023?", [(1, text)], weights=ANY) is not None


def test_reasons_lists_and_questions_of_no_kind_get_no_direct_answer() -> None:
    """One sentence rarely gives a reason or a list: only kinds a sentence can be checked for are quoted."""
    text = passage("000", "falder med 1000 kr", before=0, after=2)
    assert "Det skyldes primært" in text
    for question in (
        "hvorfor falder budgettet for Børnehus Nord i 2023?",
        "hvilke udgifter har Børnehus Nord?",
        "fortæl om budgettet for Børnehus Nord",
    ):
        assert direct_answer(question, [(1, text)], weights=ANY) is None


def test_the_threshold_and_the_depth_gate_the_answer() -> None:
    text = passage("001", "Prisen for en plads", before=0, after=3)
    question = "Hvad koster en plads på de særlige pladser?"
    assert direct_answer(question, [(1, text)], weights=replace(ANY, threshold=0.0)) is not None
    assert direct_answer(question, [(1, text)], weights=replace(ANY, threshold=1.5)) is None
    other = passage("003", "Pr. 1. juli 2016")
    assert direct_answer(question, [(1, other), (2, text)], weights=replace(ANY, depth=1)) is None


def test_the_fitted_weights_answer_a_plain_price_question() -> None:
    text = passage("001", "Prisen for en plads", before=0, after=3)
    answer = direct_answer("Hvad er døgntaksten for en plads på de særlige pladser?", [(1, text)], weights=WEIGHTS)
    assert answer is not None and "4.107 kr." in answer.text


def sonjavej(service: str, evidence: str) -> TariffRow:
    """A tariff of Sonjavej's table (DAS 31.03.2023, item 7) as the lookup returns it."""
    return TariffRow(
        "Botilbud Sonjavej",
        service,
        "døgn",
        2023,
        0,
        None,
        "ABL § 105",
        "new",
        None,
        7,
        "Takster",
        "000.txt",
        1,
        evidence,
    )


def test_one_matched_tariff_answers_with_its_own_line() -> None:
    table = passage("000", "Sonjavej Boniveau 2 ABL", before=0, after=8)
    line = sentence("000", "Sonjavej Boniveau 5 ABL")
    five = sonjavej("Boniveau 5", line)
    assert tariff_answer([five, five], [(1, "Et andet afsnit."), (2, table)]) == DirectAnswer(line, 2)
    # two levels are two answers: none is shown as the one
    six = sonjavej("Boniveau 6", sentence("000", "Sonjavej Boniveau 6 ABL"))
    assert tariff_answer([five, six], [(1, table)]) is None
    # a tariff whose line no shown passage holds cannot be cited
    assert tariff_answer([five], [(1, "Et andet afsnit.")]) is None
    assert tariff_answer([], [(1, table)]) is None
