"""Exactly once over the Bot API: no update lost to a crash, none handled twice, no message sent twice.

Telegram forgets an update once the bot confirms it. python-telegram-bot confirms with its next getUpdates
call, issued as soon as the update is queued (a webhook confirms by answering 200), long before the update
is answered; a graceful stop answers every queued update and confirms it with a last getUpdates, but a
`kill -9` (or a crash) while answering loses the question. So:

- every update is written to the journal (`<data_dir>/telegram.sqlite3`, per bot) before it is queued, and
  so before Telegram is told it arrived; an update the journal already knows (Telegram delivering again
  what was not confirmed before a crash) is dropped;
- an update is marked finished once its handling ended (its error handler included); at start-up the
  updates received but not finished are handled again, before new ones, at most MAX_ATTEMPTS times in all;
- while an update is handled, every message sent (sendMessage, sendDocument) and every button answered
  (answerCallbackQuery) is journaled with its result, so handling the update again skips what already went
  out and sends the rest;
- a request that never reached Telegram (no connection, or not fully written) is sent again after a pause,
  for about a minute and a half; after that the update stays unfinished and is handled at the next start.
  A request that reached Telegram but whose response was lost (connection dropped, read timeout) is not
  sent again: Telegram has most likely acted on it, and the Bot API has no idempotency key.

The windows left open, each a few milliseconds or a lost response:
- a kill after Telegram accepted a message and before the journal recorded it: that message is sent again
  when the update is handled again;
- a response lost on a request Telegram did not in fact act on: `handlers.send_html` takes that part of an
  answer as delivered, so it is missing (the other parts arrive);
- a kill after the update's last message and before it was marked finished: its messages are journaled, so
  nothing is sent again, but edits (progress messages) and re-indexing an upload are repeated.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import sqlite3
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from telegram import InputFile, TelegramObject, Update
from telegram.error import NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseRateLimiter,
    SimpleUpdateProcessor,
)

MAX_ATTEMPTS = 3
"""Times an update is handled before it is given up (a question that crashes the bot must not do so for ever)."""
KEEP_FINISHED = 48 * 3600
"""Seconds a finished update is remembered; Telegram delivers an unconfirmed update again for 24 hours."""
BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 30.0)
"""Pauses before sending again a request that never reached Telegram."""
ONE_SHOT = frozenset({"sendMessage", "sendDocument", "answerCallbackQuery"})
"""Requests whose repetition the user would notice."""
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout)
_RESPONSE_LOST = (httpx.ReadError, httpx.ReadTimeout, httpx.RemoteProtocolError)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS received (
    bot TEXT NOT NULL, update_id INTEGER NOT NULL, payload TEXT NOT NULL, received_at REAL NOT NULL,
    attempts INTEGER NOT NULL, finished INTEGER NOT NULL, PRIMARY KEY (bot, update_id));
CREATE TABLE IF NOT EXISTS sent (
    bot TEXT NOT NULL, update_id INTEGER NOT NULL, request TEXT NOT NULL, result TEXT NOT NULL,
    PRIMARY KEY (bot, update_id, request));
"""

log = logging.getLogger(__name__)


def never_sent(error: TelegramError) -> bool:
    """True when the request never reached Telegram: sending it again cannot make a duplicate."""
    return isinstance(error.__cause__, _NEVER_SENT)


def response_lost(error: TelegramError) -> bool:
    """True when the request was sent but its response lost: Telegram may or may not have acted on it."""
    return isinstance(error.__cause__, _RESPONSE_LOST)


def journal_path(data_dir: Path) -> Path:
    """The journal's SQLite file in the data dir."""
    return data_dir / "telegram.sqlite3"


class Journal:
    """The updates one bot received and the one-shot requests made while handling them, in a SQLite file
    (a connection per call: safe from any thread; every commit is synced to disk)."""

    def __init__(self, path: Path, token: str) -> None:
        self.path = path
        self.bot = token.partition(":")[0]  # the bot's id, never the secret
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA synchronous=FULL")
            with db:
                yield db
        finally:
            db.close()

    def receive(self, update: Update) -> bool:
        """Record a new update as unfinished; False when the journal knows it already."""
        with self._connect() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO received VALUES (?, ?, ?, ?, 1, 0)",
                (self.bot, update.update_id, update.to_json(), time.time()),
            )
            return cursor.rowcount == 1

    def finish(self, update_id: int) -> None:
        """Mark an update handled (what it sent need not be remembered any more); forget the updates finished
        more than KEEP_FINISHED ago."""
        with self._connect() as db:
            db.execute(
                "UPDATE received SET finished = 1, payload = '' WHERE bot = ? AND update_id = ?", (self.bot, update_id)
            )
            db.execute("DELETE FROM sent WHERE bot = ? AND update_id = ?", (self.bot, update_id))
            db.execute(
                "DELETE FROM received WHERE bot = ? AND finished = 1 AND received_at < ?",
                (self.bot, time.time() - KEEP_FINISHED),
            )

    def unfinished(self) -> list[dict[str, Any]]:
        """The updates received but not finished, oldest first, each counted as one more attempt; those tried
        MAX_ATTEMPTS times are given up."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT update_id, payload, attempts FROM received WHERE bot = ? AND finished = 0 ORDER BY update_id",
                (self.bot,),
            ).fetchall()
            again = []
            for update_id, payload, attempts in rows:
                if attempts >= MAX_ATTEMPTS:
                    log.error("update %s was handled %d times without finishing; given up", update_id, attempts)
                    db.execute(
                        "UPDATE received SET finished = 1, payload = '' WHERE bot = ? AND update_id = ?",
                        (self.bot, update_id),
                    )
                    continue
                db.execute(
                    "UPDATE received SET attempts = attempts + 1 WHERE bot = ? AND update_id = ?", (self.bot, update_id)
                )
                again.append(json.loads(payload))
        return again

    def sent(self, update_id: int, request: str) -> str | None:
        """The JSON result of a one-shot request made while handling the update before, or None."""
        with self._connect() as db:
            row = db.execute(
                "SELECT result FROM sent WHERE bot = ? AND update_id = ? AND request = ?",
                (self.bot, update_id, request),
            ).fetchone()
        return row[0] if row else None

    def record(self, update_id: int, request: str, result: Any) -> None:
        """Remember the result of a one-shot request made while handling the update."""
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO sent VALUES (?, ?, ?, ?)", (self.bot, update_id, request, json.dumps(result))
            )


def _plain(value: Any) -> Any:
    """A request parameter as JSON-able data (a file by its name and digest)."""
    if isinstance(value, TelegramObject):
        return value.to_dict()
    if isinstance(value, InputFile):
        return {"file": value.filename, "sha256": hashlib.sha256(value.input_file_content).hexdigest()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@dataclass
class Handling:
    """The update the current task handles: the one-shot requests made so far, and whether one never got out."""

    update_id: int
    made: Counter[str] = field(default_factory=Counter)
    unsent: bool = False

    def request_key(self, endpoint: str, data: dict[str, Any]) -> str:
        """The request's key in the journal: its digest, numbered when the update makes it more than once."""
        plain = json.dumps([endpoint, {k: _plain(v) for k, v in data.items()}], sort_keys=True, default=str)
        digest = hashlib.sha256(plain.encode()).hexdigest()
        self.made[digest] += 1
        return f"{digest}#{self.made[digest]}"


_HANDLING: ContextVar[Handling | None] = ContextVar("handling", default=None)


class JournalQueue(asyncio.Queue[object]):
    """The update queue: an update is journaled before it is queued, and dropped when the journal knows it."""

    def __init__(self, journal: Journal) -> None:
        super().__init__()
        self.journal = journal

    async def put(self, item: object) -> None:
        """Queue `item`; an update only when it is new to the journal."""
        if isinstance(item, Update) and not await asyncio.to_thread(self.journal.receive, item):
            log.info("update %s was received before; not handled again", item.update_id)
            return
        await super().put(item)


class JournaledUpdates(SimpleUpdateProcessor):
    """Handles updates concurrently, each in its own task, and marks each finished in the journal."""

    def __init__(self, journal: Journal, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self.journal = journal

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle the update with its requests journaled; finished unless a request never reached Telegram."""
        if not isinstance(update, Update):
            await coroutine
            return
        handling = Handling(update.update_id)
        token = _HANDLING.set(handling)
        try:
            await coroutine
        finally:
            _HANDLING.reset(token)
        if handling.unsent:
            log.warning(
                "update %s was not fully answered: Telegram could not be reached; it is handled again at "
                "the next start",
                update.update_id,
            )
            return
        await asyncio.to_thread(self.journal.finish, update.update_id)


class Delivery(BaseRateLimiter[int]):
    """Every request but getUpdates: flood control by AIORateLimiter (RetryAfter honoured); a request that
    never reached Telegram sent again after a pause; a one-shot request made while handling an update
    journaled, and not made again when the update is handled again."""

    def __init__(self, journal: Journal, flood: AIORateLimiter, backoff: Sequence[float] = BACKOFF) -> None:
        self.journal = journal
        self.flood = flood
        self.backoff = backoff

    async def initialize(self) -> None:
        """Start the flood control."""
        await self.flood.initialize()

    async def shutdown(self) -> None:
        """Stop the flood control."""
        await self.flood.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Make the request once, as far as Telegram can tell."""
        handling = _HANDLING.get()
        if handling is None or endpoint not in ONE_SHOT:
            return await self._reach(handling, callback, args, kwargs, endpoint, data, rate_limit_args)
        key = handling.request_key(endpoint, data)
        earlier = await asyncio.to_thread(self.journal.sent, handling.update_id, key)
        if earlier is not None:
            log.info("%s for update %s was made before a restart; not made again", endpoint, handling.update_id)
            return json.loads(earlier)
        result = await self._reach(handling, callback, args, kwargs, endpoint, data, rate_limit_args)
        await asyncio.to_thread(self.journal.record, handling.update_id, key, result)
        return result

    async def _reach(
        self,
        handling: Handling | None,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """The request through the flood control, sent again while it never reaches Telegram."""
        pauses = iter(self.backoff)
        while True:
            try:
                return await self.flood.process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as error:
                if not never_sent(error):
                    raise
                pause = next(pauses, None)
                if pause is None:
                    if handling is not None:
                        handling.unsent = True
                    raise
                log.warning("could not reach Telegram for %s (%s); trying again in %g s", endpoint, error, pause)
                await asyncio.sleep(pause)


async def replay(application: Application, journal: Journal) -> None:
    """Queue, ahead of new updates, those received before the last stop and never finished."""
    for payload in await asyncio.to_thread(journal.unfinished):
        update = Update.de_json(payload, application.bot)
        log.warning("handling update %s again: it was received before the last stop and not finished", update.update_id)
        application.update_queue.put_nowait(update)
