"""Danish search terms: lower-cased words and numbers, stop words dropped, Snowball-stemmed."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_DANISH

from indexer.clean import searchable

_TOKEN = re.compile(r"§|\d+(?:[.,]\d+)*|[a-zæøåéüöä]+(?:-[a-zæøåéüöä]+)*")
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_STOP = frozenset(STOPWORDS_DANISH) | {"hvad", "hvilke", "hvilken", "hvordan", "hvorfor", "hvornår", "hvem"}
_STEMMER = Stemmer.Stemmer("danish")
WORDS_CACHE = 16384
"""Texts whose words are kept: answers split the same passages and tariff rows question after question."""
TOKEN_CACHE = 1 << 18
"""Distinct tokens whose terms are kept (a corpus of a million chunks has a few hundred thousand)."""


def tokens(text: str) -> list[str]:
    """The raw tokens of a text, lower-cased: words (hyphenated kept whole, broken at a line end mended),
    numbers, §."""
    return _TOKEN.findall(searchable(text).lower())


def _token_words(token: str) -> list[str]:
    if "-" in token:
        return token.split("-")
    if "." in token and _THOUSANDS.fullmatch(token):
        return [token.replace(".", "")]
    return [token]


@lru_cache(maxsize=WORDS_CACHE)
def _cached_words(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for token in tokens(text):
        if "-" in token:
            out.extend(token.split("-"))
        elif "." in token and _THOUSANDS.fullmatch(token):
            out.append(token.replace(".", ""))
        else:
            out.append(token)
    return tuple(out)


def words(text: str) -> list[str]:
    """Lower-cased word and number tokens; `4.107` becomes `4107`, hyphenated words split."""
    return list(_cached_words(text))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Danish Snowball stem of one lower-case word."""
    return _STEMMER.stemWord(word)


@lru_cache(maxsize=TOKEN_CACHE)
def token_terms(token: str) -> tuple[str, ...]:
    """The search terms of one raw token: its words without stop words, stemmed (numbers as they are)."""
    return tuple(w if w[0].isdigit() else stem(w) for w in _token_words(token) if w not in _STOP)


def terms(text: str) -> list[str]:
    """Search terms of a text: words without stop words, stemmed (numbers as they are)."""
    return [term for token in tokens(text) for term in token_terms(token)]
