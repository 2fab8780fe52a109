"""Fit the direct answer's threshold on the train questions; report precision and coverage on dev.

    python bench/fit_direct.py [--refresh] [--cache PATH] [--precision 0.9]

Passages come from the app over DASBOT_DATA_DIR (`answerer.ask(question, k=5)`) and are cached per question
with the rarity of the question's terms, so refitting takes seconds; `--refresh` asks again (after a change
to retrieval or passages).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, replace
from itertools import product
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.answer import Answer  # noqa: E402
from bot.asked import Asked  # noqa: E402
from bot.core import Dasbot  # noqa: E402
from bot.direct import ONE_SENTENCE, WEIGHTS, Candidate, DirectAnswer, Weights, best, candidates  # noqa: E402
from bot.evaluate import Question, direct_is_right, load_questions  # noqa: E402
from bot.search.text import terms  # noqa: E402
from bot.settings import Settings  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
TRAIN = EVAL / "train_qa.jsonl"
DEV = EVAL / "dev_qa.jsonl"
K = 5
CACHE_NAME = "fit_direct_passages.json"
TARGET = 0.9
MIN_SHOWN = 15  # a threshold is judged on at least this many train answers
KIND_BONUSES = (0.0, 0.1, 0.2, 0.3, 0.5)
RANK_STEPS = (0.0, 0.05, 0.1, 0.2)
CLASHES = (0.0, 0.2, 0.5, 1.0)
DEPTHS = (1, 2, 3)
STRICT = (False, True)
SWEEP = (-0.1, 0.0, 0.1, 0.2, 0.3, 0.4)  # thresholds around the fitted one, to show the trade-off

Cached = dict[str, dict[str, object]]


def ask_all(questions: list[Question]) -> Cached:
    """Each question's passages ((rank, text), best first; none when it abstains) and its terms' idf."""
    app = Dasbot(Settings.from_env())
    out: Cached = {}
    for question in questions:
        answer = app.answerer.ask(question.question, k=K)
        out[question.question] = {
            "passages": [[p.rank, p.text] for p in answer.passages],
            "idf": {t: app.searcher.idf(t) for t in terms(question.question)},
        }
    return out


def load_cache(path: Path, questions: list[Question], refresh: bool) -> Cached:
    """The cached passages, asking the questions the cache lacks (all of them with `refresh`)."""
    cached: Cached = {} if refresh or not path.exists() else json.loads(path.read_text(encoding="utf-8"))
    missing = [q for q in questions if q.question not in cached]
    if missing:
        cached |= ask_all(missing)
        path.write_text(json.dumps(cached, ensure_ascii=False, indent=1), encoding="utf-8")
    return cached


@dataclass(frozen=True)
class Found:
    """One question with what it asks and the candidate sentences of its passages."""

    question: Question
    asked: Asked
    candidates: list[Candidate]


def found_all(questions: list[Question], cache: Cached) -> list[Found]:
    """Candidates of every question, from the cached passages and idf."""
    out = []
    for question in questions:
        entry = cache[question.question]
        idf = entry["idf"]
        passages = [(rank, text) for rank, text in entry["passages"]]
        question_asked, found = candidates(question.question, passages, idf=idf.__getitem__, depth=max(DEPTHS))
        out.append(Found(question, question_asked, found))
    return out


def choose(row: Found, weights: Weights) -> tuple[float, bool] | None:
    """The score of the sentence the weights choose and whether it is right (never, for a `none` question);
    None for a kind of question that gets no sentence (as in `direct_answer`)."""
    if row.asked.kind not in ONE_SENTENCE:
        return None
    chosen = best(row.asked, row.candidates, weights)
    if chosen is None:
        return None
    score, candidate = chosen
    direct = DirectAnswer(candidate.text, candidate.rank)
    answer = Answer(question=row.question.question, abstained=False, direct=direct)
    return score, direct_is_right(row.question, answer)


def figures(rows: list[Found], weights: Weights) -> dict[str, float | int]:
    """The README's precision and coverage over the answerable questions, and `none` questions answered."""
    shown = [(row.question.answerable, c) for row in rows if (c := choose(row, weights)) and c[0] > weights.threshold]
    answerable = sum(row.question.answerable for row in rows)
    given = sum(answerable_ for answerable_, _ in shown)
    right = sum(ok for _, (_, ok) in shown)
    return {
        "precision": right / given if given else 0.0,
        "coverage": given / answerable if answerable else 0.0,
        "right": right,
        "shown": given,
        "answerable": answerable,
        "none_answered": len(shown) - given,
        "none": len(rows) - answerable,
    }


def report(rows: list[Found], weights: Weights) -> str:
    """Precision, coverage and `none` questions answered, on one line."""
    f = figures(rows, weights)
    none = f"; none answered {f['none_answered']}/{f['none']}" if f["none"] else ""
    return (
        f"precision {f['precision']:.3f} coverage {f['coverage']:.3f} "
        f"({f['right']}/{f['shown']} right of {f['answerable']} answerable{none})"
    )


def operating_points(scored: list[tuple[float, bool]]) -> list[tuple[float, int, int]]:
    """Each threshold (halfway between two distinct scores) showing at least MIN_SHOWN answers, with how many
    it shows and how many of those are right."""
    ranked = sorted(scored, key=lambda pair: -pair[0])
    out, right = [], 0
    for shown, (score, ok) in enumerate(ranked, start=1):
        right += ok
        below = ranked[shown][0] if shown < len(ranked) else score - 1.0
        if below < score and shown >= MIN_SHOWN:
            out.append(((score + below) / 2, shown, right))
    return out


def fit(rows: list[Found], precision: float) -> tuple[Weights, bool]:
    """The weights and threshold showing the most answers at `precision` on `rows` (ties: more right, then
    the higher threshold), a `none` question's answer counting as wrong; when no threshold keeps `precision`,
    the most precise one. Also whether `precision` was kept."""
    best_weights, best_key = WEIGHTS, (False, 0.0, 0, 0.0)
    for kind_bonus, rank_step, clash, depth, strict in product(KIND_BONUSES, RANK_STEPS, CLASHES, DEPTHS, STRICT):
        weights = Weights(kind_bonus=kind_bonus, rank_step=rank_step, clash=clash, depth=depth, strict=strict)
        for threshold, shown, right in operating_points([c for row in rows if (c := choose(row, weights))]):
            kept = right / shown >= precision
            key = (kept, shown if kept else right / shown, shown if kept else right, threshold)
            if key > best_key:
                best_weights, best_key = replace(weights, threshold=round(threshold, 3)), key
    return best_weights, best_key[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--refresh", action="store_true", help="ask every question again")
    parser.add_argument("--cache", type=Path, help=f"passage cache (default: DASBOT_DATA_DIR/{CACHE_NAME})")
    parser.add_argument("--precision", type=float, default=TARGET, help="precision to keep on train")
    args = parser.parse_args()
    train, dev = load_questions(TRAIN), load_questions(DEV)
    cache = load_cache(args.cache or Settings.from_env().data_dir / CACHE_NAME, train + dev, args.refresh)
    train_found, dev_found = found_all(train, cache), found_all(dev, cache)
    weights, kept = fit(train_found, args.precision)
    note = "" if kept else f" (no threshold keeps {args.precision:.2f} on train: the most precise one)"
    print(f"fitted at {args.precision:.2f}{note}:\n  {weights}")
    print("threshold sweep with the fitted weights:")
    for step in SWEEP:
        swept = replace(weights, threshold=round(weights.threshold + step, 3))
        print(f"  {swept.threshold:.3f} train {report(train_found, swept)}\n        dev   {report(dev_found, swept)}")
    for name, chosen in (("in use", WEIGHTS), ("fitted", weights)):
        for split, rows in (("train", train_found), ("dev", dev_found)):
            print(f"{name:7} {split:5} {report(rows, chosen)}")
    print("dev by question type (in use):")
    for kind in sorted({row.question.type for row in dev_found}):
        print(f"  {kind:9} {report([r for r in dev_found if r.question.type == kind], WEIGHTS)}")


if __name__ == "__main__":
    main()
