"""Retrieval on the dev questions with the real model, and the answer's JSON contract."""

from __future__ import annotations

from bot.conversation import Conversation
from bot.core import Dasbot
from bot.evaluate import evaluate, load_questions
from tests.conftest import shared_path


def test_dev_sample_targets(app: Dasbot) -> None:
    questions = load_questions(shared_path("eval", "dev_qa.jsonl"))
    summary, rows = evaluate(app.answerer, questions)
    missed = [r["id"] for r in rows if r["type"] != "none" and (r["rank"] is None or r["rank"] > 5)]
    assert summary["hit@5"] >= 0.95, missed
    assert summary["hit@1"] >= 0.75 and summary["mrr@10"] >= 0.80, summary
    assert summary["answered_answerable"] >= 0.95, summary


def test_agenda_question_lists_the_meeting(app: Dasbot) -> None:
    answer = app.answerer.ask("hvad var på dagsordenen den 21. august 2023?")
    [meeting] = answer.agenda
    assert meeting["date"] == "2023-08-21" and len(meeting["items"]) == 17
    assert all(p.meeting_date.isoformat() == "2023-08-21" for p in answer.passages)


def test_follow_up_keeps_the_topic(app: Dasbot) -> None:
    chat = Conversation()
    app.answerer.ask("hvem havde skrevet under på KKR Nordjyllands brev til sundhedsministeren?", conversation=chat)
    follow = app.answerer.ask("hvem svarede på det?", conversation=chat)
    assert not follow.abstained and follow.passages[0].source.startswith("004")
    assert "sundhedsministeren" in follow.searched


def test_passages_are_not_near_duplicates(app: Dasbot) -> None:
    answer = app.answerer.ask("hvad koster en plads på de særlige pladser?", k=5)
    assert answer.direct is not None and "4.107" in answer.direct.text
    bags = [set(p.text.lower().split()) for p in answer.passages]
    for i, bag in enumerate(bags):
        for other in bags[:i]:
            assert len(bag & other) / len(bag) < 0.6


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
