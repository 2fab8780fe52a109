"""Who took part in a decision (absent, against, reservations, abstentions) and the day it was taken, read from
real minutes' lines (Greve and Aarhus FirstAgenda, Ballerup eDoc) and carried to every face."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.answer import Answer
from bot.cli import cli
from bot.core import Dasbot
from bot.lookups.decisions import DecisionRow, find_decisions
from bot.render.terminal import render_decision, render_facts
from bot.settings import Settings
from bot.telegram import render
from indexer.document import DocumentKind, Item, Line, ParsedDocument, Section, SectionKind
from indexer.embedding import Embedder
from indexer.facts.extract import document_decisions
from indexer.facts.participation import Participation, read_decision, read_statement
from indexer.read import read_pages
from tests.conftest import shared_path
from tests.support.records import HashedEmbedder


@pytest.mark.parametrize(
    ("sentence", "kind", "who"),
    [
        # Greve FirstAgenda decisions
        ("Afbud: Brigitte Klintskov Jerkel", "absent", ("Brigitte Klintskov Jerkel",)),
        (
            "Afbud: Torben Hoffmann (Stedfortræder: Conni Bergendorff), Tina Rottbøll",
            "absent",
            ("Torben Hoffmann (Stedfortræder: Conni Bergendorff)", "Tina Rottbøll"),
        ),
        ("Afbud fra Tina Rottbøll (A)", "absent", ("Tina Rottbøll (A)",)),
        (
            "Fraværende: Liselott Blixt, Brigitte Klintskov Jerkel",
            "absent",
            ("Liselott Blixt", "Brigitte Klintskov Jerkel"),
        ),
        ("Ikke til stede: Ronni Mark Nielsen (V)", "absent", ("Ronni Mark Nielsen (V)",)),
        ("Mehmet Zeki Dogru (Ø) stemte imod.", "dissent", ("Mehmet Zeki Dogru (Ø)",)),
        ("V, D og Liselott Blixt (UP) stemmer imod.", "dissent", ("V", "D", "Liselott Blixt (UP)")),
        ("Imod stemte (Ø).", "dissent", ("(Ø)",)),
        ("Imod: Ø", "dissent", ("Ø",)),
        ("Undlod: F", "abstained", ("F",)),
        ("(A) og (Ø) undlader.", "abstained", ("(A)", "(Ø)")),
        (
            "Pernille Beckmann (V), Marc Genning (V) Hans-Jørgen Kirstein (D), Brigitte Klintskov Jerkel (C) og "
            "John T. Olsen (A) undlod at tage stilling.",
            "abstained",
            (
                "Pernille Beckmann (V)",
                "Marc Genning (V)",
                "Hans-Jørgen Kirstein (D)",
                "Brigitte Klintskov Jerkel (C)",
                "John T. Olsen (A)",
            ),
        ),
        # Aarhus FirstAgenda minutes (Sagsforløb of the city council's minutes, the committee's web page)
        ("Socialdemokratiet tog forbehold.", "reservation", ("Socialdemokratiet",)),
        ("Mette Skautrup og Bünyamin Simsek tog forbehold.", "reservation", ("Mette Skautrup", "Bünyamin Simsek")),
        (
            "Socialdemokratiet, det Konservative Folkeparti og Venstre tog forbehold.",
            "reservation",
            ("Socialdemokratiet", "det Konservative Folkeparti", "Venstre"),
        ),
        ("Solveig Munk kunne ikke tiltræde indstillingen.", "dissent", ("Solveig Munk",)),
        (
            "Radikale Venstres og Alternativets byrådsgrupper kunne ikke tiltræde indstillingen.",
            "dissent",
            ("Radikale Venstre", "Alternativet"),
        ),
        ("Jesper Kjeldsen deltog ikke i sagens behandling.", "absent", ("Jesper Kjeldsen",)),
        (
            "Liv Gro Jensen var forhindret i at deltage i udvalgets behandling af sagen.",
            "absent",
            ("Liv Gro Jensen",),
        ),
        # Ballerup eDoc, with the names the label waits for
        ("Følgende deltog ikke i behandlingen af punktet: Birte Kramhøft (F)", "absent", ("Birte Kramhøft (F)",)),
        ("Et mindretal (V og DF) stemmer imod.", "dissent", ("V", "DF")),
    ],
)
def test_statements_of_real_minutes(sentence: str, kind: str, who: tuple[str, ...]) -> None:
    statement = read_statement(sentence)
    assert statement is not None and (statement.kind, statement.who, statement.complete) == (kind, who, True)


@pytest.mark.parametrize(
    "sentence",
    [
        "Udvalget undlod at tage stilling.",  # the committee itself: that is the decision
        "Økonomiudvalget kan ikke anbefale administrationens indstilling.",
        "Et mindretal stemmer imod.",  # no names: never guessed
        "Et flertal i udvalget kunne tiltræde indstillingen i overensstemmelse med Magistratens anbefaling.",
        "Med stemmerne 19 for og 6 imod godkendte Byrådet Økonomiudvalgets indstilling.",
        "For stemte: (V), (A), (C), (D) og Liselott Blixt (UP).",
        "Venstre ville have stemt for administrationens indstilling.",
        "Undlader.",
        "Godkendt (Ø) stemmer imod pkt. 2",  # a decision word is no name
    ],
)
def test_what_is_no_statement_is_left_alone(sentence: str) -> None:
    assert read_statement(sentence) is None


def test_a_remark_or_a_scope_keeps_the_sentence() -> None:
    reason = read_statement("Torben Hoffmann (V) stemmer imod, idet han ønsker, at bygningen først sikres mod forfald.")
    assert reason is not None and reason.who == ("Torben Hoffmann (V)",) and not reason.complete
    scope = read_statement("1.-2. V og A undlader.")
    assert scope is not None and scope.who == ("V", "A") and not scope.complete


def test_a_greve_decision_block() -> None:
    # Greve, Plan- og Tryghedsudvalget: a list of decisions, a dissent on its own line, the absent member last
    participation, lines = read_decision(
        "1. Orienteringen blev taget til efterretning\n2. Godkendt\n(Ø) stemmer imod pkt. 2\nAfbud: Hans-Jørgen Kirstein"
    )
    assert participation == Participation(absent=("Hans-Jørgen Kirstein",), dissent=("(Ø)",))
    assert "(Ø) stemmer imod pkt. 2" in " ".join(lines)  # its scope stays in the text
    assert not any("Afbud" in line for line in lines)


def test_a_full_statement_leaves_the_lines() -> None:
    participation, lines = read_decision(
        "Anbefales.\nLinda Heegaard (F) undlod at tage stilling.\nAfbud: Liselott Blixt"
    )
    assert participation == Participation(absent=("Liselott Blixt",), abstained=("Linda Heegaard (F)",))
    assert lines == ["Anbefales."]


def test_a_vote_on_another_motion_is_not_the_decisions() -> None:
    # Greve, Plan- og Tryghedsudvalget 12.08.2025: the votes are on (V)'s amendment, not on the decision
    participation, lines = read_decision(
        "(V) fremsatte følgende ændringsforslag til beslutning vedr. indstillingspunkt 1:\n"
        "For stemte (V).\nImod stemte (Ø), (C), (A) og Hans-Jørgen Kirstein (UP2).\n1.-2. Godkendt."
    )
    assert participation == Participation()
    assert any("Imod stemte (Ø)" in line for line in lines)


def test_a_dated_decision_block_keeps_its_day() -> None:
    line = Line("Indstillingen godkendt", 3, 10)
    section = Section(SectionKind.BESLUTNING, "Beslutning", [line], decided_on=date(2013, 4, 10))
    doc = ParsedDocument(DocumentKind.MINUTES, items=[Item(1, "Kulturkommune 2017", sections=[section])])
    (fact,) = document_decisions(doc)
    assert fact.decided_on == date(2013, 4, 10)
    row = DecisionRow(date(2013, 6, 20), 1, "Kulturkommune 2017", "beslutning", None, ("Indstillingen godkendt",),
                      "Indstillingen godkendt", "referat.pdf", 3, decided_on=fact.decided_on)  # fmt: skip
    assert row.to_json()["decided_on"] == "2013-04-10"
    assert "besluttet 10.04.2013" in render_decision(row) and "besluttet 10.04.2013" in render.decision(row)


def test_an_absence_stated_in_the_item_counts_for_its_decision_of_this_meeting() -> None:
    # Greve's absence line, here in the item's own text before its decisions; an earlier dated decision keeps none
    untitled = Section(SectionKind.OTHER, None, [Line("Fraværende: Tina Rottbøll", 3, 5)])
    earlier = Section(SectionKind.BESLUTNING, "Beslutning", [Line("Godkendt.", 3, 6)], decided_on=date(2023, 9, 4))
    today = Section(SectionKind.BESLUTNING, "Beslutning", [Line("Anbefales.", 3, 8)])
    item = Item(4, "Budgetopfølgning 2", sections=[untitled, earlier, today])
    doc = ParsedDocument(DocumentKind.MINUTES, meeting_date=date(2023, 10, 9), items=[item])
    assert [fact.participation.absent for fact in document_decisions(doc)] == [(), ("Tina Rottbøll",)]


# ------------------------------------------------------------------------------------------------ end to end


@pytest.fixture(scope="module")
def minutes_store(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Dasbot:
    """Ballerup's eDoc minutes as text, item 2's decision with absence, dissent and a reservation recorded."""
    source = shared_path("corpus", "pdf", "ballerup_sundheds-og-forebyggelsesudvalget_2012-12-04_referat.pdf")
    text = "\f".join(page.text for page in read_pages(source))
    label = "Indstillingen godkendt\nFølgende deltog ikke i behandlingen af punktet:"
    assert label in text
    added = "\nBirte Kramhøft (F)\nKarl Vilhelm Nielsen (V) stemte imod.\nMaria Lundahl Assov (A) tog forbehold."
    folder = tmp_path_factory.mktemp("minutes")
    path = folder / "referat.txt"
    path.write_text(text.replace(label, label + added, 1), encoding="utf-8")
    store = Dasbot(
        Settings(data_dir=folder / "data", cache_dir=cache_dir),
        embedder=HashedEmbedder(Embedder.load(None, cache_dir)),
    )
    store.index([path])
    return store


def test_decisions_json_carries_who_took_part(minutes_store: Dasbot) -> None:
    result = CliRunner().invoke(cli, ["decisions", "Bygningsvedligeholdelse", "--json"], obj=minutes_store)
    assert result.exit_code == 0, result.output
    (row,) = [r for r in json.loads(result.stdout) if r["kind"] == "beslutning"]
    assert row["item"] == 2 and row["lines"] == ["Indstillingen godkendt"]
    assert row["absent"] == ["Birte Kramhøft (F)"]
    assert row["dissent"] == ["Karl Vilhelm Nielsen (V)"]
    assert row["reservations"] == ["Maria Lundahl Assov (A)"]
    assert row["abstained"] == []
    assert row["decided_on"] in (None, "2012-12-04")
    others = json.loads(CliRunner().invoke(cli, ["decisions", "--json"], obj=minutes_store).stdout)
    assert all(r["absent"] == [] for r in others if r["item"] != 2)


def test_terminal_and_telegram_show_who_took_part(minutes_store: Dasbot) -> None:
    text = CliRunner().invoke(cli, ["decisions", "Bygningsvedligeholdelse"], obj=minutes_store).stdout
    assert "Fraværende: Birte Kramhøft (F)" in text
    assert "Imod: Karl Vilhelm Nielsen (V)" in text and "Forbehold: Maria Lundahl Assov (A)" in text
    rows = [r for r in find_decisions(minutes_store.engine, "Bygningsvedligeholdelse") if r.kind == "beslutning"]
    chat = render_facts(Answer(question="hvem var fraværende?", abstained=False, decisions=rows))
    assert "Fraværende: Birte Kramhøft (F)" in chat and "Imod: Karl Vilhelm Nielsen (V)" in chat
    telegram = render.decisions(rows, "Bygningsvedligeholdelse")
    assert "<i>Fraværende:</i> Birte Kramhøft (F)" in telegram
    assert (
        "<i>Imod:</i> Karl Vilhelm Nielsen (V)" in telegram and "<i>Forbehold:</i> Maria Lundahl Assov (A)" in telegram
    )
