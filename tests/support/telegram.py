"""The Telegram face under test: the bot run as `dasbot serve` runs it against the fake Bot API server, and
how a test talks to it (shared by the Telegram and face-parity tests)."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import replace
from typing import Any, Self

from bot.core import Dasbot
from bot.telegram.app import build_application, run
from tests.support.fake_telegram import BOT_USER, Call, FakeTelegram

MEMBER, OTHER_MEMBER, SECRETARY, STRANGER = 1001, 1002, 2001, 3001
GROUP, STRANGE_GROUP = -100500, -100600
MENTION = f"@{BOT_USER['username']}"


class RunningBot:
    """The bot as `dasbot serve` runs it (build_application, then run with long polling), in its own thread."""

    def __init__(self, core: Dasbot) -> None:
        self.core = core
        self.application = build_application(core)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="bot", daemon=True)
        self.stopping = False

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        run(self.application, self.core, stop_signals=None)

    def __enter__(self) -> Self:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not (self.application.running and self.application.updater.running):
            assert self.thread.is_alive() and time.monotonic() < deadline, "the bot did not start"
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Stop as a stop signal does (without waiting): no more updates fetched, those received answered."""
        self.stopping = True
        self.loop.call_soon_threadsafe(self.application.stop_running)

    def __exit__(self, *exc: object) -> None:
        if not self.stopping:
            self.stop()
        self.thread.join(timeout=60)
        assert not self.thread.is_alive(), "the bot did not stop"


def telegram_core(store: Dasbot, tg: FakeTelegram, **settings: Any) -> Dasbot:
    """A core over `store` (same data dir, model and searcher) with the Telegram settings of the tests."""
    core = Dasbot(
        replace(
            store.settings,
            telegram_token=tg.token,
            telegram_base_url=tg.base_url,
            telegram_base_file_url=tg.base_file_url,
            members=frozenset({MEMBER, OTHER_MEMBER, GROUP}),
            secretariat=frozenset({SECRETARY}),
            **settings,
        ),
        engine=store.engine,
        embedder=store.embedder,
    )
    return core


def sent(call: Call, chat_id: int) -> bool:
    return call.method == "sendMessage" and call.chat_id == chat_id


def answer_of(tg: FakeTelegram, mark: int, chat_id: int) -> list[Call]:
    """The messages of an answer, once its last one (the one with the buttons) has arrived."""
    tg.wait(lambda c: sent(c, chat_id) and bool(c.buttons), since=mark)
    return tg.since(mark, "sendMessage", chat_id)


def ask(tg: FakeTelegram, user: dict[str, Any], text: str) -> list[Call]:
    mark = tg.mark()
    tg.send(user, text)
    return answer_of(tg, mark, user["id"])


def command(tg: FakeTelegram, user: dict[str, Any], text: str, chat: dict[str, Any] | None = None) -> Call:
    """Send a command; the bot's first message in reply."""
    mark = tg.mark()
    tg.send(user, text, chat)
    return tg.wait(lambda c: sent(c, (chat or user)["id"]), since=mark)[0]
