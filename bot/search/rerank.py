"""The second stage: candidate windows re-ordered by a small linear model over cheap features.

The first stage ranks chunks; a window holds its best hit's rank. What it adds: how much of the question's
weight (rarer terms weigh more) the window and its best sentences hold, whether those sentences hold the kind
of answer asked (a date for "hvornår", a name or role for "hvem", ...), the item title's match and the
section. The weights live in `ranker.json` beside this file, fitted on the training questions by
`bench/fit_ranker.py`; with no file the first stage's order stands.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from bot.asked import Kind, asked, asked_role, holds_kind, names_role
from bot.search.text import terms
from bot.search.windows import Window
from bot.sentences import sentence_spans

WEIGHTS_FILE = Path(__file__).with_name("ranker.json")
KIND_CAP = 3  # sentences of the asked kind that count towards the kind feature
WINDOW_CACHE = 4096  # windows whose sentences' terms and kinds are kept
FEATURES = (
    "rank",
    "coverage",
    "sentence",
    "pair",
    "title",
    "resume",
    "indstilling",
    *(f"kind_{kind.value}" for kind in Kind if kind is not Kind.OTHER),
)


@dataclass(frozen=True)
class Question:
    """A question as the second stage reads it: its terms with their weights, and the kind of answer asked."""

    weights: dict[str, float]
    kind: Kind
    role: str | None = None  # the role a person question names: its answer names someone in that role

    @classmethod
    def read(cls, text: str, idf: Callable[[str], float]) -> Question:
        """The question's distinct search terms weighted by rarity, and its asked kind."""
        return cls({term: idf(term) for term in dict.fromkeys(terms(text))}, asked(text).kind, asked_role(text))

    def answers_kind(self, sentence: str) -> bool:
        """Whether a sentence holds the kind of answer asked (for a named role: a person in it)."""
        return names_role(self.role, sentence) if self.role else holds_kind(self.kind, sentence)

    def kinds(self, text: str) -> tuple[bool, ...]:
        """For each sentence of a window's text, whether it holds the kind of answer asked."""
        return _kinds(text, self.kind, self.role)

    def share(self, found: set[str]) -> float:
        """The share of the question's weight that a set of terms holds."""
        total = sum(self.weights.values())
        return sum(w for t, w in self.weights.items() if t in found) / total if total else 0.0


def features(question: Question, window: Window, rank: int) -> dict[str, float]:
    """The features of one window whose best hit has first-stage rank `rank` (1-based)."""
    text = window.text
    bags = _bags(text)
    of_kind = question.kinds(text)
    cited = window.hit.chunk.citation
    sentence = max((question.share(bag) for bag, ok in zip(bags, of_kind) if ok), default=0.0)
    pair = max((question.share(a | b) for a, b in zip(bags, bags[1:])), default=sentence)
    out = dict.fromkeys(FEATURES, 0.0)
    out |= {
        "rank": -math.log(rank),
        "coverage": question.share(frozenset().union(*bags)),
        "sentence": sentence,
        "pair": pair,
        "title": question.share(set(terms(cited.item_title or ""))),
        "resume": float(cited.section == "Resumé"),
        "indstilling": float(cited.section == "Indstilling"),
    }
    if question.kind is not Kind.OTHER:
        out[f"kind_{question.kind.value}"] = min(sum(of_kind), KIND_CAP) / KIND_CAP
    return out


@lru_cache(maxsize=WINDOW_CACHE)
def _bags(text: str) -> tuple[frozenset[str], ...]:
    """The search terms of each sentence of a window's text (cached: the same windows answer many questions)."""
    return tuple(frozenset(terms(text[a:b])) for a, b in sentence_spans(text))


@lru_cache(maxsize=WINDOW_CACHE)
def _kinds(text: str, kind: Kind, role: str | None) -> tuple[bool, ...]:
    """For each sentence of a window's text, whether it holds an answer of `kind` (or names someone in `role`)."""
    question = Question({}, kind, role)
    return tuple(question.answers_kind(text[a:b]) for a, b in sentence_spans(text))


@cache
def load_weights(path: Path = WEIGHTS_FILE) -> dict[str, float]:
    """The fitted weights (feature name to weight); only the first stage's rank when no file is there."""
    if not path.exists():
        return {"rank": 1.0}
    return {k: float(v) for k, v in json.loads(path.read_text(encoding="utf-8"))["weights"].items() if k in FEATURES}


def score(values: dict[str, float], weights: dict[str, float]) -> float:
    """A window's second-stage score."""
    return sum(weights.get(name, 0.0) * value for name, value in values.items())


def rerank(
    question: str,
    windows: list[Window],
    ranks: list[int],
    idf: Callable[[str], float],
    weights: dict[str, float] | None = None,
) -> list[Window]:
    """The windows best first by the second stage; `ranks` are their best hits' first-stage ranks."""
    weights = load_weights() if weights is None else weights
    if set(weights) <= {"rank"}:
        return windows
    read = Question.read(question, idf)
    scored = [(score(features(read, w, r), weights), i) for i, (w, r) in enumerate(zip(windows, ranks))]
    return [windows[i] for _, i in sorted(scored, key=lambda pair: (-pair[0], pair[1]))]
