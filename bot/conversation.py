"""Follow-up questions keep the context of the question before them for a while."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

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
    """One chat's memory: the last standalone question, and when the chat last asked (wall clock, seconds since
    the epoch, so that a stored conversation means the same after a restart)."""

    topic: str | None = None
    at: float = 0.0
    ttl: float = TTL_SECONDS

    def resolve(self, question: str, now: float | None = None) -> str:
        """The question to search for: a follow-up within `ttl` of the chat's last question is read together
        with the previous standalone question (whose period gives way to the follow-up's own); anything else
        starts a new topic."""
        now = time.time() if now is None else now
        if self.topic and now - self.at <= self.ttl and is_follow_up(question):
            topic = _PERIOD.sub(" ", self.topic) if _PERIOD.search(question) else self.topic
            resolved = f"{' '.join(topic.split())} {question}"
        else:
            self.topic = question
            resolved = question
        self.at = now
        return resolved
