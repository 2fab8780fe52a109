"""Settings from the environment: a bad value is one Danish line naming the variable and the value, exit 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.settings import PROJECT_ROOT, Settings, SettingsError

NO_ID = "er ikke et Telegram-id (hele tal adskilt af komma)"
BAD = [
    ("DASBOT_MEMBERS", "12, abc", f'DASBOT_MEMBERS: "abc" {NO_ID}'),
    ("DASBOT_MEMBERS", "1001;1002", f'DASBOT_MEMBERS: "1001;1002" {NO_ID}'),
    ("DASBOT_SECRETARIAT", "2001,\n2002\nx", f'DASBOT_SECRETARIAT: "2002\\nx" {NO_ID}'),  # one line, escaped
    (
        "TELEGRAM_API_BASE_URL",
        "http://localhost:8081/",
        'TELEGRAM_API_BASE_URL: "http://localhost:8081/" er ikke '
        "en http- eller https-URL, der ender på /bot eller indeholder {token}",
    ),
    (
        "TELEGRAM_API_BASE_FILE_URL",
        "http://localhost:8081/bot",
        'TELEGRAM_API_BASE_FILE_URL: "http://localhost:8081/bot" '
        "er ikke en http- eller https-URL, der ender på /file/bot eller indeholder {token}",
    ),
    ("DASBOT_GROUP_MEMBERS_ONLY", "ja", 'DASBOT_GROUP_MEMBERS_ONLY: "ja" er ikke 1 eller 0'),
    ("DASBOT_WEBHOOK_LISTEN", "localhost", 'DASBOT_WEBHOOK_LISTEN: "localhost" er ikke en IP-adresse (fx 127.0.0.1)'),
    ("DASBOT_WEBHOOK_SECRET", "to ord", 'DASBOT_WEBHOOK_SECRET: "…" er ikke 1-256 tegn af A-Z, a-z, 0-9, _ og -'),
    (
        "DASBOT_WEBHOOK_URL",
        "bot.example.org/hook",
        'DASBOT_WEBHOOK_URL: "bot.example.org/hook" er ikke en http- eller https-URL',
    ),
    (
        "DASBOT_WEBHOOK_URL",
        "https://bot.example.org:84x3/hook",
        'DASBOT_WEBHOOK_URL: "https://bot.example.org:84x3/hook" er ikke en http- eller https-URL',
    ),
    ("DASBOT_MAX_PAGES", "0", 'DASBOT_MAX_PAGES: "0" er ikke et helt tal over 0'),
    ("DASBOT_MAX_CHUNKS", "5.000", 'DASBOT_MAX_CHUNKS: "5.000" er ikke et helt tal over 0'),
    ("DASBOT_EXTRACT_SECONDS", "-1", 'DASBOT_EXTRACT_SECONDS: "-1" er ikke et helt tal over 0'),
    ("DASBOT_QUESTIONS_PER_MINUTE", "0", 'DASBOT_QUESTIONS_PER_MINUTE: "0" er ikke et helt tal over 0'),
    (
        "DASBOT_DATABASE_URL",
        "postgresql://dasbot:hemmeligt@db:port/dasbot",
        'DASBOT_DATABASE_URL: "postgresql://…@db:port/dasbot" er ikke en database-URL '  # no password shown
        "(fx sqlite:///sti/dasbot.sqlite3)",
    ),
]


@pytest.mark.parametrize(("variable", "value", "line"), BAD)
def test_a_bad_value_names_the_variable_and_the_value(variable: str, value: str, line: str) -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env({variable: value})
    assert str(error.value) == line


def test_good_values_are_read() -> None:
    settings = Settings.from_env(
        {
            "DASBOT_MEMBERS": " 1001, 1002 ,-100500,",
            "DASBOT_SECRETARIAT": "2001",
            "TELEGRAM_API_BASE_URL": "http://localhost:8081/bot",
            "TELEGRAM_API_BASE_FILE_URL": "https://api.telegram.org/file/bot{token}/test",
            "DASBOT_WEBHOOK_URL": "https://bot.example.org:8443/hook",
            "DASBOT_DATABASE_URL": "postgresql://dasbot:x@db/dasbot",
            "DASBOT_MAX_PAGES": "300",
            "DASBOT_MAX_CHARACTERS": " 400000 ",
            "DASBOT_MAX_CHUNKS": "900",
            "DASBOT_EXTRACT_SECONDS": "20",
            "DASBOT_EXTRACT_MEMORY_MB": "512",
            "DASBOT_GROUP_MEMBERS_ONLY": "1",
            "DASBOT_QUESTIONS_PER_MINUTE": "5",
            "DASBOT_WEBHOOK_LISTEN": "0.0.0.0",
            "DASBOT_WEBHOOK_SECRET": "abc_DEF-123",
        }
    )
    assert (settings.webhook_listen, settings.webhook_secret) == ("0.0.0.0", "abc_DEF-123")
    assert settings.group_members_only and settings.questions_per_minute == 5
    assert (settings.max_pages, settings.max_characters, settings.max_chunks) == (300, 400_000, 900)
    assert (settings.extract_seconds, settings.extract_memory_mb) == (20, 512)
    assert settings.members == {1001, 1002, -100500} and settings.secretariat == {2001}
    assert settings.telegram_base_url == "http://localhost:8081/bot" and settings.webhook_url.endswith("/hook")
    assert Settings.from_env({}) == Settings()


def test_the_faces_print_one_line_and_exit_2() -> None:
    code = "from bot.settings import load_settings_or_exit; load_settings_or_exit()"
    env = {"DASBOT_MEMBERS": "12, abc", "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=60
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == 'dasbot: DASBOT_MEMBERS: "abc" er ikke et Telegram-id (hele tal adskilt af komma)\n'
