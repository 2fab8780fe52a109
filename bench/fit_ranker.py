"""Fit the second stage's weights (bot/search/ranker.json) on the training questions; report on dev.

    .venv/bin/python bench/fit_ranker.py [--train FILE] [--dev FILE] [--dry-run]

Every question's candidate windows come from the answerer's own first stage (same filters, same windows); a
window is relevant when its text holds an evidence string (the strict rule). The weights are found by
coordinate ascent on MRR@10 + 0.3 * hit@5 over the training questions, starting from the first stage alone
(rank weight 1), in steps that shrink from 2 to 0.05: a handful of numbers, no model file.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.answer import CANDIDATES  # noqa: E402
from bot.core import Dasbot  # noqa: E402
from bot.evaluate import Question as Gold  # noqa: E402
from bot.evaluate import holds_evidence, load_questions  # noqa: E402
from bot.lookups.meetings import meeting_dates  # noqa: E402
from bot.query import understand  # noqa: E402
from bot.search.rerank import FEATURES, WEIGHTS_FILE, Question, features, score  # noqa: E402
from bot.settings import Settings  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval"
STEPS = (2.0, 1.0, 0.5, 0.25, 0.1, 0.05)
ROUNDS = 4


@dataclass(frozen=True)
class Case:
    """One answerable question: its windows' features and whether each holds the evidence."""

    features: list[dict[str, float]]
    relevant: list[bool]


def cases(app: Dasbot, questions: list[Gold]) -> list[Case]:
    """The candidate windows of every answerable question, as the answerer builds them."""
    dates = meeting_dates(app.engine)
    out = []
    for gold in questions:
        if not gold.answerable:
            continue
        understood = understand(gold.question, dates)
        found = app.searcher.found(gold.question, CANDIDATES, understood.date_from, understood.date_to)
        read = Question.read(gold.question, found.idf)
        labels = [holds_evidence(gold, w.text) for w in found.windows]
        out.append(Case([features(read, w, r) for w, r in zip(found.windows, found.ranks)], labels))
    return out


def measure(data: list[Case], weights: dict[str, float]) -> dict[str, float]:
    """hit@1, hit@5 and MRR@10 of the windows ordered by `weights`."""
    h1 = h5 = mrr = 0.0
    for case in data:
        order = sorted(range(len(case.features)), key=lambda i: (-score(case.features[i], weights), i))
        rank = next((p for p, i in enumerate(order, start=1) if case.relevant[i]), None)
        h1 += rank == 1
        h5 += rank is not None and rank <= 5
        mrr += 1 / rank if rank is not None and rank <= 10 else 0.0
    n = len(data) or 1
    return {"hit@1": h1 / n, "hit@5": h5 / n, "mrr@10": mrr / n}


def objective(data: list[Case], weights: dict[str, float]) -> float:
    """What the fit maximises: the first positions, and the top five."""
    m = measure(data, weights)
    return m["mrr@10"] + 0.3 * m["hit@5"]


def fit(data: list[Case]) -> dict[str, float]:
    """Coordinate ascent from the first stage's order."""
    weights = dict.fromkeys(FEATURES, 0.0) | {"rank": 1.0}
    best = objective(data, weights)
    for _ in range(ROUNDS):
        for step in STEPS:
            for name in FEATURES:
                for sign in (1, -1):
                    trial = weights | {name: round(weights[name] + sign * step, 4)}
                    value = objective(data, trial)
                    if value > best + 1e-9:
                        best, weights = value, trial
    return {k: v for k, v in weights.items() if v}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=SHARED / "train_qa.jsonl")
    parser.add_argument("--dev", type=Path, default=SHARED / "dev_qa.jsonl")
    parser.add_argument("--dry-run", action="store_true", help="print the fit, do not write ranker.json")
    args = parser.parse_args()
    app = Dasbot(Settings.from_env())
    app.ensure_indexed()
    train, dev = cases(app, load_questions(args.train)), cases(app, load_questions(args.dev))
    first = {"rank": 1.0}
    weights = fit(train)
    report = {
        "fitted_on": args.train.name,
        "weights": weights,
        "train": {"first_stage": measure(train, first), "fitted": measure(train, weights)},
        "dev": {"first_stage": measure(dev, first), "fitted": measure(dev, weights)},
    }
    print(json.dumps(report, indent=2))
    if not args.dry_run:
        WEIGHTS_FILE.write_text(json.dumps({"fitted_on": args.train.name, "weights": weights}, indent=2) + "\n")
        print(f"wrote {WEIGHTS_FILE}", file=sys.stderr)


if __name__ == "__main__":
    main()
