"""Tariff, decision and timeline lookups end to end on the bundled corpus, and the eval targets."""

from __future__ import annotations

from datetime import date

from bot.core import Dasbot
from bot.evaluate import score_decisions, score_tariffs
from bot.lookups.decisions import all_decisions, find_decisions
from bot.lookups.tariffs import all_tariffs, find_tariffs
from bot.lookups.timeline import timeline
from tests.conftest import shared_path


def test_tariff_by_offer_and_level(app: Dasbot) -> None:
    rows = find_tariffs(app.engine, "Attruphøj boniveau 6", year=2023)
    new = [r for r in rows if r.kind == "new"]
    assert [(r.amount_dkk, r.previous_amount_dkk, r.unit) for r in new] == [(3462, 3326, "døgn")]
    row = new[0]
    assert (row.meeting_date, row.item, row.source[:3]) == (date(2023, 3, 31), 7, "000")
    assert "3.326" in row.evidence and "3.462" in row.evidence


def test_tariff_matching_forgives_typos_compounds_and_case(app: Dasbot) -> None:
    assert {r.offer for r in find_tariffs(app.engine, "hobitten boniveau 8")} == {"Botilbud Hobbitten"}
    assert any(r.kind == "increase" for r in find_tariffs(app.engine, "kvisten takst"))
    assert find_tariffs(app.engine, "BOTILBUD") and all(
        "botilbud" in r.offer.lower() for r in find_tariffs(app.engine, "BOTILBUD")
    )


def test_no_query_lists_all_and_year_filters(app: Dasbot) -> None:
    everything = find_tariffs(app.engine)
    assert len(everything) == len(all_tariffs(app.engine)) > 250
    assert {r.year for r in find_tariffs(app.engine, year=2021)} == {2021}


def test_decisions_by_keyword_newest_first(app: Dasbot) -> None:
    rows = find_decisions(app.engine, "Kvisten")
    assert rows[0].meeting_date == date(2023, 1, 20) and rows[0].item == 11
    assert "DAS godkender kommissorie for arbejdsgruppe vedr. Nødspor Kvisten" in rows[0].lines
    dates = [r.meeting_date for r in find_decisions(app.engine)]
    assert dates == sorted(dates, reverse=True)
    assert all(
        r.meeting_date.year == 2023 for r in find_decisions(app.engine, "", date(2023, 1, 1), date(2023, 12, 31))
    )


def test_appendix_indstilling_is_not_the_items(app: Dasbot) -> None:
    item7 = [r for r in all_decisions(app.engine) if r.meeting_date == date(2023, 1, 20) and r.item == 7]
    assert len(item7) == 1 and item7[0].lines[0].startswith("DAS drøfter")


def test_timeline_oldest_first_with_recommendations(app: Dasbot) -> None:
    entries = timeline(app.engine, "Kvisten")
    assert [e.meeting_date for e in entries] == sorted(e.meeting_date for e in entries)
    assert entries[0].meeting_date == date(2021, 8, 23)
    commission = next(e for e in entries if (e.meeting_date, e.item) == (date(2023, 1, 20), 11))
    assert commission.decisions and commission.decisions[0].kind == "indstilling"


def test_ask_adds_tariffs_and_decisions_when_asked(app: Dasbot) -> None:
    price = app.answerer.ask("hvad er taksten for Attruphøj boniveau 6?").to_json()
    assert any(t["amount_dkk"] == 3462 for t in price["tariffs"])
    decision = app.answerer.ask("hvad blev indstillet om Kvisten?").to_json()
    assert any("Kvisten" in " ".join(d["lines"]) for d in decision["decisions"])
    plain = app.answerer.ask("hvem er formand for KKR Nordjylland?").to_json()
    assert "tariffs" not in plain and "decisions" not in plain


def test_eval_targets_on_the_dev_sample(app: Dasbot) -> None:
    tariffs = score_tariffs(shared_path("eval", "tariffs_dev.jsonl"), all_tariffs(app.engine))
    assert tariffs["recall"] >= 0.95, tariffs["missed"]
    decisions = score_decisions(shared_path("eval", "decisions_dev.jsonl"), all_decisions(app.engine))
    assert decisions["recall"] >= 0.95, decisions["missed"]
