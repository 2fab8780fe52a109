"""Answer truth without the model: windows over real sections, the abstention rules and the second stage's
features, on real lines of the bundled records."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.abstain import (
    Absent,
    Evidence,
    Scores,
    judge,
    missing_figure,
    missing_meeting,
    missing_person,
    missing_year,
    rare_match,
)
from bot.asked import asked, asks_items
from bot.citation import Citation
from bot.core import Dasbot
from bot.evaluate import fold
from bot.search.catalog import ChunkInfo
from bot.search.rerank import Question, features, rerank
from bot.search.searcher import Hit
from bot.search.summaries import detail_first
from bot.search.text import terms
from bot.search.windows import MAX_CHARS, Sections, Window, build_section, join_overlapping
from bot.sentences import sentence_starts
from indexer.chunking import windows as line_windows
from indexer.clean import join_lines, searchable
from tests.conftest import corpus_lines

MEETINGS = [date(2021, 8, 23), date(2023, 1, 20), date(2023, 3, 31), date(2023, 8, 21)]


def lines_between(prefix: str, first: int, last: int) -> list:
    """The cleaned lines of a bundled record between two source line numbers."""
    return [line for line in corpus_lines(prefix) if first <= line.no <= last]


def text_between(prefix: str, first: int, last: int) -> str:
    """Those lines joined as running text, as passages are."""
    return join_lines(line.text for line in lines_between(prefix, first, last))


def section_chunks(prefix: str, first: int, last: int, *, start_id: int = 1, item: int | None = 8) -> list[ChunkInfo]:
    """A real section cut into chunks the way the indexer cuts it (80-word windows overlapping by a line)."""
    chunks = []
    for i, window in enumerate(line_windows(lines_between(prefix, first, last))):
        cited = Citation(
            source=f"{prefix}.txt",
            page=window[0].page,
            meeting_date=date(2023, 3, 31),
            committee="DAS Social",
            item=item,
            item_title="Børnehus Nord",
            section="Baggrund",
            heading=None,
            chunk_id=start_id + i,
            document_id=1,
            item_id=item,
        )
        chunks.append(ChunkInfo(join_lines(line.text for line in window), cited, window[0].no, window[-1].no))
    return chunks


def hit(chunk: ChunkInfo, score: float = 0.03) -> Hit:
    return Hit(chunk, score, 0.86, 5.0)


# 000 item 8 (Børnehus Nord): the background section, about 2,400 characters.
BOERNEHUS = ("000", 2925, 2966)


def test_chunks_rejoin_into_the_section_text() -> None:
    chunks = section_chunks(*BOERNEHUS)
    assert len(chunks) >= 3
    section = Sections({c.id: c for c in chunks}).of(chunks[1].id)
    assert section.chunk_ids == tuple(c.id for c in chunks)
    assert section.text == text_between(*BOERNEHUS)  # the shared lines are not repeated
    for chunk in chunks:
        start, end = section.span(chunk.id)
        assert section.text[start:end] == chunk.text


def test_a_line_break_hyphen_reads_as_printed_and_searches_as_one_word() -> None:
    lines = [line.text for line in lines_between("003", 1437, 1439)]
    text = join_lines(lines, keep_hyphens=True)
    assert "College i Thi\ufe63sted til" in text
    assert "university college i thi-" in fold(text)  # a quote of the printed line is found in the passage
    assert searchable(text) == join_lines(lines) and "Thisted til" in searchable(text)
    assert terms(text) == terms(searchable(text))
    # the chunk that ends on the broken line is continued by the next, which mended it
    before = "Det vil sige, at pædagoger i stigende grad også arbejder på social- og specialområdet."
    joined, at = join_overlapping(f"{before} {lines[0].strip()}", text)
    assert joined == f"{before} {text}" and joined[at:] == text


def test_join_overlapping_without_overlap_adds_a_space() -> None:
    assert join_overlapping("Første sætning.", "Anden sætning.") == ("Første sætning. Anden sætning.", 16)
    assert join_overlapping("a b c d", "c d e f") == ("a b c d e f", 4)
    assert join_overlapping("a b c d", "c d e f", shares_line=False) == ("a b c d c d e f", 8)
    # the shared line ended in a hyphen that the next chunk mended
    assert join_overlapping("Det er kom-", "kommunernes ansvar.") == ("Det er kommunernes ansvar.", 7)
    # a shared line starting inside a word (the line before it ended in a mended hyphen) counts when long
    shared = "punkt havde betydning for hele forløbet"
    assert join_overlapping(f"På det tids{shared}", f"{shared} i 2023.") == (f"På det tids{shared} i 2023.", 11)
    assert join_overlapping("På det tidspunkt", "punkt i 2023.") == ("På det tidspunkt punkt i 2023.", 17)


def test_a_window_holds_its_hit_within_the_limit_and_starts_a_sentence() -> None:
    chunks = section_chunks(*BOERNEHUS)
    sections = Sections({c.id: c for c in chunks})
    middle = chunks[len(chunks) // 2]
    [window] = sections.windows([hit(middle)])
    assert middle.text in window.text
    assert len(window.text) <= MAX_CHARS
    starts = sentence_starts(window.section.text)
    assert window.start in starts or window.start == window.section.span(middle.id)[0]
    assert window.page == middle.citation.page or window.page is not None


def test_hits_inside_one_window_are_one_passage() -> None:
    chunks = section_chunks(*BOERNEHUS)
    sections = Sections({c.id: c for c in chunks})
    found = sections.windows([hit(chunks[1], 0.03), hit(chunks[2], 0.02)])
    assert len(found) == 1 and len(found[0].hits) == 2


def test_windows_of_other_sections_stay_apart_even_with_the_same_text() -> None:
    """Two meetings' "Næste møde" items are two answers: a window never spans documents."""
    first = section_chunks(*BOERNEHUS)
    second = [
        replace(c, citation=replace(c.citation, chunk_id=c.id + 100, document_id=2, meeting_date=date(2023, 8, 21)))
        for c in first
    ]
    sections = Sections({c.id: c for c in first + second})
    found = sections.windows([hit(first[0]), hit(second[0])])
    assert [w.hit.chunk.citation.document_id for w in found] == [1, 2]


def test_a_long_section_gives_separate_windows_that_do_not_overlap() -> None:
    chunks = section_chunks("002", 1180, 1420, item=5)  # item 5's long appendix
    sections = Sections({c.id: c for c in chunks})
    found = sections.windows([hit(chunks[2]), hit(chunks[-3])])
    assert len(found) == 2
    first, second = sorted(found, key=lambda w: w.start)
    assert first.end <= second.start
    assert all(len(w.text) <= MAX_CHARS for w in found)


def test_a_meeting_the_archive_lacks_is_missing() -> None:
    question = "Hvilke datoer blev fastlagt for DAS-møderne i 2024 på mødet den 3. november 2023?"
    assert missing_meeting(question, MEETINGS, []) == date(2023, 11, 3)
    assert missing_meeting("hvad skete der på mødet den 21. august 2023?", MEETINGS, []) is None
    # another body's meeting that the records speak of is answerable from them
    kkr = "hvad skal KKR-mødet den 10. februar 2023 tage stilling til?"
    text = text_between("003", 1215, 1225)
    assert "10. februar 2023" in text
    assert missing_meeting(kkr, MEETINGS, [text]) is None
    assert missing_meeting(kkr, MEETINGS, []) == date(2023, 2, 10)


def test_a_year_no_passage_mentions_is_missing() -> None:
    budget = text_between(*BOERNEHUS)
    question = "Hvad bliver taksten pr. sag i Børnehus Nord i 2024?"
    assert missing_year(asked(question), [budget]) == 2024
    assert missing_year(asked("Hvad er taksten pr. sag i Børnehus Nord i 2023?"), [budget]) is None
    # matched tariffs decide for a price question: 2023's rows do not give 2024's price
    assert missing_year(asked(question), [], tariff_years=[2022, 2023]) == 2024
    # a year the question filtered meetings on is met by the filter
    assert missing_year(asked(question), [budget], period_years=[2024]) is None


def test_a_role_needs_a_person_named_in_it_about_the_topic() -> None:
    program = text_between("002", 2980, 2990)  # the recovery theme day: "Velkomst v. DAS-formand …"
    assert "DAS-formand Henrik Aarup-Kristensen" in program
    assert missing_person("hvem er formand for DAS?", set(), [program]) is None
    commission = text_between("000", 2350, 2362)  # "Arbejdsgruppen har kommunalt formandskab. Formand udpeges af DAS"
    assert "Formand udpeges af DAS" in commission
    assert (
        missing_person("hvem er formand for arbejdsgruppen?", set(terms("arbejdsgruppen")), [commission]) == "formand"
    )
    # a director of something else is no answer to "who directs Komponent"
    other = "Oplæg v. direktør Tina Gram Larsen, Psykiatrien."
    assert missing_person("Hvem er direktør for Komponent?", set(terms("Komponent")), [other]) == "direktør"
    assert missing_person("Hvem er direktør for Psykiatrien?", set(terms("Psykiatrien")), [other]) is None
    # the chief named in 2023's budget item is no answer for 2019: a named year needs a passage of its year
    budget = text_between("002", 150, 160)
    assert "Tilsynschef Line Hessellund, Socialtilsyn Nord" in budget
    chief = "hvem var tilsynschef for Socialtilsyn Nord i 2019?"
    topic = set(terms("Socialtilsyn Nord"))
    assert (
        missing_person(chief, topic, [budget], [2019], ["Budget og takster 2024 for Socialtilsyn Nord"])
        == "tilsynschef"
    )
    assert missing_person(chief, topic, [budget], [2024], ["Budget og takster 2024 for Socialtilsyn Nord"]) is None
    # not a question of who holds a role
    assert missing_person("Hvem havde skrevet under på brevet til sundhedsministeren?", set(), []) is None


def test_a_figure_needs_its_topic_beside_it() -> None:
    question = "Hvad koster det at købe Komponents kommunespecifikke rapport?"
    text = "Deltagende kommuner kan købe en kommunespecifik rapport. Prisen for Viften er 2.620 kr. pr. døgn."
    assert missing_figure(question, asked(question), set(terms("Komponents kommunespecifikke rapport")), [text], False)
    assert not missing_figure(question, asked(question), set(terms("Viften")), [text], False)
    assert not missing_figure(question, asked(question), set(terms("Komponents")), [text], tariffs_found=True)
    # "hvor mange møder": the counted thing with a number before it answers
    meetings = "Der planlægges med fem møder i 2024."
    count = "hvor mange DAS-møder bliver der i 2024?"
    assert not missing_figure(count, asked(count), set(), [meetings], False)
    # how long or how often is left alone
    often = "hvor tit skal DAS gøre status?"
    assert not missing_figure(often, asked(often), set(terms("status")), [], False)


def test_a_rate_question_needs_a_rate_not_a_deficit() -> None:
    deficit = text_between("001", 291, 296)
    assert "underskud på ca. 4,2 mio. kr." in deficit
    question = "Hvad er døgntaksten på Neurocenter Østerskoven?"  # a compound price word asks a price too
    topic = set(terms("Neurocenter Østerskoven"))
    assert missing_figure(question, asked(question), topic, [deficit], False)
    # the same figure answers a question of money spent
    spent = "Hvor mange penge mistede Neurocenter Østerskoven i 2020?"
    assert not missing_figure(spent, asked(spent), topic, [deficit], False)


def test_the_counted_thing_must_stand_beside_the_topic() -> None:
    cdh = text_between("004", 1417, 1421)
    assert "8 borgere med høretab" in " ".join(cdh.split())
    question = "hvor mange borgere er kommet i job via IPS?"
    assert missing_figure(question, asked(question), set(terms("IPS job")), [cdh], False)
    about = "hvor mange borgere med høretab bruger CDH's midlertidige botilbud?"
    assert not missing_figure(about, asked(about), set(terms("høretab CDH")), [cdh], False)


def test_a_table_row_takes_its_topic_from_its_caption() -> None:
    table = text_between("004", 1877, 1895)
    question = "hvor mange børn var der på Viften/Enterne?"
    assert not missing_figure(question, asked(question), set(terms("Viften Enterne")), [table], False)
    assert missing_figure(question, asked(question), set(terms("Birken")), [table], False)


def test_a_figure_of_another_level_or_another_years_item_is_missing() -> None:
    rows = text_between("000", 2764, 2780)
    question = "hvad koster boniveau 10 på Sonjavej?"
    assert missing_figure(question, asked(question), set(terms("Sonjavej")), [rows], False)
    nine = "hvad koster boniveau 9 på Sonjavej?"
    assert not missing_figure(nine, asked(nine), set(terms("Sonjavej")), [rows], False)
    # a year the passage's item never names: its figures are of another year
    dated = "hvad kostede boniveau 9 på Sonjavej i 2018?"
    topic = set(terms("Sonjavej"))
    assert missing_figure(dated, asked(dated), topic, [rows], False, scopes=["Takster 2023 og 2024"])
    assert not missing_figure(dated, asked(dated), topic, [rows], False, scopes=["Takster 2018"])


def test_a_rare_word_standing_verbatim_keeps_the_answer() -> None:
    text = text_between("003", 1215, 1240)
    assert "UCN" in text
    rarity = {"ucn": 3.7, "indstill": 1.0}.get
    assert rare_match("hvad blev indstillet om UCN?", [text], lambda t: rarity(t, 1.0)) == "ucn"
    assert rare_match("hvad blev indstillet om frikadeller?", [text], lambda t: 8.0) is None


def test_judge_abstains_when_far_and_answers_a_rare_exact_match() -> None:
    text = text_between("003", 1215, 1240)
    far_scores = Scores(dense=0.83, lexical=9.0)
    evidence = Evidence(far_scores, [text], [text])
    rarity = {"ucn": 3.7}.get
    assert (
        judge(
            "hvad blev indstillet om UCN?",
            asked("hvad blev indstillet om UCN?"),
            evidence,
            MEETINGS,
            lambda t: rarity(t, 1.0),
        )
        is None
    )
    missing = judge("opskrift på frikadeller", asked("opskrift på frikadeller"), evidence, MEETINGS, lambda t: 1.0)
    assert missing is not None and missing.what is Absent.NOTHING
    year = judge(
        "Hvad bliver taksten pr. sag i Børnehus Nord i 2024?",
        asked("i 2024"),
        Evidence(Scores(0.9, 9.0), [text], [text_between(*BOERNEHUS)]),
        MEETINGS,
        lambda t: 1.0,
    )
    assert year is not None and year.what is Absent.YEAR and "2024" in year.describe()
    # 2019's budget item names the year but no chief; 2024's names a chief, but not for 2019
    budgets = [text_between("004", 3006, 3010), text_between("002", 150, 160)]
    chief = "hvem var tilsynschef for Socialtilsyn Nord i 2019?"
    person = judge(chief, asked(chief), Evidence(Scores(0.9, 9.0), budgets, budgets), MEETINGS, lambda t: 4.0)
    assert person is not None and person.what is Absent.PERSON
    assert person.describe().startswith("Materialet nævner ingen tilsynschef ved navn for 2019")


def test_the_asked_kind_lifts_the_window_that_holds_it() -> None:
    """For "hvornår", of two windows with the same words the one with the date ranks first."""
    chunks = [
        ChunkInfo(
            "Arbejdsgruppen skal se på visitation og tilbud til målgruppen.",
            Citation("x", 1, None, None, 11, "Kvisten", "Bilag", None, 1, 1, 11),
            1,
            2,
        ),
        ChunkInfo(
            "Arbejdsgruppens arbejde evalueres i 4. kvartal 2023 med en vurdering af tilbuddet.",
            Citation("x", 2, None, None, 11, "Kvisten", "Bilag", None, 5, 1, 11),
            9,
            10,
        ),
    ]
    sections = Sections({c.id: c for c in chunks})
    found = sections.windows([hit(chunks[0]), hit(chunks[1])])
    question = "Hvornår evalueres arbejdsgruppens arbejde?"
    read = Question.read(question, lambda t: 1.0)
    assert features(read, found[1], 2)["kind_date"] > features(read, found[0], 1)["kind_date"]
    weights = {"rank": 1.0, "kind_date": 3.0}
    assert rerank(question, found, [1, 2], lambda t: 1.0, weights)[0] is found[1]
    assert rerank(question, found, [1, 2], lambda t: 1.0, {"rank": 1.0}) == found


@pytest.mark.parametrize(
    ("question", "kind"),
    [("Hvor mange penge brugte kommunerne på Birken i 2018?", "amount"), ("hvor mange borgere deltog?", "number")],
)
def test_money_counted_is_an_amount(question: str, kind: str) -> None:
    assert asked(question).kind.value == kind


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Hvilke punkter på DAS-mødet 20. januar 2023 handlede om centrale udmeldinger?", True),
        ("hvilket dagsordenspunkt handlede om Kvisten?", True),
        ("hvilke sager var på mødet?", True),
        ("hvilke orienteringer var der i marts 2023?", False),
        ("hvad skulle DAS godkende i punktet om status på socialaftalen?", False),
    ],
)
def test_a_question_asks_items_when_it_asks_which_items(question: str, expected: bool) -> None:
    assert asks_items(question) is expected


def test_an_items_detail_comes_before_its_summary() -> None:
    def window(chunk: ChunkInfo, section: str, item: int) -> Window:
        chunk = replace(chunk, citation=replace(chunk.citation, section=section, item_id=item))
        found = hit(chunk)
        text = build_section([chunk])
        return Window(text, 0, len(text.text), found, (found,))

    first, second = section_chunks(*BOERNEHUS)[:2]
    summary, detail = window(first, "Resumé", 8), window(second, "Baggrund", 8)
    assert detail_first([summary, detail]) == [detail, summary]
    # another item's window, or the detail already first, keeps the order
    other = window(second, "Baggrund", 9)
    assert detail_first([summary, other]) == [summary, other]
    assert detail_first([detail, summary]) == [detail, summary]
    assert detail_first([summary]) == [summary]


def test_which_items_are_answered_by_each_items_summary(app: Dasbot) -> None:
    answer = app.answerer.ask("Hvilke punkter på DAS-mødet 20. januar 2023 handlede om centrale udmeldinger?", k=5)
    first = answer.passages[:2]
    assert {(p.citation.item, p.citation.section) for p in first} == {(3, "Resumé"), (4, "Resumé")}
    assert any(p.text.startswith("Der orienteres om status, proces og foreløbige resultater") for p in first)
    items = [(p.citation.item, p.citation.section) for p in answer.passages]
    assert len(items) == len(set(items))
