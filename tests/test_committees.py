"""An archive of several committees: a question naming one is answered from that committee's records only, and
a question of who was absent, against or reserved shows only the decisions that record it. Real minutes of three
committees (FirstAgenda web page, FirstAgenda export, eDoc PDF), indexed with the real model."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import Dasbot
from bot.query import named_committee
from bot.settings import Settings
from tests.conftest import shared_path

RECORDS = (
    ("other", "aarhus_teknisk-udvalg_2025-10-01_referat.html"),
    ("other", "greve_social-og-handicapudvalget_2023-10-09_referat.txt"),
    ("pdf", "ballerup_sundheds-og-forebyggelsesudvalget_2012-12-04_referat.pdf"),
)
COMMITTEES = ("Teknisk Udvalg", "Social- og Handicapudvalget", "Sundheds- og Forebyggelsesudvalget")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Dasbot:
    """A store holding one meeting of each of three committees."""
    paths = [shared_path("corpus", folder, name) for folder, name in RECORDS]
    store = Dasbot(Settings(data_dir=tmp_path_factory.mktemp("committees"), cache_dir=cache_dir))
    assert [r.status for r in store.index(paths)] == ["indexed"] * len(paths)
    return store


@pytest.mark.parametrize(
    "question, committee",
    [
        ("hvem tog forbehold i Teknisk Udvalg?", "Teknisk Udvalg"),
        ("hvad besluttede teknisk udvalg om Aarhus Ø?", "Teknisk Udvalg"),
        ("Teknisk Udvalgs beslutning om Pier 3", "Teknisk Udvalg"),
        ("hvad sagde Sundheds- og Forebyggelsesudvalget om Torvevej?", "Sundheds- og Forebyggelsesudvalget"),
        ("Sundheds- og  forebyggelsesudvalgets møde i december", "Sundheds- og Forebyggelsesudvalget"),
        ("hvem tog forbehold i Teknisk Udvalg? og i Social- og Handicapudvalget?", "Social- og Handicapudvalget"),
        ("hvem tog forbehold?", None),
        ("hvad skal udvalget tage stilling til?", None),  # no committee named in full
    ],
)
def test_a_committee_is_named_in_full(question: str, committee: str | None) -> None:
    assert named_committee(question, COMMITTEES) == committee


def test_an_archive_of_one_committee_is_never_filtered() -> None:
    assert named_committee("hvad besluttede DAS Social om Kvisten?", ("DAS Social",)) is None


def test_a_question_naming_a_committee_is_answered_from_its_records(archive: Dasbot) -> None:
    answer = archive.answerer.ask("hvem tog forbehold i Sundheds- og Forebyggelsesudvalget?")
    assert answer.to_json()["filters"]["committee"] == "Sundheds- og Forebyggelsesudvalget"
    assert answer.cited and {p.citation.committee for p in answer.cited} == {"Sundheds- og Forebyggelsesudvalget"}
    # Teknisk Udvalg's member who took a reservation is no answer about another committee
    assert "Jakob Søgaard Clausen" not in str(answer.to_json())
    # the same question of all committees finds him
    anyone = archive.answerer.ask("hvem tog forbehold?")
    assert anyone.committee is None and "filters" not in anyone.to_json()
    assert any("Jakob Søgaard Clausen" in d.reservations for d in anyone.decisions or [])


def test_a_question_of_who_took_part_shows_only_decisions_that_record_it(archive: Dasbot) -> None:
    answer = archive.answerer.ask("hvem stemte imod udviklingsplanen for Aarhus Ø?")
    assert answer.decisions and all(d.dissent for d in answer.decisions)
    assert answer.decisions[0].dissent == ("Solveig Munk",)
    # no decision of the Ballerup meeting records a reservation: none is shown for it
    ballerup = archive.answerer.ask("hvem tog forbehold i Sundheds- og Forebyggelsesudvalget?")
    assert not ballerup.decisions
