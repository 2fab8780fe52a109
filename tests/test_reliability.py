"""Crashes and concurrency: a killed indexer loses nothing, one writer at a time, questions are answered while a
re-index runs, and `dasbot doctor` finds and repairs a FAISS file that disagrees with the database."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import pty
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import Session, select

from bot import cli
from bot.core import Dasbot
from bot.settings import PROJECT_ROOT, Settings
from indexer import ann
from indexer.embedding import Embedder
from indexer.indexer import Indexer
from indexer.lock import IndexBusy, index_lock, is_locked
from indexer.models import Chunk, Document
from tests.conftest import corpus_file
from tests.support.records import HashedEmbedder, agenda

# Two agendas cut short (~25 and ~12 chunks): long enough to kill mid-embedding, short enough to embed in seconds.
RECORDS = {"a-dagsorden.txt": ("003", 300), "b-dagsorden.txt": ("000", 150)}
QUESTIONS = [
    "central udmelding om gravide med rusmiddelproblematikker",
    "særligt dyre enkeltsager på det specialiserede voksenområde",
    "tegnsprog og punktskrift til børn med høretab",
]


@dataclass(frozen=True)
class Baseline:
    """An indexed store to copy, its answers, and the records rewritten with new bytes but the same text."""

    root: Path
    records: Path
    data: Path
    answers: list[list[tuple]]
    chunks: dict[str, int]
    old_sha: dict[str, str]
    new_sha: dict[str, str]


def fingerprint(store: Dasbot, question: str) -> list[tuple]:
    """An answer as the user sees it: each passage's citation, text and score (not its chunk id)."""
    answer = store.answerer.ask(question, k=3)
    return [(answer.abstained,)] + [
        (p.citation.source, p.citation.page, p.citation.item, p.citation.section, p.text, round(p.score, 4))
        for p in answer.passages
    ]


def answers(store: Dasbot) -> list[list[tuple]]:
    return [fingerprint(store, question) for question in QUESTIONS]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def chunk_count(session: Session, document_id: int | None) -> int:
    return len(session.exec(select(Chunk.id).where(Chunk.document_id == document_id)).all())


def open_store(data: Path, cache_dir: Path) -> Dasbot:
    store = Dasbot(Settings(data_dir=data, cache_dir=cache_dir), embedder=Embedder.load(None, cache_dir))
    return store


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Baseline:
    root = tmp_path_factory.mktemp("reliability")
    records = root / "records"
    records.mkdir()
    for name, (prefix, lines) in RECORDS.items():
        text = "\n".join(corpus_file(prefix).read_text(encoding="utf-8").splitlines()[:lines]) + "\n"
        (records / name).write_text(text, encoding="utf-8")
    store = open_store(root / "baseline", cache_dir)
    assert [r.status for r in store.index([records])] == ["indexed", "indexed"]
    with Session(store.engine) as session:
        rows = session.exec(select(Document.filename, Document.id)).all()
        chunks = {name: chunk_count(session, doc_id) for name, doc_id in rows}
    result = answers(store)
    store.engine.dispose()  # checkpoints the WAL: the folder can be copied as it is
    old = {path.name: sha(path) for path in records.iterdir()}
    for path in records.iterdir():  # new bytes, same text: a re-index replaces every chunk, answers stay
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    new = {path.name: sha(path) for path in records.iterdir()}
    return Baseline(root, records, root / "baseline", result, chunks, old, new)


def copy_of(baseline: Baseline, name: str) -> Path:
    target = baseline.root / name
    shutil.copytree(baseline.data, target)
    return target


# ---------------------------------------------------------------------------------------- kill -9


class IndexRun:
    """`dasbot index` in a subprocess whose stderr is a terminal (so it draws its progress bars, as for a person
    at the keyboard); what it writes there is collected by a thread."""

    def __init__(self, data: Path, cache_dir: Path, records: Path) -> None:
        env = dict(os.environ, DASBOT_DATA_DIR=str(data), DASBOT_CACHE_DIR=str(cache_dir))
        self.started = time.monotonic()
        self._terminal, child = pty.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # a terminal 120 columns wide
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "index", str(records)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=child,
        )
        os.close(child)
        self.stderr = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        with contextlib.suppress(OSError):  # the terminal reports EIO once the process has gone
            while chunk := os.read(self._terminal, 4096):
                self.stderr += chunk.decode("utf-8", "replace")
        os.close(self._terminal)

    def kill_when(self, moment: Callable[[], bool], timeout: float = 60.0) -> bool:
        """SIGKILL the indexer as soon as `moment()` holds; False when it finished first."""
        while time.monotonic() - self.started < timeout:
            if moment():
                self.proc.kill()
                self.proc.wait()
                self._reader.join(5)
                return True
            if self.proc.poll() is not None:
                self._reader.join(5)
                return False
            time.sleep(0.005)
        self.proc.kill()
        raise AssertionError(f"the moment never came; stderr:\n{self.stderr}")


def committed(data: Path, file_sha: str) -> Callable[[], bool]:
    """True once a document with `file_sha` is committed (read through a separate SQLite connection)."""
    connection = sqlite3.connect(data / "dasbot.sqlite3", check_same_thread=False)
    return lambda: connection.execute("SELECT 1 FROM document WHERE sha256 = ?", (file_sha,)).fetchone() is not None


def embedding(run: IndexRun, name: str) -> Callable[[], bool]:
    """True while the progress bar of `name` shows some but not all passages embedded."""
    bar = re.compile(rf"{re.escape(name)}:.*?\| *(\d+)/(\d+)")
    return lambda: any(int(done) < int(total) for done, total in bar.findall(run.stderr))


def test_kill_minus_9_at_any_moment_loses_nothing(baseline: Baseline, cache_dir: Path) -> None:
    ann_bytes = (baseline.data / "chunks.faiss").read_bytes()
    a_new = baseline.new_sha["a-dagsorden.txt"]
    moments: dict[str, Callable[[Path, IndexRun], Callable[[], bool]]] = {
        "after 1 s": lambda data, run: lambda: time.monotonic() - run.started > 1,
        "after 3 s": lambda data, run: lambda: time.monotonic() - run.started > 3,
        "while embedding": lambda data, run: embedding(run, "a-dagsorden.txt"),
        "right after a commit": lambda data, run: committed(data, a_new),
    }
    outcomes = {}
    for n, (label, moment) in enumerate(moments.items()):
        data = copy_of(baseline, f"kill-{n}")
        run = IndexRun(data, cache_dir, baseline.records)
        assert run.kill_when(moment(data, run)), f"{label}: the indexer finished before it could be killed"
        assert "Traceback" not in run.stderr
        store = open_store(data, cache_dir)
        assert not is_locked(store.indexer.lock_path), "the kernel drops the lock of a killed process"
        with Session(store.engine) as session:
            documents = session.exec(select(Document)).all()
            counts = {d.filename: chunk_count(session, d.id) for d in documents}
        assert sorted(d.filename for d in documents) == sorted(RECORDS), label
        for document in documents:  # each file whole, in its old or its new version
            assert document.sha256 in (baseline.old_sha[document.filename], baseline.new_sha[document.filename]), label
        assert counts == baseline.chunks, label
        new = sorted(d.filename for d in documents if d.sha256 == baseline.new_sha[d.filename])
        agreement = store.indexer.agreement()
        outcomes[label] = (new, agreement.ok)
        if not new:
            assert (data / "chunks.faiss").read_bytes() == ann_bytes, label
        if not agreement.ok:  # only a kill between a commit and its FAISS swap leaves FAISS behind
            assert label == "right after a commit" and new == ["a-dagsorden.txt"], (label, agreement)
        store.indexer.ensure_consistent()  # what the next run (or `dasbot doctor --repair`) does first
        assert store.indexer.agreement().ok, label
        assert not list(data.glob(".chunks.faiss.*.partial")), label
        assert answers(store) == baseline.answers, label
        store.engine.dispose()
    assert outcomes["after 1 s"][0] == outcomes["while embedding"][0] == []
    assert outcomes["right after a commit"][0] == ["a-dagsorden.txt"]

    # The next run goes on where the killed one stopped: the committed file is skipped, the other one done.
    store = open_store(baseline.root / f"kill-{len(moments) - 1}", cache_dir)
    reports = store.index([baseline.records])
    assert [(r.path, r.status) for r in reports] == [("a-dagsorden.txt", "unchanged"), ("b-dagsorden.txt", "replaced")]
    assert store.indexer.agreement().ok and answers(store) == baseline.answers


# ------------------------------------------------------------------------------------- concurrency


def test_questions_are_answered_from_the_old_index_until_the_new_one_is_in_place(
    baseline: Baseline,
    cache_dir: Path,
) -> None:
    store = open_store(copy_of(baseline, "concurrent"), cache_dir)
    old = fingerprint(store, QUESTIONS[0])
    changed = baseline.root / "changed"
    changed.mkdir()
    text = (baseline.records / "a-dagsorden.txt").read_text(encoding="utf-8")
    (changed / "a-dagsorden.txt").write_text(text.replace("gravide", "vordende mødre"), encoding="utf-8")

    reports: list = []
    writer = threading.Thread(target=lambda: reports.extend(store.index([changed])))
    seen = []
    writer.start()
    while writer.is_alive():
        seen.append(fingerprint(store, QUESTIONS[0]))
    writer.join()
    assert [r.status for r in reports] == ["replaced"]
    new = fingerprint(store, QUESTIONS[0])
    assert new != old and any("vordende mødre" in row[4] for row in new[1:])
    assert len(seen) >= 2 and seen[0] == old
    switched = next((i for i, answer in enumerate(seen) if answer != old), len(seen))
    assert all(answer == new for answer in seen[switched:]), "never a mix, never back to the old index"


# --------------------------------------------------------------------------------- one writer


@pytest.fixture()
def hashed_store(tmp_path: Path, cache_dir: Path) -> Dasbot:
    store = Dasbot(
        Settings(data_dir=tmp_path / "data", cache_dir=cache_dir),
        embedder=HashedEmbedder(Embedder.load(None, cache_dir)),
    )
    path = tmp_path / "dagsorden.txt"
    path.write_text(agenda(), encoding="utf-8")
    store.index([path])
    return store


def test_a_second_writer_waits_for_the_first(hashed_store: Dasbot, tmp_path: Path) -> None:
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with index_lock(hashed_store.indexer.lock_path, 0):
            held.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(5) and is_locked(hashed_store.indexer.lock_path)
    threading.Timer(0.5, release.set).start()
    started = time.monotonic()
    [report] = hashed_store.index([tmp_path / "dagsorden.txt"])
    assert report.status == "unchanged" and time.monotonic() - started >= 0.4
    holder.join()


def test_a_second_writer_gives_up_with_one_clear_line(
    hashed_store: Dasbot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = hashed_store.settings
    impatient = Indexer(hashed_store.engine, settings.ann_path, lambda: hashed_store.embedder, lock_timeout=0.3)
    with index_lock(impatient.lock_path, 0):
        with pytest.raises(IndexBusy) as busy:
            impatient.index([tmp_path / "dagsorden.txt"])
        assert busy.value.holder == os.getpid() and "\n" not in str(busy.value)

        monkeypatch.setenv("DASBOT_DATA_DIR", str(hashed_store.settings.data_dir))
        monkeypatch.setattr(
            Dasbot,
            "index",
            lambda self, paths, progress=None, force=False: impatient.index(paths, progress, force=force),
        )
        assert cli.main(["index", str(tmp_path / "dagsorden.txt")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    pid = os.getpid()
    assert err[-1] == f"dasbot: indekset skrives af en anden proces (pid {pid}); prøv igen, når den er færdig."


def test_the_lock_of_a_killed_writer_is_free(tmp_path: Path) -> None:
    lock = tmp_path / "index.lock"
    script = (
        "import sys, time\nfrom pathlib import Path\nfrom indexer.lock import index_lock\n"
        f"with index_lock(Path({str(lock)!r}), 0):\n    print('held', flush=True)\n    time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", script], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    assert is_locked(lock)
    holder.kill()
    holder.wait()
    assert lock.exists() and not is_locked(lock)
    with index_lock(lock, 0):
        assert is_locked(lock)


# ------------------------------------------------------------------------------------------- doctor


def doctor(
    store: Dasbot,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *args: str,
) -> tuple[int, str]:
    monkeypatch.setenv("DASBOT_DATA_DIR", str(store.settings.data_dir))
    monkeypatch.setenv("DASBOT_CACHE_DIR", str(store.settings.cache_dir))
    status = cli.main(["doctor", *args])
    return status, capsys.readouterr().out


def test_doctor_reports_a_healthy_store(hashed_store: Dasbot, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    status, out = doctor(hashed_store, monkeypatch, capsys)
    assert status == 0, out
    assert "Alt er i orden." in out and "FEJL" not in out
    assert re.search(r"FAISS\s+\d+ vektorer, de samme som i databasen", out)
    assert "konverteret og verificeret (384 dimensioner)" in out


def test_doctor_accepts_a_verified_model_not_converted_yet(
    hashed_store: Dasbot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DASBOT_DATA_DIR", str(hashed_store.settings.data_dir))
    monkeypatch.setenv("DASBOT_CACHE_DIR", str(tmp_path / "empty-cache"))
    assert cli.main(["doctor"]) == 0
    assert "ikke konverteret endnu; e5-small-q4.bin er verificeret" in capsys.readouterr().out


def _delete_a_chunk(store: Dasbot) -> None:
    with sqlite3.connect(store.settings.data_dir / "dasbot.sqlite3") as connection:
        connection.execute("DELETE FROM chunk WHERE id = (SELECT max(id) FROM chunk)")


def _change_a_vector(store: Dasbot) -> None:
    with sqlite3.connect(store.settings.data_dir / "dasbot.sqlite3") as connection:
        connection.execute("UPDATE chunk SET vector = zeroblob(length(vector)) WHERE id = (SELECT min(id) FROM chunk)")


def _junk_faiss(store: Dasbot) -> None:
    store.settings.ann_path.write_bytes(b"not a FAISS index")


def _no_faiss(store: Dasbot) -> None:
    store.settings.ann_path.unlink()


def _leftover(store: Dasbot) -> None:
    (store.settings.data_dir / ".chunks.faiss.12345.partial").write_bytes(b"half")


DAMAGE = {
    "unknown id": (_delete_a_chunk, "1 ukendte id'er"),
    "stale vector": (_change_a_vector, "1 forældede vektorer"),
    "junk file": (_junk_faiss, "filen kan ikke læses"),
    "missing file": (_no_faiss, "filen mangler"),
    "half-written file": (_leftover, "1 halvskrevne filer"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_doctor_finds_damage_and_repair_mends_it(
    hashed_store: Dasbot,
    monkeypatch: pytest.MonkeyPatch,
    capsys,
    damage: str,
) -> None:
    harm, symptom = DAMAGE[damage]
    harm(hashed_store)
    status, out = doctor(hashed_store, monkeypatch, capsys)
    assert status == 1 and symptom in out and "FEJL" in out, out
    status, out = doctor(hashed_store, monkeypatch, capsys, "--repair")
    assert status == 0 and "FAISS-indekset er genopbygget fra databasen" in out and "Alt er i orden." in out, out
    assert hashed_store.indexer.agreement().ok


def test_the_next_index_run_repairs_a_disagreeing_faiss_file(hashed_store: Dasbot, tmp_path: Path) -> None:
    _delete_a_chunk(hashed_store)
    assert not hashed_store.indexer.agreement().ok
    [report] = hashed_store.index([tmp_path / "dagsorden.txt"])
    assert report.status == "unchanged" and hashed_store.indexer.agreement().ok


def test_new_and_replaced_documents_update_the_faiss_file_in_place(
    hashed_store: Dasbot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A commit costs the chunks it changes: the FAISS file is updated, not rebuilt from every stored vector."""
    other = tmp_path / "andet-møde.txt"
    other.write_text(agenda(date="20.01.2023", committee="DAS Social", word="Kvisten"), encoding="utf-8")
    revised = tmp_path / "dagsorden.txt"
    revised.write_text(agenda(word="Torvevænget"), encoding="utf-8")  # same name: its old chunk ids are reused
    builds: list[int] = []
    real_build = ann.build

    def build(ids: np.ndarray, *args: object, **kwargs: object) -> object:
        builds.append(len(ids))
        return real_build(ids, *args, **kwargs)

    monkeypatch.setattr(ann, "build", build)
    reports = hashed_store.index([other, revised])
    assert [(r.path, r.status) for r in reports] == [("andet-møde.txt", "indexed"), ("dagsorden.txt", "replaced")]
    assert builds == [] and hashed_store.indexer.agreement().ok
    assert {hit.chunk.citation.source for hit in hashed_store.searcher.search("Torvevænget Kvisten", k=20)} == {
        "andet-møde.txt",
        "dagsorden.txt",
    }


class Killed(BaseException):
    """Stands in for SIGKILL inside the process: nothing after it runs."""


def test_a_crash_between_commit_and_faiss_swap_is_repaired(
    hashed_store: Dasbot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The one moment a kill leaves FAISS behind the database (between commit and rename), made deterministic."""
    path = tmp_path / "dagsorden.txt"
    path.write_text(agenda(word="Torvevænget"), encoding="utf-8")

    def killed(*args: object) -> None:
        raise Killed

    with monkeypatch.context() as patch:  # killed after the commit, before the rename
        patch.setattr("indexer.indexer.os.replace", killed)
        with pytest.raises(Killed):
            hashed_store.index([path])
    agreement = hashed_store.indexer.agreement()
    assert not agreement.ok and (agreement.stale or agreement.missing), agreement  # SQLite reused the chunk ids
    assert not is_locked(hashed_store.indexer.lock_path)
    status, out = doctor(hashed_store, monkeypatch, capsys)
    assert status == 1 and "stemmer ikke med databasen" in out
    [report] = hashed_store.index([path])
    assert report.status == "unchanged" and hashed_store.indexer.agreement().ok
    assert hashed_store.searcher.search("Torvevænget", k=1)[0].chunk.citation.source == "dagsorden.txt"
