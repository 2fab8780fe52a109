"""An appendix filed as a file of its own is cited as the appendix of the agenda item that lists it by its document
number, whichever of the two was indexed first."""

from __future__ import annotations

from pathlib import Path

from bot.core import Dasbot
from bot.render.citation import citation
from bot.search.catalog import load_catalog
from bot.search.windows import join_overlapping
from bot.settings import Settings
from indexer.document import Line
from indexer.references import listed_number, stated_number
from tests.conftest import shared_path
from tests.support.records import HashedEmbedder

MINUTES = "ballerup_sundheds-og-forebyggelsesudvalget_2012-12-04_referat.pdf"
APPENDIX = "ballerup_sundheds-og-forebyggelsesudvalget_2012-12-04_bilag-takstreduktion-torvevej.pdf"


def lines(*texts: str) -> list[Line]:
    return [Line(text, 1, no) for no, text in enumerate(texts, start=1)]


def test_a_record_states_its_number_and_an_item_lists_it() -> None:
    assert stated_number(lines("Kontakt: Lise Porsborg", "Dok.nr.:2012-204021")) == "2012-204021"
    assert stated_number(lines("Sagsnr./Dok.nr. 2018-028923 / 2018-028923-4")) == "2018-028923-4"
    assert stated_number(lines("Sagsnr.: 2011-29298")) is None  # a case number is many documents'
    assert listed_number("2012-204021 - Forslag til taksreduktioner aflastningstilbuddet Torvevej") == "2012-204021"
    assert listed_number("2012–200292 - Prioritering af midler til kronikerindsats") == "2012-200292"
    assert listed_number("Bilag 1: Kommissorium") is None


def test_an_appendix_filed_alone_is_cited_as_its_items_appendix(
    tmp_path: Path, cache_dir: Path, hashed: HashedEmbedder
) -> None:
    store = Dasbot(Settings(data_dir=tmp_path / "data", cache_dir=cache_dir), embedder=hashed)
    store.index([shared_path("corpus", "pdf", APPENDIX)])  # before the minutes that list it: not tied yet
    assert {c.citation.item for c in load_catalog(store.engine).values()} == {None}
    store.index([shared_path("corpus", "pdf", MINUTES)])
    cited = [c.citation for c in load_catalog(store.engine).values() if c.citation.source == APPENDIX]
    assert cited and {(c.meeting_date.isoformat(), c.item, c.section) for c in cited} == {("2012-12-04", 4, "Bilag")}
    assert {c.item_title for c in cited} == {"Takstreduktion på aflastningstilbuddet Torvevej i Skovlunde i 2013"}
    assert {c.page for c in cited} == {1, 2}  # the file's own pages
    # read page by page, the appendix has no headings of its own: its page is not named twice
    assert citation(cited[0]) == (
        "Sundheds- og Forebyggelsesudvalget møde 04.12.2012 · Punkt 4: Takstreduktion på aflastningstilbuddet "
        f"Torvevej i Skovlunde i 2013 · Bilag · side {cited[0].page} · {APPENDIX}"
    )


def test_a_shared_line_after_a_mended_hyphen_is_not_repeated() -> None:
    """Two chunks of the appendix share a line whose word began on the line before (`tids-` / `punkt havde`)."""
    first = "På dette tidspunkt havde aflastningsinstitutionen 12 pladser, en akut plads, samt en venteliste."
    second = "punkt havde aflastningsinstitutionen 12 pladser, en akut plads, samt en venteliste. I løbet af"
    joined, at = join_overlapping(first, second)
    assert joined == first + " I løbet af" and joined[at:] == second
