"""The CLI contract other tools rely on: JSON only on stdout, one object per line in stdin mode."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys

from bot.core import Dasbot


def run_cli(app: Dasbot, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DASBOT_DATA_DIR=str(app.settings.data_dir), DASBOT_CACHE_DIR=str(app.settings.cache_dir))
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True, env=env, timeout=300
    )


def test_ask_stdin_mode_prints_one_json_object_per_line(app: Dasbot) -> None:
    result = run_cli(app, "ask", "--json", "-k", "3", stdin="hvad blev indstillet om Kvisten?\n\nhvem er formand for KKR Nordjylland?\n")
    assert result.returncode == 0, result.stderr
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
    result = run_cli(app, "meetings", "--json")
    assert result.returncode == 0, result.stderr
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


def test_unreadable_file_gives_one_line_and_exit_1(app: Dasbot, tmp_path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_text("this is not a PDF")
    result = run_cli(app, "index", str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "broken.pdf" in result.stderr


def test_a_reader_that_stops_early_is_not_an_error(app: Dasbot) -> None:
    env = dict(os.environ, DASBOT_DATA_DIR=str(app.settings.data_dir), DASBOT_CACHE_DIR=str(app.settings.cache_dir))
    with subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "tariffs"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        # A one-page pipe (set while the child still imports): ~40 kB of tariffs cannot all be written before
        # the reader leaves, as `dasbot tariffs | head -1` would.
        fcntl.fcntl(proc.stdout.fileno(), fcntl.F_SETPIPE_SZ, 4096)
        assert proc.stdout.readline()
        proc.stdout.close()
        stderr = proc.stderr.read()
    assert (proc.returncode, stderr.decode()) == (0, "")
