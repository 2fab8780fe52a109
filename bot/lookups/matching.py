"""Forgiving keyword matching for lookups: Danish stems, compounds, case and small typos."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bot.search.text import stem, terms, words

MIN_COMPOUND = 4  # a term this long may match inside a compound ("takst" in "døgntakst")
MIN_TYPO = 5  # a term this long may differ by one edit ("Hobitten" for "Hobbitten")


def _within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion or substitution."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = j = edits = 0
    while i < len(a) and j < len(b):
        if a[i] != b[j]:
            edits += 1
            if edits > 1:
                return False
            if len(a) == len(b):
                i += 1
            j += 1
        else:
            i += 1
            j += 1
    return edits + (len(b) - j) + (len(a) - i) <= 1


@lru_cache(maxsize=200_000)
def term_matches_word(term: str, word: str) -> bool:
    """Whether one query term (a stem) matches one text word: same stem, compound part, or one typo away."""
    word_stem = stem(word)
    if term == word_stem or word.startswith(term):
        return True
    if len(term) >= MIN_COMPOUND and term in word:
        return True
    return len(term) >= MIN_TYPO and (
        _within_one_edit(term, word_stem) or _within_one_edit(term, word[: len(term) + 1])
    )


@dataclass(frozen=True)
class Query:
    """A keyword query: its terms (stems, numbers kept as typed)."""

    terms: tuple[str, ...]

    @classmethod
    def parse(cls, text: str, ignore: frozenset[str] = frozenset()) -> Query:
        """Terms of `text`, without the stems in `ignore` (e.g. the price words of a price question)."""
        return cls(tuple(dict.fromkeys(t for t in terms(text) if t not in ignore)))

    def score(self, text: str) -> int:
        """How many of the query's terms occur in `text`."""
        tokens = set(words(text))
        return sum(
            1
            for term in self.terms
            if any(term_matches_word(term, w) for w in tokens if not w[0].isdigit()) or term in tokens
        )

    def matches(self, text: str) -> bool:
        """All terms occur in `text` (an empty query matches everything)."""
        return self.score(text) == len(self.terms)
