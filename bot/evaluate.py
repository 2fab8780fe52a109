"""Scoring a question file by the dev sample's rule: hit@1, hit@5, MRR@10 and abstention."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.answer import Answer, Answerer, Passage
from bot.lookups.decisions import DecisionRow
from bot.lookups.tariffs import TariffRow
from indexer.clean import normalise


@dataclass(frozen=True)
class Question:
    """One gold question: evidence strings and, where known, the meeting date and item."""

    id: str
    question: str
    type: str
    evidence: tuple[str, ...]
    meeting_date: str | None
    item: int | None

    @property
    def answerable(self) -> bool:
        """False for `none` questions, which the bot should abstain on."""
        return self.type != "none"


def load_questions(path: Path) -> list[Question]:
    """Questions from a JSONL file in the format of shared/eval/dev_qa.jsonl."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append(
                Question(
                    id=row.get("id", str(len(out) + 1)), question=row["question"], type=row.get("type", ""),
                    evidence=tuple(row.get("evidence") or ()), meeting_date=row.get("meeting_date"),
                    item=row.get("item"),
                )
            )
    return out


def is_hit(question: Question, passage: Passage) -> bool:
    """A passage hits when it contains an evidence string, or cites the gold meeting and item."""
    text = normalise(passage.text)
    if any(normalise(e) in text for e in question.evidence):
        return True
    return (
        question.item is not None
        and passage.item == question.item
        and passage.meeting_date is not None
        and passage.meeting_date.isoformat() == question.meeting_date
    )


def first_hit(question: Question, answer: Answer) -> int | None:
    """The 1-based rank of the first hit, or None."""
    return next((p.rank for p in answer.passages if is_hit(question, p)), None)


def score(questions: list[Question], answers: list[Answer]) -> dict[str, Any]:
    """hit@1, hit@5, MRR@10 over the answerable questions (an abstention counts as a miss), and abstention."""
    ranks = [first_hit(q, a) for q, a in zip(questions, answers) if q.answerable]
    answerable = len(ranks) or 1
    unanswerable = [a for q, a in zip(questions, answers) if not q.answerable]
    answered = [a for q, a in zip(questions, answers) if q.answerable and not a.abstained]
    return {
        "questions": len(questions),
        "hit@1": sum(1 for r in ranks if r == 1) / answerable,
        "hit@5": sum(1 for r in ranks if r is not None and r <= 5) / answerable,
        "mrr@10": sum(1 / r for r in ranks if r is not None and r <= 10) / answerable,
        "abstained_on_unanswerable": (sum(a.abstained for a in unanswerable) / len(unanswerable)) if unanswerable else None,
        "answered_answerable": len(answered) / answerable,
    }


def evaluate(answerer: Answerer, questions: list[Question], mode: str = "hybrid") -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Ask every question (10 passages each) and score; also per-question rows for inspection."""
    answers = [answerer.ask(q.question, k=10, mode=mode) for q in questions]
    rows = [
        {"id": q.id, "type": q.type, "rank": first_hit(q, a), "abstained": a.abstained, "question": q.question}
        for q, a in zip(questions, answers)
    ]
    return score(questions, answers), rows


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _tariff_key(offer: str | None, service: str | None, year: int | None, kind: str | None) -> tuple:
    return (normalise(offer or ""), normalise(service or ""), year, kind)


def score_tariffs(gold_path: Path, rows: list[TariffRow]) -> dict[str, Any]:
    """Recall over the gold rows; precision over the extracted tariffs
    whose file, year, kind and amount the gold has.

    A tariff matches when offer, service, year, kind (and legal basis where the gold gives one) match and the
    amount is equal. The gold is a sample, so precision is judged only where the gold speaks.
    """
    gold = _jsonl(gold_path)

    def same(row: TariffRow, g: dict[str, Any]) -> bool:
        return (
            _tariff_key(row.offer, row.service, row.year, row.kind) == _tariff_key(g["offer"], g["service"], g["year"], g["kind"])
            and row.amount_dkk == g["amount_dkk"]
            and (not g.get("lovgrundlag") or normalise(row.legal_basis or "") == normalise(g["lovgrundlag"]))
        )

    found = [g for g in gold if any(same(r, g) for r in rows if r.source == g["file"])]
    spoken = {(g["file"], g["year"], g["kind"], g["amount_dkk"]) for g in gold}
    judged = [r for r in rows if (r.source, r.year, r.kind, r.amount_dkk) in spoken]
    correct = [r for r in judged if any(same(r, g) for g in gold if g["file"] == r.source)]
    return {
        "gold": len(gold),
        "recall": len(found) / len(gold) if gold else None,
        "precision": len(correct) / len(judged) if judged else None,
        "judged": len(judged),
        "missed": [f"{g['file'][:3]} {g['offer']} | {g['service']} | {g['year']} {g['kind']} {g['amount_dkk']}" for g in gold if g not in found],
    }


def score_decisions(gold_path: Path, rows: list[DecisionRow]) -> dict[str, Any]:
    """Recall of the gold recommendation lines, and precision of the extracted lines of the gold's items."""
    gold = _jsonl(gold_path)
    by_item = {(r.meeting_date.isoformat() if r.meeting_date else None, r.item): r for r in rows if r.kind == "indstilling"}
    found = expected = correct = extracted = 0
    missed = []
    for g in gold:
        row = by_item.get((g["meeting_date"], g["item"]))
        lines = [normalise(line) for line in (row.lines if row else ())]
        wanted = [normalise(r) for r in g["recommendations"]]
        whole = normalise(g.get("indstilling_text") or "")
        expected += len(wanted)
        hits = [w for w in wanted if any(line == w or w in line for line in lines)]
        found += len(hits)
        extracted += len(lines)
        correct += sum(1 for line in lines if any(line == w or w in line for w in wanted) or (whole and line in whole))
        missed += [f"{g['meeting_date']} punkt {g['item']}: {w}" for w in wanted if w not in hits]
    return {
        "items": len(gold),
        "recall": found / expected if expected else None,
        "precision": correct / extracted if extracted else None,
        "missed": missed,
    }
