"""The one typed settings object, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = PROJECT_ROOT / "corpus"


def _ids(value: str | None) -> frozenset[int]:
    """Comma-separated Telegram ids; blanks ignored."""
    return frozenset(int(part) for part in (value or "").replace(" ", "").split(",") if part)


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dasbot"


@dataclass(frozen=True)
class Settings:
    """Where the data lives, which model embeds, and who may talk to the bot."""

    data_dir: Path = Path("data")
    database_url: str | None = None
    cache_dir: Path = field(default_factory=_default_cache)
    embedding_model: str | None = None
    telegram_token: str | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    webhook_url: str | None = None
    members: frozenset[int] = frozenset()
    secretariat: frozenset[int] = frozenset()

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Settings from `env` (default: the process environment)."""
        env = dict(os.environ) if env is None else env
        defaults = cls()
        return cls(
            data_dir=Path(env.get("DASBOT_DATA_DIR") or defaults.data_dir),
            database_url=env.get("DASBOT_DATABASE_URL") or None,
            cache_dir=Path(env["DASBOT_CACHE_DIR"]) if env.get("DASBOT_CACHE_DIR") else defaults.cache_dir,
            embedding_model=env.get("DASBOT_EMBEDDING_MODEL") or None,
            telegram_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_base_url=env.get("TELEGRAM_API_BASE_URL") or defaults.telegram_base_url,
            telegram_base_file_url=env.get("TELEGRAM_API_BASE_FILE_URL") or defaults.telegram_base_file_url,
            webhook_url=env.get("DASBOT_WEBHOOK_URL") or None,
            members=_ids(env.get("DASBOT_MEMBERS")),
            secretariat=_ids(env.get("DASBOT_SECRETARIAT")),
        )

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL: DASBOT_DATABASE_URL, else SQLite in the data dir."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'dasbot.sqlite3').resolve()}"

    @property
    def ann_path(self) -> Path:
        """The FAISS file in the data dir."""
        return self.data_dir / "chunks.faiss"
