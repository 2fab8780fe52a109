"""Typed requests: each kind is read once, the same for every face, and a bad value is one Danish line."""

from __future__ import annotations

from datetime import date

import pytest

from bot.requests import AgendaQuery, AskOptions, DecisionQuery, RequestError, TariffQuery, TimelineQuery

JAN20, AUG21 = date(2023, 1, 20), date(2023, 8, 21)


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("Kvisten 2021", None, TariffQuery("Kvisten", 2021)),
        ("Kvisten", "2021", TariffQuery("Kvisten", 2021)),
        ("Kvisten 2021", "2021", TariffQuery("Kvisten", 2021)),
        ("  Socialtilsyn   timepris 2024 ", None, TariffQuery("Socialtilsyn timepris", 2024)),
        ("2021", None, TariffQuery("", 2021)),
        ("Kvisten", None, TariffQuery("Kvisten", None)),
        ("", None, TariffQuery("", None)),
    ],
)
def test_a_year_among_the_tariff_words_is_the_year_filter(text: str, year: str | None, expected: TariffQuery) -> None:
    assert TariffQuery.parse(text, year) == expected


@pytest.mark.parametrize(
    ("text", "date_from", "date_to", "expected"),
    [
        ("Kvisten", None, None, DecisionQuery("Kvisten")),
        ("Kvisten", "20.01.2023", "21. august 2023", DecisionQuery("Kvisten", JAN20, AUG21)),
        ("Kvisten 20.01.2023", None, None, DecisionQuery("Kvisten", JAN20, JAN20)),
        ("Kvisten 21. august 2023 budget 2023-01-20", None, None, DecisionQuery("Kvisten budget", JAN20, AUG21)),
        ("Kvisten 21.08.2023", "2023-01-01", None, DecisionQuery("Kvisten", AUG21, AUG21)),
        ("Kvisten 2023", None, None, DecisionQuery("Kvisten 2023")),
    ],
)
def test_a_date_among_the_decision_words_is_the_meeting_day(
    text: str, date_from: str | None, date_to: str | None, expected: DecisionQuery
) -> None:
    assert DecisionQuery.parse(text, date_from, date_to) == expected


def test_ask_options_agenda_and_timeline() -> None:
    assert AskOptions.parse("3", "2023-01-20", "21.08.2023") == AskOptions(3, JAN20, AUG21)
    assert AskOptions.parse() == AskOptions(5, None, None)
    assert AgendaQuery.parse("21. august 2023") == AgendaQuery(AUG21) == AgendaQuery.parse("2023-08-21")
    assert TimelineQuery.parse("  Social   tilsyn ") == TimelineQuery("Social tilsyn")


@pytest.mark.parametrize(
    ("parse", "message"),
    [
        (
            lambda: AskOptions.parse(5, "2023-13-45"),
            'Ugyldig dato: "2023-13-45" (skriv fx 21.08.2023 eller 2023-08-21)',
        ),
        (lambda: AskOptions.parse(5, None, "i går"), 'Ugyldig dato: "i går" (skriv fx 21.08.2023 eller 2023-08-21)'),
        (lambda: AskOptions.parse("0"), 'Ugyldigt antal: "0" (skriv et helt tal fra 1)'),
        (lambda: AskOptions.parse("fem"), 'Ugyldigt antal: "fem" (skriv et helt tal fra 1)'),
        (
            lambda: AskOptions.parse(5, "21.08.2023", "20.01.2023"),
            "Fra-datoen 21.08.2023 ligger efter til-datoen 20.01.2023",
        ),
        (
            lambda: DecisionQuery.parse("Kvisten 31.02.2023"),
            'Ugyldig dato: "31.02.2023" (skriv fx 21.08.2023 eller 2023-08-21)',
        ),
        (
            lambda: DecisionQuery.parse("Kvisten", "2023-13-45"),
            'Ugyldig dato: "2023-13-45" (skriv fx 21.08.2023 eller 2023-08-21)',
        ),
        (lambda: TariffQuery.parse("Kvisten 2021 2022"), "Skriv kun ét år, ikke 2021 og 2022"),
        (lambda: TariffQuery.parse("Kvisten 2021", "2022"), "Skriv kun ét år, ikke 2021 og 2022"),
        (lambda: TariffQuery.parse("Kvisten", "21"), 'Ugyldigt år: "21" (skriv fx 2021)'),
        (lambda: AgendaQuery.parse(" "), "Mangler en dato (skriv fx 21.08.2023 eller 2023-08-21)"),
        (lambda: TimelineQuery.parse(" "), "Mangler et emne (skriv fx Socialtilsyn)"),
    ],
)
def test_a_bad_value_is_one_danish_line(parse, message: str) -> None:
    with pytest.raises(RequestError) as refused:
        parse()
    assert str(refused.value) == message
