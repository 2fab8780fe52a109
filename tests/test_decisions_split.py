"""Recommendations and decisions split into items, on the corpus's Indstilling sections and the dev gold."""

from __future__ import annotations

import json

import pytest

from indexer.facts.decisions import Recommendation, split_decision, split_recommendations
from tests.conftest import corpus_file, shared_path


def section_text(prefix: str, first: int, last: int) -> str:
    """Lines `first`..`last` (1-based) of a corpus file, cleaned as the pipeline does; blank lines dropped."""
    raw = corpus_file(prefix).read_text(encoding="utf-8").split("\n")[first - 1 : last]
    cleaned = (text.replace("\u00a0", " ").replace("\uf0b7", "•").rstrip() for text in raw)
    return "\n".join(text for text in cleaned if text.strip())


def test_bullets_and_sub_bullets() -> None:
    # 000 item 6: two bullets, the second with two `◦` sub-bullets
    result = split_recommendations(section_text("000", 1661, 1668))
    assert result == Recommendation(
        "Det indstilles, at DAS",
        [
            "Drøfter arbejdsgruppens statusrapport",
            "Træffer beslutning om hvorvidt arbejdsgruppens anbefalinger følges, herunder",
            "Iværksætter undersøgelse af de valgte hypoteser",
            "Inddrager Komponent, som ekstern aktør til at understøtte undersøgelsesprocessen",
        ],
    )


def test_private_use_bullet_and_appendix_list_after() -> None:
    # 000 item 7: `\uf0b7 Tager orientering til efterretning`, then `Bilag:` and the appendix
    assert split_recommendations(section_text("000", 2406, 2420)) == Recommendation(
        "Det indstilles, at DAS", ["Tager orientering til efterretning"]
    )


def test_wrapped_bullet_is_joined() -> None:
    # 003 item 7: the bullet wraps onto a second line
    result = split_recommendations(section_text("003", 1227, 1232))
    assert result.lines == [
        "DAS drøfter sagen med henblik på evt. bemærkninger til sagen eller opmærksomhedspunkter ift. "
        "den forestående pædagogdimensionering."
    ]


def test_unbulleted_items_split_on_sentences_and_subject() -> None:
    # 001 item 6: no glyphs; each item is one sentence wrapped over lines
    result = split_recommendations(section_text("001", 577, 584))
    assert result.lead == "Det indstilles, at"
    assert result.lines == [
        "Den Administrative Styregruppe godkender Styringsaftalen 2022.",
        "Den Administrative Styregruppe tager stilling til, hvornår kommunerne anbefales at benytte sig af "
        "de nationale standardkontrakter.",
        "Den Administrative Styregruppe tager orientering om proces for definition af tillægsydelser til efterretning.",
    ]


def test_dropped_bullet_leaves_a_leading_space() -> None:
    # 003 item 12, a KKR letter: the bullet glyph is gone, its space is left
    assert split_recommendations(section_text("003", 2532, 2536)).lines == ["DAS tager orienteringen til efterretning"]


def test_lead_and_item_on_one_line() -> None:
    assert split_recommendations("Det indstilles, at DAS tager orienteringen til efterretning") == Recommendation(
        "Det indstilles, at", ["DAS tager orienteringen til efterretning"]
    )


def test_empty_section() -> None:
    assert split_recommendations("") == Recommendation(None, [])


def _gold_rows() -> list:
    try:
        path = shared_path("eval", "decisions_dev.jsonl")
    except pytest.skip.Exception:
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [pytest.param(row, id=f"{row['file'][:3]}-item{row['item']}") for row in rows]


@pytest.mark.parametrize("gold", _gold_rows())
def test_gold_recommendations(gold: dict) -> None:
    if gold["indstilling_line_no"] is None:
        assert split_recommendations("").lines == gold["recommendations"] == []
        return
    first, last = gold["indstilling_line_no"]
    result = split_recommendations(section_text(gold["file"][:3], first + 1, last))  # the heading line excluded
    assert result.lines == gold["recommendations"]
    assert result.lead == " ".join(gold["indstilling_lead"].split())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Taget til efterretning", ["Taget til efterretning"]),
        ("Anbefales.", ["Anbefales."]),
        ("Godkendt", ["Godkendt"]),
        ("Anbefales.\nFølgende deltog ikke i behandlingen af punktet:", ["Anbefales."]),
        ("Godkendt\nFraværende: Jens Jensen", ["Godkendt", "Fraværende: Jens Jensen"]),
        (
            "Godkendt med den bemærkning, at kommissoriet skal\nrevideres inden næste møde.",
            ["Godkendt med den bemærkning, at kommissoriet skal revideres inden næste møde."],
        ),
        ("Anbefales med den tilføjelse, at\nKKR orienteres", ["Anbefales med den tilføjelse, at KKR orienteres"]),
        (
            "Følgende deltog ikke i behandlingen af punktet:\nJens Jensen",
            ["Følgende deltog ikke i behandlingen af punktet: Jens Jensen"],
        ),
        ("• Godkendt\n• Taget til efterretning", ["Godkendt", "Taget til efterretning"]),
        (
            "Anbefales med følgende bemærkninger:\n• Tidsplanen justeres\n• KKR orienteres",
            ["Anbefales med følgende bemærkninger:", "Tidsplanen justeres", "KKR orienteres"],
        ),
        ("", []),
    ],
)
def test_split_decision(text: str, expected: list[str]) -> None:
    assert split_decision(text) == expected
