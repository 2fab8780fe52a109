"""The `dasbot` command line, in process with click's CliRunner: the JSON contract other tools rely on (JSON only
on stdout, one object per line in stdin mode), Danish help and refusals, and a `--help` that loads nothing heavy."""

from __future__ import annotations

import fcntl
import io
import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli
from bot.core import Dasbot
from bot.render.progress import EmbeddingBars
from bot.settings import PROJECT_ROOT, Settings

HEAVY = ("torch", "transformers", "sentence_transformers", "faiss", "sqlalchemy")
"""What `dasbot --help` must not import (it answered in 1.2 s when it did)."""


def invoke(app: Dasbot | None, *args: str, stdin: str | None = None, **env: str) -> Result:
    """`dasbot ARGS` in process, over `app` (None: a core made from the environment, as the console script does)."""
    return CliRunner().invoke(cli, list(args), input=stdin, obj=app, env=env, prog_name="dasbot")


def test_ask_stdin_mode_prints_one_json_object_per_line(app: Dasbot) -> None:
    stdin = "hvad blev indstillet om Kvisten?\n\nhvem er formand for KKR Nordjylland?\n"
    result = invoke(app, "ask", "--json", "-k", "3", stdin=stdin)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    answers = [json.loads(line) for line in lines]
    assert answers[0]["question"] == "hvad blev indstillet om Kvisten?"
    for answer in answers:
        assert isinstance(answer["abstained"], bool)
        for passage in answer["passages"]:
            assert isinstance(passage["rank"], int)
            assert passage["item"] is None or isinstance(passage["item"], int)
            assert passage["meeting_date"] is None or len(passage["meeting_date"]) == 10


def test_meetings_json(app: Dasbot) -> None:
    result = invoke(app, "meetings", "--json")
    assert result.exit_code == 0, result.output
    meetings = json.loads(result.stdout)
    assert [m["date"] for m in meetings] == ["2021-08-23", "2023-01-20", "2023-03-31", "2023-08-21"]
    assert sum(len(m["items"]) for m in meetings) == 58
    item7 = meetings[2]["items"][6]
    assert item7 == {
        "number": 7,
        "title": "Orienteringspunkt vedr. reviderede takster 2023",
        "case_number": None,
        "page": None,
        "appendices": ["Aalborg Kommune JV - synliggørelse af ændringer"],
    }
    for day in ("21.08.2023", "21. august 2023", "2023-08-21"):
        assert json.loads(invoke(app, "meetings", day, "--json").stdout) == [meetings[3]]


def test_tariffs_reads_a_year_written_among_the_words(app: Dasbot) -> None:
    """`dasbot tariffs Kvisten 2021` finds what `--year 2021` finds (it found nothing when "2021" was a keyword)."""
    among = invoke(app, "tariffs", "Kvisten", "2021", "--json")
    assert among.exit_code == 0, among.output
    rows = json.loads(among.stdout)
    assert rows and all(row["year"] == 2021 and "Kvisten" in row["offer"] for row in rows)
    assert {(r["offer"], r["amount_dkk"], r["meeting_date"]) for r in rows} >= {("Kvisten", 119, "2021-08-23")}
    assert among.stdout == invoke(app, "tariffs", "Kvisten", "--year", "2021", "--json").stdout
    assert "119 kr. pr. døgn" in invoke(app, "tariffs", "Kvisten", "2021").stdout


def test_unreadable_file_gives_one_line_and_exit_1(app: Dasbot, tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_text("this is not a PDF")
    result = invoke(app, "index", str(bad))
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == "broken.pdf er ikke indekseret: filen er ikke en gyldig PDF."


def test_index_in_a_pipe_draws_no_bars_and_ends_with_a_summary(app: Dasbot, tmp_path: Path) -> None:
    record = tmp_path / "dagsorden.txt"
    record.write_text(" Mødet den 04.12.2012 DAS Social\n\nÅben\n\nPunkt 1.\n\nKvisten\n\nResume\n\nOm Kvisten.\n")
    store = Dasbot(Settings(data_dir=tmp_path / "data", cache_dir=app.settings.cache_dir), embedder=app.embedder)
    result = invoke(store, "index", str(record))
    assert result.exit_code == 0, result.output
    assert "\r" not in result.stderr and result.stdout == ""
    assert result.stderr.splitlines()[-1] == "1 fil: 1 indekseret, 0 erstattet, 0 uændret, 0 fejlet; 1 nyt tekststykke"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("stream", "drawn"), [(Terminal(), True), (io.StringIO(), False)])
def test_embedding_bars_are_drawn_on_a_terminal_only(
    stream: io.StringIO, drawn: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stderr", stream)
    with EmbeddingBars() as bars:
        for done in (16, 32, 40):
            bars("dagsorden.pdf", done, 40)
        bars("referat.pdf", 3, 3)
    output = stream.getvalue()
    assert ("dagsorden.pdf" in output and "/40" in output and "referat.pdf" in output) is drawn
    assert (output == "") is not drawn


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["ask", "--from", "2023-13-45", "hvad koster Kvisten?"],
            'Ugyldig dato: "2023-13-45" (skriv fx 21.08.2023 eller 2023-08-21)',
        ),
        (["ask", "-k", "0", "hvad koster Kvisten?"], 'Ugyldigt antal: "0" (skriv et helt tal fra 1)'),
        (["chat", "-k", "tre"], 'Ugyldigt antal: "tre" (skriv et helt tal fra 1)'),
        (["decisions", "Kvisten", "--to", "i går"], 'Ugyldig dato: "i går" (skriv fx 21.08.2023 eller 2023-08-21)'),
        (
            ["decisions", "--from", "21.08.2023", "--to", "20.01.2023"],
            "Fra-datoen 21.08.2023 ligger efter til-datoen 20.01.2023",
        ),
        (["tariffs", "Kvisten", "2021", "--year", "2022"], "Skriv kun ét år, ikke 2021 og 2022"),
        (["meetings", "31.02.2023"], 'Ugyldig dato: "31.02.2023" (skriv fx 21.08.2023 eller 2023-08-21)'),
        (["eval", "findes-ikke.jsonl"], "Filen findes ikke: findes-ikke.jsonl"),
        (["ask", "--jsn"], "ukendt tilvalg --jsn (mente du --json?); se dasbot ask --help"),
        (
            ["eval", "--mode", "bm52"],
            "ugyldig værdi for '--mode' (vælg hybrid, bm25 eller dense); se dasbot eval --help",
        ),
        (["timeline"], "mangler 'EMNE...'; se dasbot timeline --help"),
        (["tarifs"], "ukendt kommando tarifs (mente du tariffs?); se dasbot --help"),
    ],
)
def test_a_bad_value_is_one_danish_line_and_exit_2_before_any_work(args: list[str], line: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = invoke(None, *args, DASBOT_DATA_DIR=str(data))
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"dasbot: {line}\n")
    assert not data.exists()  # nothing indexed, no store made, no model loaded


def test_help_is_danish_and_names_every_setting() -> None:
    """Every command and option explained in Danish; every environment variable the settings read is listed."""
    result = invoke(None, "--help")
    assert result.exit_code == 0
    read = set(re.findall(r'"((?:DASBOT|TELEGRAM)_[A-Z_]+)"', (PROJECT_ROOT / "bot" / "settings.py").read_text()))
    assert read and {name for name in read if name not in result.stdout} == set()
    assert "_DASBOT_COMPLETE=bash_source dasbot" in result.stdout
    for name, command in cli.commands.items():
        assert command.help and all(param.help for param in command.params), name
        page = invoke(None, name, "--help").stdout
        assert page.startswith(f"Brug: dasbot {name} [TILVALG]") and "Vis denne hjælp og afslut." in page, page
        assert not re.search(r"Usage|Options|Show this|\[default", page), page


def test_version() -> None:
    assert invoke(None, "--version").stdout == f"dasbot {version('dasbot')}\n"


def test_shell_completion_knows_the_commands_and_choices() -> None:
    assert "_dasbot_completion" in invoke(None, _DASBOT_COMPLETE="bash_source").stdout
    words = invoke(None, _DASBOT_COMPLETE="bash_complete", COMP_WORDS="dasbot eval --mode ", COMP_CWORD="3").stdout
    assert words.split() == ["plain,hybrid", "plain,bm25", "plain,dense"]


def test_help_and_version_load_nothing_heavy() -> None:
    """In a fresh process, as the console script runs: `python -m bot`, and `bot.cli` imported."""
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    for args in (["--version"], ["--help"], ["ask", "--help"]):
        result = subprocess.run(
            [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env, timeout=60
        )
        assert result.returncode == 0 and result.stdout.startswith(("dasbot ", "Brug: dasbot")), result.stderr
    script = "import sys, bot.cli\nprint(*sorted(m for m in sys.argv[1:] if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", script, *HEAVY], capture_output=True, text=True, env=env, timeout=60)
    assert (result.returncode, result.stdout) == (0, "\n"), result.stderr


def test_a_reader_that_stops_early_is_not_an_error(app: Dasbot) -> None:
    """The console script in a pipe: `dasbot tariffs | head -1` leaves quietly, with status 0."""
    env = dict(os.environ, DASBOT_DATA_DIR=str(app.settings.data_dir), DASBOT_CACHE_DIR=str(app.settings.cache_dir))
    with subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "tariffs"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        # A one-page pipe (set while the child still imports): ~40 kB of tariffs cannot all be written before
        # the reader leaves, as `dasbot tariffs | head -1` would.
        fcntl.fcntl(proc.stdout.fileno(), fcntl.F_SETPIPE_SZ, 4096)
        assert proc.stdout.readline()
        proc.stdout.close()
        stderr = proc.stderr.read()
    assert (proc.returncode, stderr.decode()) == (0, "")
