"""Scoring a question file by the eval README's rules: strict and lenient retrieval, characters read,
abstention and the direct answer; and the tariff and decision tables against gold files."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.answer import Answer, Answerer, Passage
from bot.lookups.decisions import DecisionRow
from bot.lookups.tariffs import TariffRow
from indexer.clean import normalise

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
DIRECT_RIGHT = 0.6  # share of an evidence string's words a direct answer must hold to count as right
TOP = 5
DEPTH = 10


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
                    id=row.get("id", str(len(out) + 1)),
                    question=row["question"],
                    type=row.get("type", ""),
                    evidence=tuple(row.get("evidence") or ()),
                    meeting_date=row.get("meeting_date"),
                    item=row.get("item"),
                )
            )
    return out


def fold(text: str) -> str:
    """The README's normal form: NFKC, bullets to spaces, lower case, whitespace runs folded."""
    text = unicodedata.normalize("NFKC", text).replace("\uf0b7", " ").replace("•", " ")
    return _SPACE.sub(" ", text).strip().lower()


def holds_evidence(question: Question, text: str) -> bool:
    """The strict rule: the text itself contains one of the question's evidence strings."""
    folded = fold(text)
    return any(fold(e) in folded for e in question.evidence)


def strict_hit(question: Question, passage: Passage) -> bool:
    """A passage counts when its own text holds the evidence."""
    return holds_evidence(question, passage.text)


def lenient_hit(question: Question, passage: Passage) -> bool:
    """For diagnosis: the evidence, or the gold meeting and item cited."""
    cite = passage.citation
    return strict_hit(question, passage) or (
        question.item is not None
        and cite.item == question.item
        and cite.meeting_date is not None
        and cite.meeting_date.isoformat() == question.meeting_date
    )


def first_hit(question: Question, answer: Answer, hit: Callable[[Question, Passage], bool] = strict_hit) -> int | None:
    """The 1-based rank of the first hit, or None (an abstention has no hit)."""
    return next((p.rank for p in answer.passages if hit(question, p)), None)


def characters(answer: Answer, top: int = TOP) -> int:
    """Characters to read in the first `top` passages, whitespace runs counted as one."""
    return sum(len(_SPACE.sub(" ", p.text).strip()) for p in answer.passages[:top])


def direct_is_right(question: Question, answer: Answer) -> bool:
    """A direct answer is right when it holds at least 60 % of the words of one evidence string."""
    if answer.direct is None:
        return False
    shown = set(_WORD.findall(fold(answer.direct.text)))
    for evidence in question.evidence:
        wanted = _WORD.findall(fold(evidence))
        if wanted and sum(w in shown for w in wanted) / len(wanted) >= DIRECT_RIGHT:
            return True
    return False


def _ranks_summary(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "hit@1": sum(r == 1 for r in ranks) / n,
        "hit@5": sum(r is not None and r <= TOP for r in ranks) / n,
        "mrr@10": sum(1 / r for r in ranks if r is not None and r <= DEPTH) / n,
    }


def score(questions: list[Question], answers: list[Answer]) -> dict[str, Any]:
    """The README's figures over a set of questions: strict and lenient hit@1, hit@5 and MRR@10 over the
    answerable ones, characters read in the top 5, abstention, and the direct answer's precision and coverage."""
    pairs = list(zip(questions, answers))
    answerable = [(q, a) for q, a in pairs if q.answerable]
    unanswerable = [a for q, a in pairs if not q.answerable]
    shown = [a for _, a in pairs if not a.abstained and a.passages]
    directs = [(q, a) for q, a in answerable if a.direct is not None]
    strict = _ranks_summary([first_hit(q, a) for q, a in answerable])
    lenient = _ranks_summary([first_hit(q, a, lenient_hit) for q, a in answerable])
    return {
        "questions": len(questions),
        "answerable": len(answerable),
        **strict,
        **{f"lenient {key}": value for key, value in lenient.items()},
        "chars@5": sum(characters(a) for a in shown) / len(shown) if shown else 0.0,
        "abstained_on_unanswerable": sum(a.abstained for a in unanswerable) / len(unanswerable)
        if unanswerable
        else None,
        "unanswerable": len(unanswerable),
        "answered_answerable": sum(not a.abstained for _, a in answerable) / (len(answerable) or 1),
        "direct_precision": sum(direct_is_right(q, a) for q, a in directs) / len(directs) if directs else None,
        "direct_coverage": len(directs) / (len(answerable) or 1),
    }


def score_by_type(questions: list[Question], answers: list[Answer]) -> dict[str, dict[str, Any]]:
    """`score` for each question type."""
    kinds = sorted({q.type for q in questions})
    return {
        kind: score(*map(list, zip(*[(q, a) for q, a in zip(questions, answers) if q.type == kind]))) for kind in kinds
    }


def answer_all(answerer: Answerer, questions: Iterable[Question], mode: str = "hybrid") -> list[Answer]:
    """Every question asked once, ten passages each."""
    return [answerer.ask(q.question, k=DEPTH, mode=mode) for q in questions]


def rows(questions: list[Question], answers: list[Answer]) -> list[dict[str, Any]]:
    """One row per question for inspection: ranks by both rules, abstention, and the direct answer."""
    return [
        {
            "id": q.id,
            "type": q.type,
            "rank": first_hit(q, a),
            "lenient_rank": first_hit(q, a, lenient_hit),
            "abstained": a.abstained,
            "direct": None if a.direct is None else direct_is_right(q, a),
            "chars@5": characters(a),
            "question": q.question,
        }
        for q, a in zip(questions, answers)
    ]


def evaluate(
    answerer: Answerer, questions: list[Question], mode: str = "hybrid"
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Ask every question and score; also per-question rows for inspection."""
    answers = answer_all(answerer, questions, mode)
    return score(questions, answers), rows(questions, answers)


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
            _tariff_key(row.offer, row.service, row.year, row.kind)
            == _tariff_key(g["offer"], g["service"], g["year"], g["kind"])
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
        "missed": [
            f"{g['file'][:3]} {g['offer']} | {g['service']} | {g['year']} {g['kind']} {g['amount_dkk']}"
            for g in gold
            if g not in found
        ],
    }


def score_decisions(gold_path: Path, rows: list[DecisionRow]) -> dict[str, Any]:
    """Recall of the gold recommendation lines, and precision of the extracted lines of the gold's items."""
    gold = _jsonl(gold_path)
    by_item = {
        (r.meeting_date.isoformat() if r.meeting_date else None, r.item): r for r in rows if r.kind == "indstilling"
    }
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
