"""Shared fixtures: the bundled records as lines, and one indexed store per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import Dasbot
from bot.settings import BUNDLED_CORPUS, Settings
from indexer.clean import page_lines
from indexer.document import Line

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
def app(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Dasbot:
    """A store with the bundled corpus indexed once per session (the real embedding model)."""
    dasbot = Dasbot(Settings(data_dir=tmp_path_factory.mktemp("data"), cache_dir=cache_dir))
    dasbot.index()
    return dasbot
