"""End to end: the real Application, run as `dasbot serve` runs it, against a fake Bot API server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import docx
import pytest
from sqlalchemy import func
from sqlmodel import Session, select
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot

from bot.core import Dasbot
from bot.lookups.items import agenda_item
from bot.settings import BUNDLED_CORPUS, Settings
from bot.telegram import keyboards, render
from bot.telegram.app import COMMANDS, build_application, webhook_secret
from bot.telegram.delivery import MAX_ATTEMPTS, Journal, journal_path
from bot.telegram.indexing import safe_filename, unique_filename
from bot.telegram.logs import REDACTED, RedactToken, configure_logging
from bot.telegram.progress import ProgressMessage
from bot.telegram.split import split_html
from indexer.models import Chunk, Document
from tests.support.fake_telegram import BOT_USER, Call, FakeTelegram, utf16_len
from tests.support.pdfs import write_pdf
from tests.support.telegram import (
    GROUP,
    MEMBER,
    MENTION,
    OTHER_MEMBER,
    STRANGE_GROUP,
    STRANGER,
    RunningBot,
    answer_of,
    ask,
    command,
    sent,
    telegram_core,
)


def agenda(day: str, items: list[tuple[str, str]]) -> str:
    """A tiny DAS agenda in the corpus format: a header line, then `Punkt N.` items with a resumé and a recommendation."""
    parts = [f" Mødet den {day} DAS Social\n"]
    for number, (title, text) in enumerate(items, start=1):
        parts.append(
            f"Åben\n\nPunkt {number}.\n\n{title}\n\nResume\n\n{text}\n\nIndstilling\n\nDet indstilles, at\n\n• DAS tager punktet til efterretning\n"
        )
    return "\n".join(parts)


@pytest.fixture()
def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def store(app: Dasbot, tmp_path: Path) -> Dasbot:
    """An empty store of its own (uploads go here), sharing the session's model."""
    other = Dasbot(Settings(data_dir=tmp_path / "data", cache_dir=app.settings.cache_dir), embedder=app.embedder)
    return other


@pytest.fixture()
def upload_bot(store: Dasbot, tg: FakeTelegram, people: dict[str, dict[str, Any]]) -> Iterator[RunningBot]:
    """The bot over the empty store."""
    with RunningBot(telegram_core(store, tg)) as running:
        yield running


def press(tg: FakeTelegram, user: dict[str, Any], call: Call, label: str) -> tuple[str, int]:
    """Press the button whose text starts with `label` under a bot message; (query id, mark before)."""
    data = next(d for text, d in call.buttons if text.startswith(label))
    mark = tg.mark()
    return tg.press(user, tg.message(call), data), mark


def upload(tg: FakeTelegram, user: dict[str, Any], name: str, content: bytes, **kwargs: Any) -> Call:
    """Send a document; the bot's first reply (the progress message, or a refusal)."""
    mark = tg.mark()
    tg.send_document(user, name, content, **kwargs)
    return tg.wait(lambda c: sent(c, user["id"]), since=mark)[0]


def final_edit(tg: FakeTelegram, status: Call, mark: int, marker: str) -> Call:
    """The edit of a progress message whose text contains `marker` (the summary)."""
    message_id = status.result["message_id"]
    return tg.wait(
        lambda c: c.method == "editMessageText" and c.params["message_id"] == message_id and marker in c.plain,
        since=mark,
    )[0]


def assert_all_valid(tg: FakeTelegram) -> None:
    """Every call the bot made was accepted (valid HTML, within 4096 characters, known chats)."""
    failed = [c for c in tg.calls if not c.ok and c.method != "getUpdates"]
    assert not failed, failed


# Questions and buttons


def test_a_question_gets_cited_passages_with_decisions_above(tg: FakeTelegram, bot: RunningBot, people: dict) -> None:
    mark = tg.mark()
    question = tg.send(people["member"], "Hvad blev indstillet om Kvisten?")
    messages = answer_of(tg, mark, MEMBER)
    assert len(messages) == 1
    [message] = messages
    text = message.plain
    assert text.index("Indstillinger og beslutninger") < text.index("[1] ")
    assert "Indstilling 20.01.2023, punkt 11: Kommissorie for Nødspor Kvisten" in text
    assert "<b>[1] DAS Social møde 20.01.2023 · Punkt 11: Kommissorie for Nødspor Kvisten" in message.html
    assert "<b>Kvisten</b>" in message.html and "[3] " in text and "[4] " not in text
    assert message.params["reply_parameters"]["message_id"] == question["message_id"]
    labels = [label for label, _ in message.buttons]
    assert labels[:2] == ["Hele punktet [1]", "Kilde [1]"] and labels[-1] == "Flere resultater"
    assert all(len(data.encode()) <= 64 for _, data in message.buttons)
    assert tg.since(mark, "sendChatAction", MEMBER)
    assert_all_valid(tg)


def test_direct_answer_agenda_and_follow_up(tg: FakeTelegram, bot: RunningBot, people: dict) -> None:
    [price] = ask(tg, people["member"], "hvad koster en plads på de særlige pladser?")
    assert price.plain.startswith("Svar: »") and "4.107 kr. pr. anvendt plads" in price.plain.split("\n")[0]
    [listing] = ask(tg, people["member"], "hvad var på dagsordenen den 21. august 2023?")
    assert "17. Næste møde" in listing.plain and listing.plain.index("Næste møde") < listing.plain.index("[1] ")
    ask(tg, people["other"], "hvem havde skrevet under på KKR Nordjyllands brev til sundhedsministeren?")
    [follow] = ask(tg, people["other"], "hvem svarede på det?")
    assert "004_" in citation_of(follow, 1)  # alone, the follow-up's best passage is another record's
    assert_all_valid(tg)


def citation_of(message: Call, rank: int) -> str:
    """The citation header of an answer's passage `rank`."""
    return next(line for line in message.plain.splitlines() if line.startswith(f"[{rank}] "))


def test_no_answer_is_one_line_with_a_lookup(tg: FakeTelegram, bot: RunningBot, people: dict) -> None:
    reply = command(tg, people["member"], "Hvornår landede den første mand på Månen?")
    assert "\n" not in reply.plain and "kan jeg ikke finde" in reply.plain and "/beslutning" in reply.plain
    assert not reply.buttons


def test_buttons_more_whole_item_and_source(tg: FakeTelegram, bot: RunningBot, people: dict) -> None:
    member = people["member"]
    [first] = ask(tg, member, "Hvad blev indstillet om Kvisten?")

    query, mark = press(tg, member, first, "Flere resultater")
    assert tg.wait_answer(query).get("text") is None
    more = answer_of(tg, mark, MEMBER)
    assert (
        "[4] " in more[0].plain and "[1] " not in more[0].plain and "Indstillinger og beslutninger" not in more[0].plain
    )
    assert all(
        b["text"] != "Flere resultater" for row in tg.message(first)["reply_markup"]["inline_keyboard"] for b in row
    )

    query, mark = press(tg, member, first, "Hele punktet [1]")
    tg.wait_answer(query)
    item = tg.wait(lambda c: sent(c, MEMBER), since=mark)[0]
    assert item.plain.startswith("Punkt 11: Kommissorie for Nødspor Kvisten")
    assert "Indstilling" in item.plain and "Bilag" in item.plain

    query, mark = press(tg, member, first, "Kilde [1]")
    tg.wait_answer(query)
    document = tg.wait(lambda c: c.method == "sendDocument" and c.chat_id == MEMBER, since=mark)[0]
    name, content = document.files["document"]
    assert name.startswith("003_") and content == (BUNDLED_CORPUS / name).read_bytes()
    assert "Kilde:" in document.plain and "Punkt 11" in document.plain
    assert_all_valid(tg)


def test_stale_and_unknown_buttons_are_answered(tg: FakeTelegram, bot: RunningBot, people: dict) -> None:
    member = people["member"]
    [first] = ask(tg, member, "Hvad blev indstillet om Kvisten?")
    message = tg.message(first)
    for data in ("item:999999", "src:999999", "gammel-knap"):
        query = tg.press(member, message, data)
        assert tg.wait_answer(query)["text"]


@pytest.mark.parametrize(
    "data", ["item:" + "1" * 22, "day:99999999999", "day:0", "item:\u0663", "src:12\n", "more:99999999", "item:-1"]
)
def test_forged_button_data_is_an_expired_button_without_a_traceback(
    tg: FakeTelegram, bot: RunningBot, people: dict, caplog: pytest.LogCaptureFixture, data: str
) -> None:
    welcome = command(tg, people["member"], "/start")
    query = tg.press(people["member"], tg.message(welcome), data)
    assert tg.wait_answer(query)["text"] == render.GONE
    time.sleep(0.2)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not [c for c in tg.calls if c.method == "sendMessage" and render.APOLOGY in c.plain]


def test_too_many_questions_a_minute_get_a_polite_request_to_wait(app: Dasbot, tg: FakeTelegram, people: dict) -> None:
    with RunningBot(telegram_core(app, tg, questions_per_minute=2)):
        for _ in range(2):
            ask(tg, people["member"], "Hvad blev indstillet om Kvisten?")
        assert command(tg, people["member"], "Hvad blev indstillet om Kvisten?").plain == render.SLOW_DOWN
        ask(tg, people["other"], "Hvad blev indstillet om Kvisten?")  # per user


def test_a_long_whole_item_arrives_as_several_valid_messages(tg: FakeTelegram, bot: RunningBot, people: dict) -> None:
    member = people["member"]
    [first] = ask(tg, member, "Hvad blev indstillet om Kvisten?")
    query, mark = press(tg, member, first, "Hele punktet [1]")
    tg.wait_answer(query)
    # item 11 of 003 holds a long appendix: wait until its last part has arrived
    parts = tg.wait(lambda c: sent(c, MEMBER), since=mark, count=2)
    assert all(utf16_len(p.plain) <= 4096 for p in parts)
    assert_all_valid(tg)


# Commands


def test_commands_are_listed_with_set_my_commands(tg: FakeTelegram, bot: RunningBot) -> None:
    assert [c["command"] for c in tg.commands] == [name for name, _, _ in COMMANDS]
    assert {"start", "hjaelp", "takst", "beslutning", "moeder", "dagsorden", "tidslinje"} <= {
        c["command"] for c in tg.commands
    }


def test_start_and_help(tg: FakeTelegram, bot: RunningBot, people: dict) -> None:
    start = command(tg, people["member"], "/start")
    assert start.plain.startswith("Hej!") and "/takst" in start.plain and "/reindex" not in start.plain
    secretary = command(tg, people["secretary"], "/hjaelp").plain
    assert "/reindex" in secretary and "PDF, Word (.docx), HTML (.html, .htm), .txt eller .md, højst 20 MB" in secretary


def test_tariff_lookup(tg: FakeTelegram, bot: RunningBot, people: dict) -> None:
    reply = command(tg, people["member"], "/takst Socialtilsyn timepris 2024")
    assert "672 kr." in reply.plain and "før 635 kr." in reply.plain and "møde 21.08.2023, punkt 3" in reply.plain
    assert "Skriv hvad du søger" in command(tg, people["member"], "/takst").plain


def test_decision_lookup(tg: FakeTelegram, bot: RunningBot, people: dict) -> None:
    reply = command(tg, people["member"], "/beslutning Kvisten")
    assert "Indstilling 20.01.2023, punkt 11: Kommissorie for Nødspor Kvisten" in reply.plain
    assert "DAS godkender kommissorie for arbejdsgruppe vedr. Nødspor Kvisten" in reply.plain


def test_meetings_and_their_day_buttons(tg: FakeTelegram, bot: RunningBot, people: dict) -> None:
    member = people["member"]
    reply = command(tg, member, "/moeder")
    assert "23.08.2021 DAS Social – 13 punkter" in reply.plain and "20.01.2023" in reply.plain
    query, mark = press(tg, member, reply, "20.01.2023")
    tg.wait_answer(query)
    agenda_message = tg.wait(lambda c: sent(c, MEMBER), since=mark)[0]
    assert "11. Kommissorie for Nødspor Kvisten" in agenda_message.plain


@pytest.mark.parametrize("day", ["21.08.2023", "21. august 2023", "2023-08-21"])
def test_agenda_accepts_every_date_form(tg: FakeTelegram, bot: RunningBot, people: dict, day: str) -> None:
    reply = command(tg, people["member"], f"/dagsorden {day}")
    assert "DAS Social møde 21.08.2023" in reply.plain and "3. Budget og takster for Socialtilsyn Nord" in reply.plain
    assert ("3", next(d for t, d in reply.buttons if t == "3")) in reply.buttons


def test_agenda_without_a_meeting_or_a_date(tg: FakeTelegram, bot: RunningBot, people: dict) -> None:
    assert "intet møde den 01.01.2020" in command(tg, people["member"], "/dagsorden 1. januar 2020").plain
    assert "Skriv mødets dato" in command(tg, people["member"], "/dagsorden i går").plain


def test_timeline(tg: FakeTelegram, bot: RunningBot, people: dict) -> None:
    reply = command(tg, people["member"], "/tidslinje Socialtilsyn")
    text = reply.plain
    assert text.index("23.08.2021, punkt 7") < text.index("20.01.2023, punkt 13") < text.index("21.08.2023, punkt 3")


def test_unknown_command(tg: FakeTelegram, bot: RunningBot, people: dict) -> None:
    assert "/hjaelp" in command(tg, people["member"], "/ukendt").plain


# Groups and strangers


def test_a_member_group_answers_commands_mentions_and_replies_only(
    tg: FakeTelegram, bot: RunningBot, people: dict
) -> None:
    group, stranger = people["group"], people["stranger"]  # anyone in a member group may ask
    mark = tg.mark()
    tg.send(stranger, "Hvad blev indstillet om Kvisten?", group)  # not addressed to the bot: ignored
    reply = command(tg, stranger, f"/takst@{BOT_USER['username']} Socialtilsyn timepris", group)
    assert "672 kr." in reply.plain
    mark = tg.mark()
    tg.send(stranger, f"{MENTION} hvad blev indstillet om Kvisten?", group)
    [answer] = answer_of(tg, mark, GROUP)
    assert "Kommissorie for Nødspor Kvisten" in answer.plain
    mark = tg.mark()
    tg.send(stranger, "Hvad med Socialtilsyn Nords budget?", group, reply_to=tg.message(answer))
    answer_of(tg, mark, GROUP)
    hint = command(tg, stranger, MENTION, group)
    assert f"„{MENTION} hvad blev indstillet om Kvisten?“" in hint.plain
    assert len(tg.since(0, "sendMessage", GROUP)) == 4


def test_a_stranger_gets_one_polite_refusal_and_nothing_else(
    tg: FakeTelegram, bot: RunningBot, people: dict, caplog: pytest.LogCaptureFixture
) -> None:
    stranger = people["stranger"]
    reply = command(tg, stranger, "Hvad blev indstillet om Kvisten?")
    assert reply.plain.startswith("Beklager, denne bot er kun for medlemmer") and not reply.buttons
    for text in ("/moeder", "/takst Kvisten"):
        tg.send(stranger, text)
    tg.send_document(stranger, "dagsorden.txt", b"Punkt 1.")
    query = tg.press(stranger, tg.message(reply), "item:1")
    assert tg.wait_answer(query)["text"].startswith("Beklager, denne bot er kun for medlemmer")
    time.sleep(0.3)
    assert len(tg.since(0, "sendMessage", STRANGER)) == 1  # one refusal an hour, not one per message
    assert not tg.since(0, "getFile") and not tg.downloads()
    assert caplog.text.count("refused a stranger: user id 3001") == 1


def test_a_group_that_is_not_a_member_gets_a_refusal(tg: FakeTelegram, bot: RunningBot, people: dict) -> None:
    tg.send(people["member"], "/moeder@another_bot", people["strange_group"])  # not for this bot: ignored
    reply = command(tg, people["member"], "/moeder", people["strange_group"])
    assert reply.plain.startswith("Beklager, denne bot er kun for medlemmer")
    time.sleep(0.3)
    assert len(tg.since(0, "sendMessage", STRANGE_GROUP)) == 1
    assert [c.chat_id for c in tg.since(0, "leaveChat")] == [STRANGE_GROUP] * 2  # it leaves the group


def test_group_members_only_refuses_a_stranger_in_a_member_group(app: Dasbot, tg: FakeTelegram, people: dict) -> None:
    with RunningBot(telegram_core(app, tg, group_members_only=True)):
        refusal = command(tg, people["stranger"], "/takst Socialtilsyn timepris", people["group"])
        assert refusal.plain.startswith("Beklager, denne bot er kun for medlemmer")
        assert "672 kr." in command(tg, people["member"], "/takst Socialtilsyn timepris", people["group"]).plain
    assert not tg.since(0, "leaveChat")


def test_empty_allowlists_are_warned_about_at_start_up(
    app: Dasbot, tg: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    settings = replace(telegram_core(app, tg).settings, members=frozenset(), secretariat=frozenset())
    build_application(Dasbot(settings, engine=app.engine, embedder=app.embedder))
    assert "DASBOT_MEMBERS and DASBOT_SECRETARIAT are both empty" in caplog.text


# Uploads and subscriptions


def test_an_upload_by_the_secretariat_is_indexed_answerable_and_notifies_subscribers(
    tg: FakeTelegram, upload_bot: RunningBot, people: dict
) -> None:
    member, other, secretary = people["member"], people["other"], people["secretary"]
    assert "følger nu „Kvisten“" in command(tg, member, "/abonner Kvisten").plain
    assert "følger nu" in command(tg, other, "/abonner Socialtilsyn").plain
    assert "følger allerede" in command(tg, member, "/abonner  kvisten ").plain

    content = agenda(
        "05.02.2024",
        [
            ("Godkendelse af dagsorden", "Dagsordenen godkendes."),
            (
                "Status på Nødspor Kvisten",
                "Arbejdsgruppen for Kvisten fremlægger sin afrapportering om den faglige bæredygtighed.",
            ),
        ],
    ).encode()
    mark = tg.mark()
    status = upload(tg, secretary, "dagsorden 2024.txt", content)
    summary = final_edit(tg, status, mark, "er indekseret")
    assert "Møde: DAS Social 05.02.2024" in summary.plain
    assert "2 punkter · 0 bilag" in summary.plain and "2 indstillinger/beslutninger" in summary.plain
    assert "1 abonnent har fået besked" in summary.plain
    edits = [c for c in tg.since(mark, "editMessageText") if c.params["message_id"] == status.result["message_id"]]
    assert len(edits) >= 2 and edits[-1] is summary

    [notice] = tg.since(mark, "sendMessage", MEMBER)
    assert "Nyt om „Kvisten“" in notice.plain and "DAS Social møde 05.02.2024" in notice.plain
    assert "Punkt 2: Status på Nødspor Kvisten" in notice.plain and "Punkt 1" not in notice.plain
    assert not tg.since(mark, "sendMessage", OTHER_MEMBER)
    assert (
        upload_bot.core.settings.uploads_dir / unique_filename("dagsorden_2024.txt", content)
    ).read_bytes() == content

    query, mark = press(tg, member, notice, "Punkt 2")
    tg.wait_answer(query)
    assert tg.wait(lambda c: sent(c, MEMBER), since=mark)[0].plain.startswith("Punkt 2: Status på Nødspor Kvisten")

    [answer] = ask(tg, member, "Hvad er status på Nødspor Kvisten?")
    assert "DAS Social møde 05.02.2024 · Punkt 2: Status på Nødspor Kvisten" in answer.plain
    assert_all_valid(tg)


def test_one_indexing_job_at_a_time(tg: FakeTelegram, store: Dasbot, people: dict) -> None:
    core = telegram_core(store, tg)
    running, overlaps = [0], []
    index = core.index

    def tracked(paths: list[Path], progress: Any) -> Any:
        running[0] += 1
        overlaps.append(running[0])
        time.sleep(0.3)
        try:
            return index(paths, progress)
        finally:
            running[0] -= 1

    core.index = tracked
    with RunningBot(core):
        mark = tg.mark()
        for name, day in (("a.txt", "05.02.2024"), ("b.txt", "06.02.2024")):
            tg.send_document(
                people["secretary"], name, agenda(day, [("Dagsorden", "Godkendes."), ("Kvisten", "Status.")]).encode()
            )
        tg.wait(lambda c: c.method == "editMessageText" and "er indekseret" in c.plain, since=mark, count=2)
    assert overlaps == [1, 1]


def test_subscriptions_survive_a_restart_and_can_be_cancelled(tg: FakeTelegram, store: Dasbot, people: dict) -> None:
    member = people["member"]
    core = telegram_core(store, tg)
    with RunningBot(core):
        command(tg, member, "/abonner takster")
        command(tg, member, "/abonner Socialtilsyn")
    with RunningBot(core):
        assert "• takster\n• Socialtilsyn" in command(tg, member, "/abonnementer").plain
        assert "Afmeldt: „socialtilsyn“" in command(tg, member, "/afmeld socialtilsyn").plain
        assert "følger ikke" in command(tg, member, "/afmeld Kvisten").plain
        assert "• takster" in command(tg, member, "/abonnementer").plain
        assert "Socialtilsyn" not in command(tg, member, "/abonnementer").plain
        assert "Skriv et emne" in command(tg, member, "/abonner").plain


def test_a_follow_up_after_a_restart_is_read_with_the_question_before(
    tg: FakeTelegram, app: Dasbot, people: dict
) -> None:
    core = telegram_core(app, tg)
    with RunningBot(core):
        ask(tg, people["other"], "hvem havde skrevet under på KKR Nordjyllands brev til sundhedsministeren?")
    with RunningBot(core):
        [follow] = ask(tg, people["other"], "hvem svarede på det?")
        query, mark = press(tg, people["other"], follow, "Flere resultater")
        tg.wait_answer(query)
        [more] = answer_of(tg, mark, OTHER_MEMBER)
    # alone, the follow-up's best passage and its fifth are other records'
    assert "004_" in citation_of(follow, 1) and "004_" in citation_of(more, 5)


def test_an_upload_by_a_member_is_refused_and_not_downloaded(
    tg: FakeTelegram, upload_bot: RunningBot, people: dict
) -> None:
    reply = upload(tg, people["member"], "dagsorden.txt", agenda("05.02.2024", [("Kvisten", "Tekst.")]).encode())
    assert "kun sekretariatet kan tilføje dokumenter" in reply.plain and "Intet er blevet indekseret" in reply.plain
    assert not tg.since(0, "getFile") and not tg.downloads() and upload_bot.core.chunk_count() == 0


def test_an_oversized_file_is_refused_before_download(tg: FakeTelegram, upload_bot: RunningBot, people: dict) -> None:
    reply = upload(
        tg, people["secretary"], "stor.pdf", b"%PDF-1.4 small", file_size=21_000_000, mime_type="application/pdf"
    )
    assert "21.0 MB" in reply.plain and "20 MB" in reply.plain and "ikke hentet" in reply.plain
    assert not tg.since(0, "getFile") and not tg.downloads() and upload_bot.core.chunk_count() == 0


def test_an_unreadable_upload_gets_a_danish_reason(tg: FakeTelegram, upload_bot: RunningBot, people: dict) -> None:
    mark = tg.mark()
    status = upload(tg, people["secretary"], "referat.pdf", b"this is not a pdf", mime_type="application/pdf")
    summary = final_edit(tg, status, mark, "er ikke indekseret")
    assert "filen er ikke en gyldig PDF" in summary.plain
    assert not (upload_bot.core.settings.uploads_dir / "referat.pdf").exists()
    reply = upload(tg, people["secretary"], "billede.png", b"\x89PNG")
    assert "kan kun læse PDF, Word (.docx), HTML (.html, .htm), .txt eller .md" in reply.plain


def test_word_and_html_uploads_are_indexed(tg: FakeTelegram, upload_bot: RunningBot, people: dict) -> None:
    """A Word document (its suffix in capitals) and a saved web page are indexed like text; a corrupt Word
    document gets its Danish reason."""
    items = [("Godkendelse af dagsorden", "Godkendes."), ("Kvisten", "Tekst om Kvisten.")]
    document = docx.Document()
    for line in agenda("07.03.2024", items).splitlines():
        document.add_paragraph(line.strip())
    data = io.BytesIO()
    document.save(data)
    page = "".join(f"<p>{line}</p>" for line in agenda("08.03.2024", items).splitlines())
    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    for name, content, mime, day in (
        ("Referat.DOCX", data.getvalue(), word, "07.03.2024"),
        ("side.htm", f"<html><body>{page}</body></html>".encode(), "text/html", "08.03.2024"),
    ):
        mark = tg.mark()
        status = upload(tg, people["secretary"], name, content, mime_type=mime)
        summary = final_edit(tg, status, mark, "indekseret")
        assert "er indekseret" in summary.plain and f"DAS Social {day}" in summary.plain, summary.plain
        assert "2 punkter" in summary.plain
    mark = tg.mark()
    status = upload(tg, people["secretary"], "brudt.docx", data.getvalue()[:2000], mime_type=word)
    summary = final_edit(tg, status, mark, "er ikke indekseret")
    assert "filen er ikke et gyldigt Word-dokument (.docx)" in summary.plain


def test_an_upload_name_cannot_escape_the_uploads_folder(
    tg: FakeTelegram, upload_bot: RunningBot, people: dict
) -> None:
    mark = tg.mark()
    content = agenda(
        "06.03.2024", [("Godkendelse af dagsorden", "Dagsordenen godkendes."), ("Kvisten", "Tekst om Kvisten.")]
    )
    status = upload(tg, people["secretary"], "../../../etc/..møde<1>.txt", content.encode())
    final_edit(tg, status, mark, "er indekseret")
    folder = upload_bot.core.settings.uploads_dir
    assert [p.name for p in folder.iterdir() if p.is_file()] == [unique_filename("møde_1.txt", content.encode())]
    assert not list((folder / ".incoming").iterdir())


def test_escaping_of_documents_and_questions(tg: FakeTelegram, upload_bot: RunningBot, people: dict) -> None:
    content = agenda(
        "07.03.2024",
        [
            ("Godkendelse af dagsorden", "Dagsordenen godkendes."),
            (
                "Takster <2024> & <b>tilbud</b>",
                "Taksten for døgnophold på Kvisten er < 5.000 kr. & > 4.000 kr. pr. døgn; se <i>bilag</i> &amp; noter.",
            ),
        ],
    ).encode()
    mark = tg.mark()
    final_edit(tg, upload(tg, people["secretary"], "takster.txt", content), mark, "er indekseret")
    [answer] = ask(tg, people["member"], "Hvad er taksten for døgnophold på Kvisten < 5.000 kr. & > 4.000 kr.?")
    assert "Punkt 2: Takster <2024> & <b>tilbud</b>" in answer.plain
    assert "< 5.000 kr. & > 4.000 kr. pr. døgn; se <i>bilag</i> &amp; noter." in answer.plain
    query, mark = press(tg, people["member"], answer, "Hele punktet [1]")
    tg.wait_answer(query)
    assert "Takster <2024> & <b>tilbud</b>" in tg.wait(lambda c: sent(c, MEMBER), since=mark)[0].plain
    reply = command(tg, people["member"], "/abonner <script>&")
    assert "<script>&" in reply.plain
    assert_all_valid(tg)


def test_a_long_answer_arrives_as_several_valid_messages(
    tg: FakeTelegram, upload_bot: RunningBot, people: dict
) -> None:
    towns = ["Aalborg", "Hjørring", "Thisted", "Rebild", "Brønderslev", "Frederikshavn", "Jammerbugt", "Mariagerfjord"]
    bullets = "\n".join(
        f"• DAS beder {town} Kommune om at beskrive behovet for pladser på Nødspor Kvisten i {year} & de følgende år"
        for year in range(2024, 2030)
        for town in towns
    )
    text = agenda(
        "09.04.2024",
        [
            ("Godkendelse af dagsorden", "Dagsordenen godkendes."),
            ("Nødspor Kvisten", "Arbejdsgruppen for Nødspor Kvisten har afsluttet sin afrapportering."),
        ],
    )
    head, _, tail = text.rpartition("• DAS tager punktet til efterretning")
    mark = tg.mark()
    final_edit(tg, upload(tg, people["secretary"], "lang.txt", (head + bullets + tail).encode()), mark, "er indekseret")
    messages = ask(tg, people["member"], "Hvad blev indstillet om Nødspor Kvisten?")
    assert len(messages) >= 2
    assert all(utf16_len(m.plain) <= 4096 for m in messages)
    assert messages[-1].buttons and not any(m.buttons for m in messages[:-1])
    whole = "\n".join(m.plain for m in messages)
    for year in range(2024, 2030):  # every line of the recommendation arrived, none cut in two
        assert (
            f"– DAS beder Mariagerfjord Kommune om at beskrive behovet for pladser på Nødspor Kvisten i {year} & de følgende år"
            in whole
        )
    assert "[1] " in whole
    assert_all_valid(tg)


def test_a_long_upload_summary_is_sent_whole_and_the_progress_message_finishes(
    tg: FakeTelegram, upload_bot: RunningBot, people: dict, tmp_path: Path
) -> None:
    pages = [" Mødet den 05.02.2024 DAS Social Punkt 1. Status på Nødspor Kvisten"] + [
        ""
    ] * 1998  # under the page cap; the old page list was 9,000 characters
    content = write_pdf(tmp_path / "lang.pdf", pages).read_bytes()
    mark = tg.mark()
    status = upload(tg, people["secretary"], "lang.pdf", content, mime_type="application/pdf")
    summary = final_edit(tg, status, mark, "kræver OCR")
    assert "2–1999" in summary.plain
    assert not [c for c in tg.calls if c.method == "sendMessage" and render.APOLOGY in c.plain]
    assert_all_valid(tg)


def test_a_final_summary_too_long_for_one_message_goes_on_in_messages_after_it(
    tg: FakeTelegram, upload_bot: RunningBot, people: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render, "rebuild_report", lambda rebuild: "✅ <b>Genindeksering færdig</b>\n" + "x\n" * 5000)
    mark = tg.mark()
    status = command(tg, people["secretary"], "/reindex")
    final_edit(tg, status, mark, "Genindeksering færdig")
    rest = tg.wait(lambda c: sent(c, people["secretary"]["id"]) and "x" in c.plain, since=mark, count=2)
    assert sum(c.plain.count("x") for c in rest) + tg.message(status)["text"].count("x") == 5000
    assert_all_valid(tg)


def test_a_failed_reindex_leaves_the_progress_message_in_a_final_state(
    tg: FakeTelegram, upload_bot: RunningBot, people: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(progress: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(upload_bot.application.bot_data["indexing"], "rebuild", broken)
    mark = tg.mark()
    status = command(tg, people["secretary"], "/reindex")
    final_edit(tg, status, mark, "Indekseringen stoppede")


def test_reindex_rebuilds_with_the_same_reporting(tg: FakeTelegram, upload_bot: RunningBot, people: dict) -> None:
    mark = tg.mark()
    content = agenda(
        "05.02.2024",
        [
            ("Godkendelse af dagsorden", "Dagsordenen godkendes."),
            ("Status på Nødspor Kvisten", "Arbejdsgruppen for Kvisten fremlægger sin afrapportering."),
        ],
    )
    final_edit(tg, upload(tg, people["secretary"], "a.txt", content.encode()), mark, "er indekseret")
    assert "Kun sekretariatet" in command(tg, people["member"], "/reindex").plain
    mark = tg.mark()
    status = command(tg, people["secretary"], "/reindex")
    summary = final_edit(tg, status, mark, "Genindeksering færdig")
    assert "1 fil: 1 indekseret, 0 fejlet" in summary.plain
    [answer] = ask(tg, people["member"], "Hvad er status på Nødspor Kvisten?")
    assert "DAS Social møde 05.02.2024 · Punkt 2: Status på Nødspor Kvisten" in answer.plain


def test_an_upload_names_the_file_it_copies_and_the_older_version_it_replaces(
    tg: FakeTelegram, upload_bot: RunningBot, people: dict
) -> None:
    secretary = people["secretary"]
    first = agenda(
        "05.02.2024",
        [
            ("Godkendelse af dagsorden", "Dagsordenen godkendes."),
            ("Nødspor Kvisten", "Første udgave: arbejdsgruppen for Kvisten er nedsat."),
        ],
    ).encode()
    mark = tg.mark()
    final_edit(tg, upload(tg, secretary, "dagsorden.txt", first), mark, "er indekseret")
    mark = tg.mark()
    copy = final_edit(tg, upload(tg, secretary, "kopi.txt", first), mark, "ikke indekseret")
    stored = unique_filename("dagsorden.txt", first)
    assert (
        copy.plain
        == f"ℹ️ {unique_filename('kopi.txt', first)} er ikke indekseret: samme indhold er allerede indekseret som {stored}."
    )
    assert [p.name for p in upload_bot.core.settings.uploads_dir.glob("*.txt")] == [stored]

    revised = first.replace(b"F\xc3\xb8rste udgave", b"Revideret udgave")
    mark = tg.mark()
    summary = final_edit(tg, upload(tg, secretary, "dagsorden rettet.txt", revised), mark, "er indekseret")
    assert f"Erstatter den ældre udgave af mødets dokument: {stored}" in summary.plain
    [answer] = ask(tg, people["member"], "Hvad er status på Nødspor Kvisten?")
    assert "Revideret udgave" in answer.plain and "Første udgave" not in answer.plain


def test_two_meetings_uploaded_under_one_name_both_stay(tg: FakeTelegram, upload_bot: RunningBot, people: dict) -> None:
    first = agenda("05.02.2024", [("Godkendelse af dagsorden", "Godkendes."), ("Kvisten", "Kvisten har fået tag.")])
    second = agenda("06.03.2024", [("Godkendelse af dagsorden", "Godkendes."), ("Torvevej", "Torvevej er malet.")])
    for content in (first, second):
        mark = tg.mark()
        summary = final_edit(tg, upload(tg, people["secretary"], "Dagsorden.txt", content.encode()), mark, "indekseret")
        assert "opdateret" not in summary.plain and "erstattet" not in summary.plain
    names = [unique_filename("Dagsorden.txt", content.encode()) for content in (first, second)]
    assert sorted(p.name for p in upload_bot.core.settings.uploads_dir.glob("*.txt")) == sorted(names)
    with Session(upload_bot.core.engine) as session:
        rows = session.exec(select(Document.filename, func.count(Chunk.id)).join(Chunk).group_by(Document.id)).all()
    assert sorted(name for name, chunks in rows if chunks) == sorted(names)


@pytest.mark.parametrize("names", [(".txt", "..txt", "📄.txt", "📎.txt")])
def test_upload_names_of_different_content_never_collide(names: tuple[str, ...]) -> None:
    stored = {unique_filename(safe_filename(name), name.encode()) for name in names}
    assert len(stored) == len(names) and all(name.startswith("dokument-") for name in stored)
    assert unique_filename("Dagsorden.txt", b"a") == unique_filename("Dagsorden.txt", b"a") != "Dagsorden.txt"


def test_reindex_keeps_a_document_whose_file_has_become_unreadable(
    tg: FakeTelegram, upload_bot: RunningBot, people: dict
) -> None:
    content = agenda(
        "05.02.2024",
        [
            ("Godkendelse af dagsorden", "Dagsordenen godkendes."),
            ("Status på Nødspor Kvisten", "Arbejdsgruppen for Kvisten fremlægger sin afrapportering."),
        ],
    )
    mark = tg.mark()
    final_edit(tg, upload(tg, people["secretary"], "a.txt", content.encode()), mark, "er indekseret")
    stored = unique_filename("a.txt", content.encode())
    (upload_bot.core.settings.uploads_dir / stored).write_bytes(content.encode("utf-16"))
    mark = tg.mark()
    summary = final_edit(tg, command(tg, people["secretary"], "/reindex"), mark, "Genindeksering færdig")
    assert summary.plain.split("\n") == [
        "⚠️ Genindeksering færdig med fejl",
        "1 fil: 0 indekseret, 1 fejlet · 0 tekststykker",
        f"❌ {stored}: teksten er ikke UTF-8 (gem filen som UTF-8); den hidtidige udgave er beholdt",
    ]
    [answer] = ask(tg, people["member"], "Hvad er status på Nødspor Kvisten?")
    assert "DAS Social møde 05.02.2024 · Punkt 2: Status på Nødspor Kvisten" in answer.plain


# The wire


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own use of retry_after
def test_flood_control_honours_retry_after(tg: FakeTelegram, app: Dasbot, people: dict) -> None:
    tg.flood("getUpdates")
    tg.flood("sendMessage")
    with RunningBot(telegram_core(app, tg)):
        reply = command(tg, people["member"], "/moeder")
    assert "Møder" in reply.plain
    floods = [c for c in tg.calls if c.error and c.error.startswith("Too Many Requests")]
    assert [c.method for c in floods] == ["getUpdates", "sendMessage"]


def test_an_error_gets_a_danish_apology_and_a_logged_traceback(
    tg: FakeTelegram, app: Dasbot, people: dict, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        def ask(self, *args: Any, **kwargs: Any) -> None:
            raise RuntimeError("the model fell over")

    core = telegram_core(app, tg)
    core.answerer = Broken()
    with RunningBot(core):
        reply = command(tg, people["member"], "Hvad blev indstillet om Kvisten?")
    assert reply.plain == "Beklager, der gik noget galt. Prøv igen om lidt."
    assert "RuntimeError: the model fell over" in caplog.text and "Traceback" in caplog.text


def test_webhook_mode(tg: FakeTelegram, app: Dasbot, people: dict, unused_port: int) -> None:
    url = f"http://127.0.0.1:{unused_port}/telegram/hook"
    with RunningBot(telegram_core(app, tg, webhook_url=url, webhook_secret="hemmelig_nok-1")):
        assert tg.webhook == {"url": url, "secret_token": "hemmelig_nok-1"}
        reply = command(tg, people["member"], "/moeder")
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "forkert"}):
            forged = urllib.request.Request(url, data=b"{}", headers={"Content-Type": "application/json", **headers})
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(forged, timeout=10)
            assert refused.value.code == 403
    assert "Møder" in reply.plain and not tg.since(0, "getUpdates")


def test_the_webhook_secret_is_not_derived_from_the_token(app: Dasbot, tg: FakeTelegram) -> None:
    settings = telegram_core(app, tg).settings
    assert webhook_secret(settings) != webhook_secret(settings) and tg.token not in webhook_secret(settings)
    assert webhook_secret(replace(settings, webhook_secret="s3")) == "s3"
    assert settings.webhook_listen == Settings.from_env({}).webhook_listen == "127.0.0.1"


# Faults and restarts: no question lost, none answered twice, no part of an answer sent twice


KVISTEN = "Hvad blev indstillet om Kvisten?"
PRICE = "hvad koster en plads på de særlige pladser?"
AGENDA = "hvad var på dagsordenen den 21. august 2023?"


def item_parts(core: Dasbot, answer: Call) -> tuple[str, list[str]]:
    """The callback data of "Hele punktet [1]" under an answer, and the messages that item is sent as."""
    data = next(d for text, d in answer.buttons if text == "Hele punktet [1]")
    record = agenda_item(core.engine, keyboards.value(data))
    assert record is not None
    return data, split_html(render.item(record))


def replies_to(question: dict[str, Any], calls: list[Call]) -> list[Call]:
    """The messages among `calls` that reply to `question`."""
    return [
        c
        for c in calls
        if c.method == "sendMessage"
        and c.ok
        and c.chat_id == question["chat"]["id"]
        and (c.params.get("reply_parameters") or {}).get("message_id") == question["message_id"]
    ]


def answer_question(tg: FakeTelegram, answer: Call) -> dict[str, Any]:
    """The question message an answer replies to."""
    return tg.messages[(MEMBER, answer.params["reply_parameters"]["message_id"])]


def open_item(tg: FakeTelegram, core: Dasbot, member: dict[str, Any]) -> tuple[list[str], int]:
    """Ask about Kvisten, then press "Hele punktet [1]" (a three-part item); its parts and the mark before."""
    [answer] = ask(tg, member, KVISTEN)
    data, parts = item_parts(core, answer)
    assert len(parts) == 3
    mark = tg.mark()
    tg.press(member, tg.message(answer), data)
    return parts, mark


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own use of retry_after
def test_a_flood_in_the_middle_of_a_split_answer_delays_it_and_loses_nothing(
    tg: FakeTelegram, app: Dasbot, people: dict
) -> None:
    core = telegram_core(app, tg)
    with RunningBot(core):
        tg.flood("sendMessage", skip=2, chat_id=MEMBER)  # the answer, the item's first part, then this
        parts, mark = open_item(tg, core, people["member"])
        tg.wait(lambda c: sent(c, MEMBER), since=mark, count=len(parts))
    assert [c.html for c in tg.since(mark, "sendMessage", MEMBER)] == parts
    assert [(c.method, c.html) for c in tg.calls[mark:] if c.error] == [("sendMessage", parts[1])]


NETWORK_FAULTS = {
    # Telegram got the second part, but the connection dropped before it answered: not sent again.
    "response lost": (
        lambda tg: tg.lose_response("sendMessage", skip=2, chat_id=MEMBER),
        "part 2 of 3 to chat 1001: the response was lost",
    ),
    # Connections are refused for two seconds after the item's first part: the second waits, then goes once.
    "outage": (
        lambda tg: tg.outage("sendMessage", seconds=2.0, skip=1, chat_id=MEMBER),
        "could not reach Telegram for sendMessage",
    ),
}


@pytest.mark.parametrize("fault", sorted(NETWORK_FAULTS))
def test_a_network_fault_mid_answer_loses_no_part_and_sends_none_twice(
    fault: str, tg: FakeTelegram, app: Dasbot, people: dict, caplog: pytest.LogCaptureFixture
) -> None:
    inject, logged = NETWORK_FAULTS[fault]
    core = telegram_core(app, tg)
    with RunningBot(core):
        inject(tg)
        parts, mark = open_item(tg, core, people["member"])
        tg.wait(lambda c: sent(c, MEMBER), since=mark, count=len(parts))
    assert [c.html for c in tg.since(mark, "sendMessage", MEMBER)] == parts
    assert logged in caplog.text


def test_a_stop_while_answering_finishes_the_answers_and_the_next_start_answers_the_rest(
    tg: FakeTelegram, app: Dasbot, people: dict
) -> None:
    member, other = people["member"], people["other"]
    core = telegram_core(app, tg)
    with RunningBot(core) as first:
        hold = tg.hold("sendMessage")
        mark = tg.mark()
        asked = [tg.send(member, KVISTEN), tg.send(other, PRICE)]
        hold.wait(count=2)  # both are being answered
        first.stop()
        tg.wait(
            lambda c: c.method == "getUpdates" and c.params.get("timeout") == 0, since=mark
        )  # the last, confirming one
        asked.append(tg.send(member, AGENDA))  # while the bot is down
        hold.release(deliver=True)
    with RunningBot(core):
        tg.wait(lambda c: bool(replies_to(asked[2], [c])), since=mark)
    assert [len(replies_to(question, tg.calls)) for question in asked] == [1, 1, 1]


def test_a_bot_killed_while_answering_answers_everything_once_after_a_restart(
    tg: FakeTelegram, app: Dasbot, people: dict, tmp_path: Path
) -> None:
    """kill -9 with the item's second part and a question's answer on their way: the next start sends what
    had not gone out (the item's last two parts, the answer), and nothing that had (the item's first part,
    the button's acknowledgement, the first answer); a question sent while the bot was down is answered."""
    member = people["member"]
    log = tmp_path / "serve.log"
    first = Serving(app, tg, log)
    try:
        [answer] = ask(tg, member, KVISTEN)
        data, parts = item_parts(app, answer)
        hold = tg.hold("sendMessage", skip=1, chat_id=MEMBER)
        mark = tg.mark()
        tg.press(member, tg.message(answer), data)
        tg.wait(lambda c: sent(c, MEMBER) and c.html == parts[0], since=mark)
        asked = [tg.send(member, PRICE)]
        hold.wait(count=2)  # the item's second part and the price answer
    finally:
        first.kill()
    hold.release(deliver=False)
    asked.append(tg.send(member, AGENDA))
    second = Serving(app, tg, log)
    try:
        tg.wait(lambda c: bool(replies_to(asked[1], [c])), since=mark, timeout=60)
        tg.wait(lambda c: sent(c, MEMBER) and c.html == parts[-1], since=mark, timeout=60)
    finally:
        output = second.stop()
    assert "handling update" in output
    item = [c.html for c in tg.since(mark, "sendMessage", MEMBER) if not c.params.get("reply_parameters")]
    assert item == parts
    assert [len(replies_to(q, tg.calls)) for q in (answer_question(tg, answer), *asked)] == [1, 1, 1]
    acknowledged = [c for c in tg.calls if c.method == "answerCallbackQuery"]
    assert len(acknowledged) == 1 and acknowledged[0].ok


def test_a_progress_message_showing_the_text_already_is_left_as_it_is(tg: FakeTelegram, people: dict) -> None:
    """Telegram refuses an edit to the text a message shows; after a restart that is no error."""

    async def scenario() -> int:
        async with ExtBot(tg.token, base_url=tg.base_url, defaults=Defaults(parse_mode=ParseMode.HTML)) as bot:
            message = await bot.send_message(MEMBER, "⏳ Henter a.txt …")
            await message.edit_text("⏳ Læser a.txt …")  # what the first run got to show
            async with ProgressMessage(message, "⏳ Henter a.txt …") as progress:
                await progress.show("⏳ Læser a.txt …")
                await progress.show("✅ a.txt er indekseret")
            return message.message_id

    message_id = asyncio.run(scenario())
    assert tg.messages[(MEMBER, message_id)]["text"] == "✅ a.txt er indekseret"
    [refused] = [c for c in tg.calls if c.error]
    assert refused.method == "editMessageText" and "message is not modified" in refused.error


def test_the_journal_knows_each_update_once_and_gives_up_after_three_attempts(tmp_path: Path) -> None:
    path = journal_path(tmp_path)
    journal, other_bot = Journal(path, "111:secret"), Journal(path, "222:secret")
    update = Update.de_json(
        {"update_id": 7, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "hej"}},
        None,
    )
    assert journal.receive(update) and not journal.receive(update) and other_bot.receive(update)
    for _ in range(MAX_ATTEMPTS - 1):
        assert [u["update_id"] for u in journal.unfinished()] == [7]
    assert journal.unfinished() == [] and journal.unfinished() == []  # given up
    assert not journal.receive(update)
    other_bot.record(7, "request#1", {"message_id": 3})
    assert other_bot.sent(7, "request#1") == '{"message_id": 3}' and journal.sent(7, "request#1") is None
    other_bot.finish(7)
    assert other_bot.unfinished() == [] and other_bot.sent(7, "request#1") is None
    assert not any(b"secret" in file.read_bytes() for file in tmp_path.glob(f"{path.name}*"))


# Small parts


def test_the_token_is_redacted_from_every_log_line() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactToken("123:SECRET"))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    try:
        logger.warning("POST https://api.telegram.org/bot%s/getMe", "123:SECRET")
        try:
            raise ValueError("url https://api.telegram.org/bot123:SECRET/getUpdates")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert "123:SECRET" not in stream.getvalue()
    assert lines[0] == f"POST https://api.telegram.org/bot{REDACTED}/getMe"
    assert lines[-1] == f"ValueError: url https://api.telegram.org/bot{REDACTED}/getUpdates"


def test_configure_logging_filters_every_root_handler(caplog: pytest.LogCaptureFixture) -> None:
    root = logging.getLogger()
    try:
        configure_logging("123:SECRET")
        assert all(any(isinstance(f, RedactToken) for f in h.filters) for h in root.handlers)
        assert logging.getLogger("httpx").level == logging.getLogger("httpcore").level == logging.WARNING
        logging.getLogger("telegram.ext").warning("GET https://api.telegram.org/file/bot123:SECRET/x.pdf")
    finally:
        for handler in root.handlers:
            for redaction in [f for f in handler.filters if isinstance(f, RedactToken)]:
                handler.removeFilter(redaction)
    assert "SECRET" not in caplog.text and f"file/bot{REDACTED}/x.pdf" in caplog.text


class Serving:
    """`dasbot serve` in a process of its own over the session's store, its log in a file."""

    def __init__(self, app: Dasbot, tg: FakeTelegram, log: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DASBOT_", "TELEGRAM_"))} | {
            "TELEGRAM_BOT_TOKEN": tg.token,
            "TELEGRAM_API_BASE_URL": tg.base_url,
            "TELEGRAM_API_BASE_FILE_URL": tg.base_file_url,
            "DASBOT_MEMBERS": str(MEMBER),
            "DASBOT_DATA_DIR": str(app.settings.data_dir),
            "DASBOT_CACHE_DIR": str(app.settings.cache_dir),
        }
        self.log = log
        mark = tg.mark()
        with log.open("a") as stderr:
            self.process = subprocess.Popen([sys.executable, "-m", "bot.cli", "-v", "serve"], env=env, stderr=stderr)
        try:
            tg.wait(lambda c: c.method == "getUpdates", since=mark, timeout=120)
        except AssertionError:
            self.process.kill()
            raise

    def stop(self) -> str:
        """Stop with SIGINT (as Ctrl-C does), and check it exits cleanly; the log."""
        try:
            self.process.send_signal(signal.SIGINT)
            assert self.process.wait(timeout=60) == 0
        finally:
            self.kill()
        return self.log.read_text()

    def kill(self) -> None:
        """SIGKILL: no chance to finish anything."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


def test_dasbot_serve_polls_answers_and_stops_on_a_signal(
    app: Dasbot, tg: FakeTelegram, people: dict, tmp_path: Path
) -> None:
    serving = Serving(app, tg, tmp_path / "serve.log")
    assert command(tg, people["member"], "/start").plain.startswith("Hej!")
    log = serving.stop()
    assert tg.token not in log and "Application started" in log


@pytest.mark.parametrize(
    ("name", "mime", "expected"),
    [
        ("../../etc/passwd", None, "passwd"),
        ("..\\..\\Windows\\evil.PDF", None, "evil.pdf"),
        (".hidden.txt", None, "hidden.txt"),
        ("møde 21.08.2023 <dagsorden>.pdf", None, "møde_21.08.2023_dagsorden.pdf"),
        ("..", "application/pdf", "dokument.pdf"),
        (None, "text/plain", "dokument.txt"),
        ("a/b/\x00c.txt", None, "c.txt"),
    ],
)
def test_safe_filename(name: str | None, mime: str | None, expected: str) -> None:
    assert safe_filename(name, mime) == expected


def test_a_rejected_token_is_one_danish_line_and_never_printed(app: Dasbot, tg: FakeTelegram) -> None:
    token = f"123456789:{'SECRET' * 6}"  # the fake server knows only its own token: getMe answers 401
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DASBOT_", "TELEGRAM_"))} | {
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": tg.base_url,
        "TELEGRAM_API_BASE_FILE_URL": tg.base_file_url,
        "DASBOT_MEMBERS": str(MEMBER),
        "DASBOT_DATA_DIR": str(app.settings.data_dir),
        "DASBOT_CACHE_DIR": str(app.settings.cache_dir),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve"], env=env, capture_output=True, text=True, timeout=120
    )
    assert "SECRET" not in done.stdout + done.stderr
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == ["dasbot: Telegram afviste TELEGRAM_BOT_TOKEN; tjek tokenet."]
