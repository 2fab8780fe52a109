"""The JSON contract of `dasbot ask|tariffs|decisions|meetings|timeline --json` (README, "The command line"):
every key, in order, with the type of its value, on the bundled corpus."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from bot.conversation import Conversation
from bot.core import Dasbot
from bot.lookups.decisions import find_decisions
from bot.lookups.meetings import meetings
from bot.lookups.tariffs import find_tariffs
from bot.lookups.timeline import timeline

Check = Callable[[Any], bool]


def kind(*types: type | None) -> Check:
    """A value of exactly one of `types` (None for null; a bool is no int)."""
    return lambda value: any(value is None if t is None else type(value) is t for t in types)


def day(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None


def optional(check: Check) -> Check:
    return lambda value: value is None or check(value)


def list_of(check: Check) -> Check:
    return lambda value: type(value) is list and all(check(v) for v in value)


def shaped(shape: dict[str, Check]) -> Check:
    """An object with exactly the keys of `shape`, in its order, each value passing its check."""
    return lambda value: type(value) is dict and list(value) == list(shape) and all(shape[k](value[k]) for k in shape)


TEXT, INT, OPT_TEXT, OPT_INT = kind(str), kind(int), kind(str, None), kind(int, None)
PASSAGE = shaped(
    {
        "rank": INT,
        "score": kind(float),
        "text": TEXT,
        "source": TEXT,
        "page": OPT_INT,
        "meeting_date": optional(day),
        "item": OPT_INT,
        "item_title": OPT_TEXT,
        "section": TEXT,
        "heading": OPT_TEXT,
        "committee": OPT_TEXT,
        "chunk_id": INT,
        "matched": list_of(TEXT),
        "ocr": kind(bool),
    }
)
TARIFF = shaped(
    {
        "offer": TEXT,
        "service": OPT_TEXT,
        "unit": OPT_TEXT,
        "year": OPT_INT,
        "amount_dkk": INT,
        "previous_amount_dkk": OPT_INT,
        "legal_basis": OPT_TEXT,
        "kind": TEXT,
        "meeting_date": optional(day),
        "item": OPT_INT,
        "item_title": OPT_TEXT,
        "source": TEXT,
        "page": OPT_INT,
        "evidence": TEXT,
    }
)
DECISION = shaped(
    {
        "meeting_date": optional(day),
        "item": INT,
        "item_title": TEXT,
        "kind": TEXT,
        "lead": OPT_TEXT,
        "lines": list_of(TEXT),
        "text": TEXT,
        "source": TEXT,
        "page": OPT_INT,
        "decided_on": optional(day),
        "absent": list_of(TEXT),
        "dissent": list_of(TEXT),
        "reservations": list_of(TEXT),
        "abstained": list_of(TEXT),
    }
)
MEETING = shaped(
    {
        "date": day,
        "committee": TEXT,
        "place": OPT_TEXT,
        "source": TEXT,
        "kind": TEXT,
        "items": list_of(
            shaped(
                {
                    "number": INT,
                    "title": TEXT,
                    "case_number": OPT_TEXT,
                    "page": OPT_INT,
                    "appendices": list_of(TEXT),
                }
            )
        ),
    }
)
TIMELINE_ENTRY = shaped(
    {
        "meeting_date": optional(day),
        "item": INT,
        "item_title": TEXT,
        "source": TEXT,
        "page": OPT_INT,
        "decisions": list_of(DECISION),
    }
)
ANSWER_KEYS: dict[str, Check] = {  # the first three always, the rest when they apply, in this order
    "question": TEXT,
    "abstained": kind(bool),
    "passages": list_of(PASSAGE),
    "reason": TEXT,
    "nearest": list_of(PASSAGE),
    "direct_answer": shaped({"text": TEXT, "rank": INT}),
    "tariffs": list_of(TARIFF),
    "decisions": list_of(DECISION),
    "agenda": list_of(MEETING),
    "searched": TEXT,
    "filters": shaped({"date_from": optional(day), "date_to": optional(day), "committee": OPT_TEXT}),
}
QUESTIONS = [
    "hvad koster en plads på de særlige pladser?",  # a direct answer
    "hvad er taksten for Attruphøj boniveau 6?",  # tariffs
    "hvad blev indstillet om Kvisten?",  # decisions
    "hvad var på dagsordenen den 21. august 2023?",  # an agenda, filters
    "Hvad bliver taksten pr. sag i Børnehus Nord i 2024?",  # a reason and the nearest records
]


def as_printed(value: Any) -> Any:
    """`value` as the CLI prints it and a reader parses it."""
    return json.loads(json.dumps(value, ensure_ascii=False))


def test_ask_json_keys_and_types(app: Dasbot) -> None:
    chat = Conversation()
    answers = [app.answerer.ask(q, conversation=chat).to_json() for q in QUESTIONS]
    answers.append(app.answerer.ask("og i 2023?", conversation=chat).to_json())  # searched: a follow-up
    seen: set[str] = set()
    for answer in map(as_printed, answers):
        keys = list(answer)
        assert keys[:3] == ["question", "abstained", "passages"]
        assert keys == [k for k in ANSWER_KEYS if k in answer], keys
        assert all(ANSWER_KEYS[k](answer[k]) for k in keys), answer
        seen |= set(keys)
    assert seen == set(ANSWER_KEYS)  # every optional key was checked at least once


def test_lookup_json_keys_and_types(app: Dasbot) -> None:
    tariffs = as_printed([t.to_json() for t in find_tariffs(app.engine)])
    decisions = as_printed([d.to_json() for d in find_decisions(app.engine)])
    listed = as_printed([m.to_json() for m in meetings(app.engine)])
    entries = as_printed([e.to_json() for e in timeline(app.engine, "Kvisten")])
    for rows, check in ((tariffs, TARIFF), (decisions, DECISION), (listed, MEETING), (entries, TIMELINE_ENTRY)):
        assert rows and all(check(row) for row in rows)
    assert any(t["meeting_date"] for t in tariffs) and any(d["meeting_date"] for d in decisions)
    assert any(e["decisions"] for e in entries) and any(item["appendices"] for m in listed for item in m["items"])
