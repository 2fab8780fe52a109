"""Face parity: the same words asked through the command line and through the Telegram bot get the same answer
(the same rows in the same order, the same first passage, the same Danish line for a value that cannot be read)."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.core import Dasbot
from bot.render.terminal import kroner
from bot.telegram import keyboards, render
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram import RunningBot, ask, command


def cli_json(app: Dasbot, *args: str) -> Any:
    """`dasbot ARGS --json` over the session's store, parsed."""
    result = CliRunner().invoke(cli, [*args, "--json"], obj=app, prog_name="dasbot")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.splitlines()[0])


def listed(plain: str) -> list[str]:
    """The bullet lines of a Telegram lookup reply, without the bullet."""
    return [line.removeprefix("• ") for line in plain.splitlines() if line.startswith("• ")]


def day(iso: str) -> str:
    return f"{date.fromisoformat(iso):%d.%m.%Y}"


@pytest.mark.parametrize("words", ["Kvisten 2021", "Socialtilsyn timepris 2024", "Kvisten", "takst 2023"])
def test_tariffs(app: Dasbot, tg: FakeTelegram, bot: RunningBot, people: dict, words: str) -> None:
    rows = cli_json(app, "tariffs", *words.split())
    assert rows, words
    shown = listed(command(tg, people["member"], f"/takst {words}").plain)
    assert len(shown) == min(len(rows), render.MAX_TARIFFS)
    for row, line in zip(rows, shown):
        what = " – ".join(p for p in (row["offer"], row["service"], row["legal_basis"]) if p)
        year = f" {row['year']}" if row["year"] else ""
        assert line.startswith(f"{what}{year}: {kroner(row['amount_dkk'])}"), (row, line)
        assert f"møde {day(row['meeting_date'])}, punkt {row['item']}" in line, (row, line)


@pytest.mark.parametrize(
    "words", ["Kvisten", "Socialtilsyn", "Kvisten 20.01.2023", "budget 21. august 2023", "takster 2023-08-21"]
)
def test_decisions(app: Dasbot, tg: FakeTelegram, bot: RunningBot, people: dict, words: str) -> None:
    rows = cli_json(app, "decisions", *words.split())
    assert rows, words
    shown = [line.split(" (side ")[0] for line in listed(command(tg, people["member"], f"/beslutning {words}").plain)]
    assert shown == [
        f"{r['kind'].capitalize()} {day(r['meeting_date'])}, punkt {r['item']}: {r['item_title']}"
        for r in rows[: render.MAX_DECISIONS]
    ]


@pytest.mark.parametrize("topic", ["Socialtilsyn", "Kvisten", "takster"])
def test_timelines(app: Dasbot, tg: FakeTelegram, bot: RunningBot, people: dict, topic: str) -> None:
    entries = cli_json(app, "timeline", topic)
    assert entries, topic
    shown = listed(command(tg, people["member"], f"/tidslinje {topic}").plain)
    assert shown == [f"{day(e['meeting_date'])}, punkt {e['item']}: {e['item_title']}" for e in entries]


@pytest.mark.parametrize("when", ["21.08.2023", "20. januar 2023", "2021-08-23"])
def test_agendas(app: Dasbot, tg: FakeTelegram, bot: RunningBot, people: dict, when: str) -> None:
    [meeting] = cli_json(app, "meetings", when)
    agenda = command(tg, people["member"], f"/dagsorden {when}").plain
    items = [re.sub(r" \(\d+ bilag\)$", "", line) for line in agenda.split("\n\n", 1)[1].splitlines()]
    assert items == [f"{i['number']}. {i['title']}" for i in meeting["items"]]


@pytest.mark.parametrize(
    "question",
    ["hvad blev indstillet om Kvisten?", "hvad er taksten for Kvisten i 2021?", "hvem er formand for KKR Nordjylland?"],
)
def test_a_question_gets_the_same_first_passage(
    app: Dasbot, tg: FakeTelegram, bot: RunningBot, people: dict, question: str
) -> None:
    answer = cli_json(app, "ask", question)
    [*_, last] = ask(tg, people["member"], question)
    source = next(data for text, data in last.buttons if text == "Kilde [1]")
    assert keyboards.value(source) == answer["passages"][0]["chunk_id"]


@pytest.mark.parametrize(
    ("cli_args", "telegram"),
    [
        (["tariffs", "Kvisten", "2021", "2022"], "/takst Kvisten 2021 2022"),
        (["decisions", "Kvisten", "31.02.2023"], "/beslutning Kvisten 31.02.2023"),
    ],
)
def test_a_bad_value_gets_the_same_danish_line(
    app: Dasbot, tg: FakeTelegram, bot: RunningBot, people: dict, cli_args: list[str], telegram: str
) -> None:
    refused = CliRunner().invoke(cli, cli_args, obj=app, prog_name="dasbot")
    assert refused.exit_code == 2
    assert refused.stderr == f"dasbot: {command(tg, people['member'], telegram).plain}\n"
