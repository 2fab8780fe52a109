"""The one typed settings object, read from the environment and checked at start-up."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from indexer.limits import DEFAULT_LIMITS, Limits

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = PROJECT_ROOT / "corpus"
_ID = re.compile(r"-?\d+")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}", re.ASCII)


class SettingsError(ValueError):
    """A setting with a bad value; the message is one Danish line naming the variable and the value (quoted,
    control characters escaped)."""

    def __init__(self, variable: str, value: str, expected: str) -> None:
        super().__init__(f"{variable}: {json.dumps(value, ensure_ascii=False)} er ikke {expected}")


def _ids(env: dict[str, str], variable: str) -> frozenset[int]:
    """Comma-separated Telegram ids (group chats' are negative); blanks ignored."""
    parts = [part.strip() for part in env.get(variable, "").split(",")]
    for part in parts:
        if part and not _ID.fullmatch(part):
            raise SettingsError(variable, part, "et Telegram-id (hele tal adskilt af komma)")
    return frozenset(int(part) for part in parts if part)


def _is_url(value: str) -> bool:
    """Whether `value` is an http or https URL with a host (and a port that is a number, when it names one)."""
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError for a port that is no number or out of range
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and port != 0


def _url(env: dict[str, str], variable: str) -> str | None:
    """An http or https URL; None when unset."""
    value = env.get(variable) or None
    if value is not None and not _is_url(value):
        raise SettingsError(variable, value, "en http- eller https-URL")
    return value


def _bot_api_url(env: dict[str, str], variable: str, ending: str) -> str | None:
    """A Bot API URL for python-telegram-bot: ending in `ending` (the token is appended) or holding `{token}`;
    None when unset."""
    value = env.get(variable) or None
    if value is not None and not (_is_url(value) and (urlsplit(value).path.endswith(ending) or "{token}" in value)):
        shape = f"en http- eller https-URL, der ender på {ending} eller indeholder {{token}}"
        raise SettingsError(variable, value, shape)
    return value


def _database_url(env: dict[str, str], variable: str) -> str | None:
    """A SQLAlchemy database URL; None when unset."""
    value = env.get(variable) or None
    if value is not None:
        try:
            make_url(value)
        except (ArgumentError, ValueError):  # no URL at all, or a port that is no number
            shown = re.sub(r"(?<=://)[^/]*@", "…@", value)  # no user name or password in the message
            raise SettingsError(variable, shown, "en database-URL (fx sqlite:///sti/dasbot.sqlite3)") from None
    return value


def _positive(env: dict[str, str], variable: str, default: int) -> int:
    """A whole number above zero; `default` when unset."""
    value = env.get(variable, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) == 0:
        raise SettingsError(variable, value, "et helt tal over 0")
    return int(value)


def _address(env: dict[str, str], variable: str, default: str) -> str:
    """An IP address to listen on; `default` when unset."""
    value = env.get(variable, "").strip() or default
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise SettingsError(variable, value, "en IP-adresse (fx 127.0.0.1)") from None
    return value


def _secret(env: dict[str, str], variable: str) -> str | None:
    """A webhook secret as Telegram takes it (1-256 of A-Z, a-z, 0-9, _ and -); None when unset."""
    value = env.get(variable) or None
    if value is not None and not _SECRET.fullmatch(value):
        raise SettingsError(variable, "…", "1-256 tegn af A-Z, a-z, 0-9, _ og -")  # the secret is never shown
    return value


def _flag(env: dict[str, str], variable: str) -> bool:
    """`1` for on, `0` or unset for off."""
    value = env.get(variable, "").strip()
    if value not in ("", "0", "1"):
        raise SettingsError(variable, value, "1 eller 0")
    return value == "1"


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
    webhook_listen: str = "127.0.0.1"
    """The address the webhook listens on (a proxy in front holds TLS)."""
    webhook_secret: str | None = None
    """The secret Telegram sends with each webhook request; a random one per start when unset."""
    members: frozenset[int] = frozenset()
    secretariat: frozenset[int] = frozenset()
    group_members_only: bool = False
    """In an allowed group, answer only users who are members themselves."""
    questions_per_minute: int = 20
    """Questions one Telegram user may ask a minute; more get a polite request to wait."""
    max_pages: int = DEFAULT_LIMITS.max_pages
    max_characters: int = DEFAULT_LIMITS.max_characters
    max_chunks: int = DEFAULT_LIMITS.max_chunks
    extract_seconds: int = DEFAULT_LIMITS.seconds
    extract_memory_mb: int = DEFAULT_LIMITS.memory_mb
    ocr_seconds: int = DEFAULT_LIMITS.ocr_seconds
    ocr_pages: int = DEFAULT_LIMITS.ocr_pages
    """What one file may cost to read (see `indexer.limits.Limits`)."""

    @property
    def limits(self) -> Limits:
        """The limits the indexer holds each file to."""
        return Limits(
            self.extract_seconds,
            self.extract_memory_mb,
            self.max_pages,
            self.max_characters,
            self.max_chunks,
            self.ocr_seconds,
            self.ocr_pages,
        )

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Settings from `env` (default: the process environment); SettingsError names the first bad value."""
        env = dict(os.environ) if env is None else env
        defaults = cls()
        return cls(
            data_dir=Path(env.get("DASBOT_DATA_DIR") or defaults.data_dir),
            database_url=_database_url(env, "DASBOT_DATABASE_URL"),
            cache_dir=Path(env["DASBOT_CACHE_DIR"]) if env.get("DASBOT_CACHE_DIR") else defaults.cache_dir,
            embedding_model=env.get("DASBOT_EMBEDDING_MODEL") or None,
            telegram_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_base_url=_bot_api_url(env, "TELEGRAM_API_BASE_URL", "/bot") or defaults.telegram_base_url,
            telegram_base_file_url=(
                _bot_api_url(env, "TELEGRAM_API_BASE_FILE_URL", "/file/bot") or defaults.telegram_base_file_url
            ),
            webhook_url=_url(env, "DASBOT_WEBHOOK_URL"),
            webhook_listen=_address(env, "DASBOT_WEBHOOK_LISTEN", defaults.webhook_listen),
            webhook_secret=_secret(env, "DASBOT_WEBHOOK_SECRET"),
            members=_ids(env, "DASBOT_MEMBERS"),
            secretariat=_ids(env, "DASBOT_SECRETARIAT"),
            group_members_only=_flag(env, "DASBOT_GROUP_MEMBERS_ONLY"),
            questions_per_minute=_positive(env, "DASBOT_QUESTIONS_PER_MINUTE", defaults.questions_per_minute),
            max_pages=_positive(env, "DASBOT_MAX_PAGES", defaults.max_pages),
            max_characters=_positive(env, "DASBOT_MAX_CHARACTERS", defaults.max_characters),
            max_chunks=_positive(env, "DASBOT_MAX_CHUNKS", defaults.max_chunks),
            extract_seconds=_positive(env, "DASBOT_EXTRACT_SECONDS", defaults.extract_seconds),
            extract_memory_mb=_positive(env, "DASBOT_EXTRACT_MEMORY_MB", defaults.extract_memory_mb),
            ocr_seconds=_positive(env, "DASBOT_OCR_SECONDS", defaults.ocr_seconds),
            ocr_pages=_positive(env, "DASBOT_OCR_PAGES", defaults.ocr_pages),
        )

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL: DASBOT_DATABASE_URL, else SQLite in the data dir."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'dasbot.sqlite3').resolve()}"

    @property
    def ann_path(self) -> Path:
        """The FAISS file in the data dir."""
        return self.data_dir / "chunks.faiss"

    @property
    def uploads_dir(self) -> Path:
        """Where records uploaded in the chat are kept, under unique names: `<data_dir>/uploads`."""
        return self.data_dir / "uploads"


def load_settings_or_exit() -> Settings:
    """The settings from the environment; on a bad value, its one Danish line on stderr and exit status 2."""
    try:
        return Settings.from_env()
    except SettingsError as error:
        print(f"dasbot: {error}", file=sys.stderr)
        raise SystemExit(2) from None
