"""Shared fixtures: the bundled records as lines, one indexed store per test session, and the Telegram bot over it
against a fake Bot API server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.core import Dasbot
from bot.settings import BUNDLED_CORPUS, Settings
from indexer.clean import page_lines
from indexer.document import Line
from indexer.embedding import Embedder
from tests.support.fake_telegram import FakeTelegram
from tests.support.records import HashedEmbedder
from tests.support.telegram import (
    GROUP,
    MEMBER,
    OTHER_MEMBER,
    SECRETARY,
    STRANGE_GROUP,
    STRANGER,
    RunningBot,
    telegram_core,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"


def corpus_file(prefix: str) -> Path:
    """The bundled corpus file whose name starts with `prefix` (e.g. "000")."""
    return next(BUNDLED_CORPUS.glob(f"{prefix}_*.txt"))


def corpus_lines(prefix: str) -> list[Line]:
    """The cleaned, non-blank lines of a bundled corpus file."""
    return page_lines([(None, corpus_file(prefix).read_text(encoding="utf-8"))])


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not present")
    return path


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    """The model cache every data dir shares (DASBOT_CACHE_DIR, else the user's cache): converted once."""
    return Settings.from_env().cache_dir


@pytest.fixture(scope="session")
def hashed(cache_dir: Path) -> HashedEmbedder:
    """The real model's token counting with vectors hashed from the text: indexing without the model's cost."""
    return HashedEmbedder(Embedder.load(None, cache_dir))


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Dasbot:
    """A store with the bundled corpus indexed once per session (the real embedding model)."""
    dasbot = Dasbot(Settings(data_dir=tmp_path_factory.mktemp("data"), cache_dir=cache_dir))
    dasbot.index()
    return dasbot


@pytest.fixture()
def tg() -> Iterator[FakeTelegram]:
    """A fake Bot API server of its own."""
    with FakeTelegram() as server:
        yield server


@pytest.fixture()
def people(tg: FakeTelegram) -> dict[str, dict[str, Any]]:
    """The users and group chats of the tests, known to the server."""
    return {
        "member": tg.user(MEMBER, "Mette"),
        "other": tg.user(OTHER_MEMBER, "Ole"),
        "secretary": tg.user(SECRETARY, "Sara"),
        "stranger": tg.user(STRANGER, "Søren"),
        "group": tg.group(GROUP, "DAS Social"),
        "strange_group": tg.group(STRANGE_GROUP, "Andet"),
    }


@pytest.fixture()
def bot(app: Dasbot, tg: FakeTelegram, people: dict[str, dict[str, Any]]) -> Iterator[RunningBot]:
    """The bot over the session's indexed corpus."""
    with RunningBot(telegram_core(app, tg)) as running:
        yield running
