"""Danish search terms: lower-cased words and numbers, stop words dropped, Snowball-stemmed."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_DANISH

_TOKEN = re.compile(r"§|\d+(?:[.,]\d+)*|[a-zæøåéüöä]+(?:-[a-zæøåéüöä]+)*")
_STOP = frozenset(STOPWORDS_DANISH) | {"hvad", "hvilke", "hvilken", "hvordan", "hvorfor", "hvornår", "hvem"}
_STEMMER = Stemmer.Stemmer("danish")


def words(text: str) -> list[str]:
    """Lower-cased word and number tokens; `4.107` becomes `4107`, hyphenated words split."""
    out: list[str] = []
    for token in _TOKEN.findall(text.lower()):
        if token[0].isdigit():
            out.append(token.replace(".", "") if re.fullmatch(r"\d{1,3}(\.\d{3})+", token) else token)
        else:
            out.extend(part for part in token.split("-") if part)
    return out


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Danish Snowball stem of one lower-case word."""
    return _STEMMER.stemWord(word)


def terms(text: str) -> list[str]:
    """Search terms of a text: words without stop words, stemmed."""
    return [stem(w) if not w[0].isdigit() else w for w in words(text) if w not in _STOP]
