"""A status message edited as work advances: stages at once, worker-thread progress at most every few seconds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from types import TracebackType
from typing import Self

from telegram import Message
from telegram.error import BadRequest, TelegramError

INTERVAL = 2.0

log = logging.getLogger(__name__)


class ProgressMessage:
    """Edits one message; never sends the text it already shows (Telegram refuses that edit). When the work in
    the `async with` fails, the message shows `failed` (when given), so it never stays at a stage."""

    def __init__(self, message: Message, shown: str, failed: str | None = None, interval: float = INTERVAL) -> None:
        self._message = message
        self._failed = failed
        self._shown = shown
        self._pending: str | None = None
        self._interval = interval
        self._lock = asyncio.Lock()
        self._ticker: asyncio.Task[None] | None = None

    async def show(self, html: str) -> None:
        """Show `html` now (Telegram saying the message shows it already is fine: an update handled again)."""
        async with self._lock:
            if html != self._shown:
                try:
                    await self._message.edit_text(html)
                except BadRequest as error:
                    if "not modified" not in error.message.lower():
                        raise
                self._shown = html

    def report(self, html: str) -> None:
        """Ask for `html` to be shown soon; safe to call from any thread."""
        self._pending = html

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            pending, self._pending = self._pending, None
            if pending is not None:
                try:
                    await self.show(pending)
                except TelegramError as error:
                    log.warning("could not update a progress message: %s", error)

    async def __aenter__(self) -> Self:
        self._ticker = asyncio.create_task(self._tick())
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        if isinstance(error, Exception) and self._failed is not None:
            try:
                await self.show(self._failed)
            except TelegramError as failure:
                log.warning("could not show that the work failed: %s", failure)
