"""Follow-up questions keep the context of the question before them for a while."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from bot.search.text import terms

TTL_SECONDS = 600
_FOLLOW_UP_START = re.compile(r"^\s*(?:og|men|samt|hvad\s+med|hvad\s+så\s+med|og\s+hvad\s+med|også)\b", re.I)
_PRONOUN = re.compile(r"\b(?:det|den|dem|de|dette|disse|han|hun|deres|dets|dens|heraf|der)\b", re.I)
_PERIOD = re.compile(r"\b(?:i|fra|til|den)\s+(?:\d{1,2}\.\s*)?(?:[a-zæøå]+\.?\s+)?(?:19|20)\d\d\b", re.I)
MAX_FOLLOW_UP_TERMS = 3


def is_follow_up(question: str) -> bool:
    """Short questions that lean on the one before: `og i 2022?`, `hvem har skrevet det?`."""
    content = terms(question)
    if _FOLLOW_UP_START.search(question) and len(content) <= MAX_FOLLOW_UP_TERMS + 1:
        return True
    return len(content) <= MAX_FOLLOW_UP_TERMS and bool(_PRONOUN.search(question))


@dataclass
class Conversation:
    """One chat's memory: the last standalone question and when it was asked."""

    ttl: float = TTL_SECONDS
    _topic: str | None = None
    _at: float = field(default=0.0)

    def resolve(self, question: str, now: float | None = None) -> str:
        """The question to search for: a fresh follow-up is read together with the previous question
        (whose period gives way to the follow-up's own); anything else starts a new topic."""
        now = time.monotonic() if now is None else now
        if self._topic and now - self._at <= self.ttl and is_follow_up(question):
            topic = _PERIOD.sub(" ", self._topic) if _PERIOD.search(question) else self._topic
            resolved = f"{' '.join(topic.split())} {question}"
        else:
            self._topic = question
            resolved = question
        self._at = now
        return resolved
