"""The Telegram HTML: the 4096 splitter (property-based), escaping, highlighting, Danish reasons, safe names."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answer import Answer, Passage
from bot.telegram import keyboards, render
from bot.telegram.indexing import safe_filename
from bot.telegram.records import ItemRecord
from bot.telegram.split import MAX_TEXT, plain_text, split_html, units
from indexer.read import UnreadableFile, read_pages
from tests.fake_telegram import parse_html, utf16_len

TEXT = st.text(
    alphabet=st.one_of(st.sampled_from("<>&\"' \n\n\n.;æøå"), st.characters(codec="utf-8", exclude_categories=("Cs",))),
    max_size=400,
)
INLINE_TAGS = ["<b>", "<i>", "<u>", "<s>", "<strong>", "<em>", '<span class="tg-spoiler">', '<a href="https://das.example/?a=1&amp;b=2">']


def _wrap(tag: str, inner: str) -> str:
    return f"{tag}{inner}</{tag[1:].split()[0].rstrip('>')}>"


def _fragments(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Children side by side, some wrapped in a tag (never a link inside a link)."""
    wrapped = st.tuples(st.sampled_from(INLINE_TAGS), children).filter(
        lambda pair: not (pair[0].startswith("<a") and "<a " in pair[1])
    ).map(lambda pair: _wrap(*pair))
    return st.lists(st.one_of(wrapped, children), max_size=4).map("".join)


ESCAPED = TEXT.map(render.esc)
CODE = TEXT.map(lambda t: f"<code>{render.esc(t)}</code>")
FRAGMENT = st.recursive(st.one_of(ESCAPED, CODE), _fragments, max_leaves=30)


def _squeezed(text: str) -> str:
    return "".join(text.split())


def check_pieces(fragment: str, pieces: list[str], limit: int) -> None:
    """Each piece is valid Telegram HTML within the limit, and together they hold all the visible text."""
    for piece in pieces:
        plain = parse_html(piece)
        assert plain.strip(), piece
        assert utf16_len(plain) <= limit
    assert _squeezed("".join(parse_html(p) for p in pieces)) == _squeezed(parse_html(fragment))


@given(FRAGMENT, st.integers(min_value=2, max_value=300))
def test_split_keeps_valid_html_within_the_limit_whatever_the_text(fragment: str, limit: int) -> None:
    check_pieces(fragment, split_html(fragment, limit), limit)


@settings(max_examples=25, deadline=None)
@given(st.lists(FRAGMENT, min_size=1, max_size=12))
def test_split_at_telegrams_limit(blocks: list[str]) -> None:
    fragment = "\n\n".join(blocks * 4)
    pieces = split_html(fragment)
    check_pieces(fragment, pieces, MAX_TEXT)
    assert len(pieces) >= -(-utf16_len(_squeezed(parse_html(fragment))) // MAX_TEXT)


def test_split_prefers_paragraphs_and_reopens_tags() -> None:
    blocks = [f"<b>Afsnit {n}</b>\n" + render.esc(("ord & ord " * 300).strip()) for n in range(3)]
    pieces = split_html("\n\n".join(blocks))
    assert pieces == blocks
    long_bold = "<b>" + render.esc("fed < tekst " * 800) + "</b>"
    pieces = split_html(long_bold)
    assert len(pieces) == 3 and all(p.startswith("<b>") and p.endswith("</b>") for p in pieces)


def test_split_counts_utf16_units_and_entities_once() -> None:
    assert units("😀") == 2 and plain_text("&lt;b&gt; &amp; &#x1F600;") == "<b> & 😀"
    emoji = "😀" * 3000
    assert [utf16_len(p) for p in split_html(emoji)] == [4096, 1904]
    amps = "&amp;" * 4096
    assert split_html(amps) == [amps]


def passage(text: str, matched: tuple[str, ...] = (), **fields: object) -> Passage:
    values: dict[str, object] = {
        "rank": 1, "score": 1.0, "text": text, "source": "dagsorden <2024>.txt", "page": 3,
        "meeting_date": date(2024, 2, 5), "committee": "DAS Social", "item": 2, "item_title": "Takster & <tilbud>",
        "section": "Indstilling", "heading": None, "chunk_id": 7, "matched": matched,
    }
    return Passage(**(values | fields))


def test_highlight_bolds_matched_words_and_escapes_the_rest() -> None:
    assert render.highlight("Kvisten & kvistens <amp> amp", ("kvisten", "amp")) == (
        "<b>Kvisten</b> &amp; kvistens &lt;<b>amp</b>&gt; <b>amp</b>"
    )


@given(TEXT, st.lists(st.from_regex(r"\w{1,8}", fullmatch=True), max_size=4))
def test_a_passage_is_valid_html_whatever_its_text(text: str, matched: list[str]) -> None:
    html = render.passage(passage(text, tuple(matched)))
    plain = parse_html(html)
    assert plain == f"[1] DAS Social møde 05.02.2024 · Punkt 2: Takster & <tilbud> · Indstilling · side 3 · dagsorden <2024>.txt\n{text}"
    assert html.startswith("<b>[1] DAS Social møde 05.02.2024 · Punkt 2: Takster &amp; &lt;tilbud&gt;")


def test_an_abstention_is_one_line_suggesting_a_lookup() -> None:
    text = render.answer(Answer(question="?", abstained=True), [], with_facts=True)
    assert text == render.NO_ANSWER and "\n" not in text and "/takst" in text


def test_a_whole_item_with_markup_in_the_record_is_valid() -> None:
    record = ItemRecord(
        number=2, title="Takster <2024> & <b>", case_number="2024-1", page=None, source="a.txt",
        meeting_date=date(2024, 2, 5), committee="DAS Social",
        sections=[("Resumé", "a < b & c > d"), ("", "uden overskrift")], appendices=[("Bilag <1>", "x & y"), ("Tomt", "")],
    )
    plain = parse_html(render.item(record))
    assert plain.startswith("Punkt 2: Takster <2024> & <b>\nDAS Social møde 05.02.2024 · sag 2024-1 · a.txt")
    assert "Resumé\na < b & c > d" in plain and "Bilag: Bilag <1>\nx & y" in plain and "Bilag: Tomt" not in plain


def _unreadable(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as error:
        read_pages(path)
    return str(error.value)


@pytest.mark.parametrize(("name", "content", "danish"), [
    ("tom.txt", b"", "filen er tom"),
    ("latin1.txt", "Møde".encode("latin-1"), "ikke UTF-8"),
    ("falsk.pdf", b"not a pdf", "ikke en gyldig PDF"),
    ("kaput.pdf", b"%PDF-1.4\n1 0 obj <<", "beskadiget eller ufuldstændig"),
    ("billede.png", b"\x89PNG", "filtypen understøttes ikke"),
])
def test_reader_errors_get_danish_reasons(tmp_path: Path, name: str, content: bytes, danish: str) -> None:
    assert danish in render.reason(_unreadable(tmp_path, name, content))


@given(st.text(max_size=300), st.sampled_from([None, "application/pdf", "text/plain"]))
def test_a_safe_filename_never_leaves_the_uploads_folder(name: str, mime: str | None) -> None:
    safe = safe_filename(name, mime)
    uploads = Path("/srv/data/uploads")
    assert (uploads / safe).resolve().parent == uploads
    assert safe and not safe.startswith(".") and "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert safe_filename(safe, mime) == safe


def test_callback_data_stays_under_64_bytes() -> None:
    huge = 10**18
    markup = keyboards.answer([passage("x", chunk_id=huge, rank=12)], {huge: huge}, next_offset=huge)
    data = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert len(data) == 3 and all(len(d.encode()) <= 64 for d in data)
    assert keyboards.value(keyboards.data(keyboards.MORE, 3)) == 3
