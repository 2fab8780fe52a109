"""Hostile and odd questions: a 10,000-character question, search-syntax and SQL characters, invisible marks, NUL
and emoji each get an answer or a one-line Danish refusal in every face, never a traceback."""

from __future__ import annotations

import json
import logging

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.core import Dasbot
from bot.requests import MAX_QUESTION, RequestError, parse_question
from bot.telegram import render
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram import RunningBot, command

SYNTAX = ['"', "*", "'", "%", "AND OR NOT", "NEAR(", 'takst* AND "Kvisten', "SELECT * FROM chunk; --", "[a-z]+", "((("]
INVISIBLE = ["hvad\u200b koster\u200f en\u202e plads", "hvad\x00koster en plads", "\u200b\u200b\u2060"]
EMOJI = ["🙂🙂🙂", "💰 takst for Kvisten?"]
LONG = "hvad koster en plads " * 500  # 10,499 characters once the last space is gone


def test_invisible_and_control_characters_are_dropped_and_word_breaks_kept() -> None:
    assert parse_question("hvad\u200bkoster\u200f en\u202e plads") == "hvad koster en plads"
    assert parse_question("hvad\x00koster\ten\r\nplads") == "hvad koster en plads"
    assert parse_question("ﬁnansiering af Kvisten") == "finansiering af Kvisten"  # NFKC: the ligature is two letters


@pytest.mark.parametrize("text", ['"', "*", "%", "(((", "🙂🙂🙂", "\u200b\u2060", "\x00", "   "])
def test_a_question_without_a_word_is_refused_in_danish(text: str) -> None:
    with pytest.raises(RequestError, match="^Spørgsmålet har ingen ord at søge efter"):
        parse_question(text)


def test_a_question_over_the_cap_is_refused_with_its_length() -> None:
    assert parse_question("a" * MAX_QUESTION) == "a" * MAX_QUESTION
    with pytest.raises(
        RequestError, match=r"^Spørgsmålet er for langt \(10\.499 tegn\); skriv det på højst 1\.000 tegn$"
    ):
        parse_question(LONG)


def test_every_abuse_question_is_one_json_line_answered_or_refused(app: Dasbot) -> None:
    questions = [LONG, *SYNTAX, *INVISIBLE, *EMOJI]
    stdin = "".join(q.replace("\n", " ") + "\n" for q in questions)
    result = CliRunner().invoke(cli, ["ask", "--json", "-k", "3"], input=stdin, obj=app, prog_name="dasbot")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == len(questions)
    for answer in answers:
        assert "error" in answer or "abstained" in answer
    refused = {a["question"][:20]: a["error"] for a in answers if "error" in a}
    assert refused[LONG[:20]].startswith("Spørgsmålet er for langt")
    assert all(refused[q].startswith("Spørgsmålet har ingen ord") for q in ['"', "*", "%", "(((", "🙂🙂🙂"])
    answered = {a["question"]: a for a in answers if "error" not in a}
    # the marks are gone from what was searched: the cleaned question finds the same passages as the plain one
    plain = json.loads(CliRunner().invoke(cli, ["ask", "--json", "-k", "3", "hvad koster en plads"], obj=app).stdout)
    assert answered["hvad koster en plads"]["passages"] == plain["passages"]
    assert not answered["💰 takst for Kvisten?"]["abstained"]


def test_one_refused_question_on_the_command_line_is_exit_2(app: Dasbot) -> None:
    result = CliRunner().invoke(cli, ["ask", "🙂"], obj=app, prog_name="dasbot")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "dasbot: Spørgsmålet har ingen ord at søge efter (skriv fx: hvad koster en plads på Kvisten?)"
    )


def test_the_chat_words_a_refusal_and_goes_on(app: Dasbot) -> None:
    result = CliRunner().invoke(cli, ["chat"], input="🙂\nhvad blev indstillet om Kvisten?\n", obj=app)
    assert result.exit_code == 0
    assert "Spørgsmålet har ingen ord at søge efter" in result.stdout
    assert "Kommissorie for Nødspor Kvisten" in result.stdout


def test_telegram_answers_or_refuses_every_abuse_question_in_danish(
    tg: FakeTelegram, bot: RunningBot, people: dict, caplog: pytest.LogCaptureFixture
) -> None:
    member = people["member"]
    replies = [command(tg, member, text) for text in [LONG[:4096], *SYNTAX, *INVISIBLE, *EMOJI]]
    assert replies[0].plain == "Spørgsmålet er for langt (4.096 tegn); skriv det på højst 1.000 tegn"
    assert replies[SYNTAX.index('"') + 1].plain.startswith("Spørgsmålet har ingen ord at søge efter")
    assert all(reply.plain.strip() for reply in replies)
    assert not [c for c in tg.calls if c.method == "sendMessage" and render.APOLOGY in c.plain]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
