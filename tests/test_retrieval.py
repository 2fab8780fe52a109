"""Retrieval on the dev questions with the real model, and the answer's JSON contract."""

from __future__ import annotations

from bot.core import Dasbot
from bot.evaluate import evaluate, load_questions
from tests.conftest import shared_path


def test_dev_sample_hit_at_5(app: Dasbot) -> None:
    questions = load_questions(shared_path("eval", "dev_qa.jsonl"))
    summary, rows = evaluate(app.answerer, questions)
    missed = [r["id"] for r in rows if r["type"] != "none" and (r["rank"] is None or r["rank"] > 5)]
    assert summary["hit@5"] >= 0.90, missed


def test_answer_cites_meeting_item_section(app: Dasbot) -> None:
    answer = app.answerer.ask("Hvad er døgntaksten for Viften Vodskov efter genberegningen?", k=5)
    assert not answer.abstained
    top = answer.to_json()["passages"]
    assert any(p["item"] == 7 and p["meeting_date"] == "2023-03-31" for p in top)
    first = top[0]
    assert set(first) >= {"rank", "score", "text", "source", "page", "meeting_date", "item", "item_title", "section"}
    assert first["rank"] == 1 and isinstance(first["score"], float)


def test_abstains_when_the_records_are_silent(app: Dasbot) -> None:
    answer = app.answerer.ask("Hvad er opskriften på æblekage med flødeskum?")
    assert answer.abstained and answer.passages == []
