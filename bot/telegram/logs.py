"""Logging for the bot: quiet HTTP libraries, and the bot token redacted from every line."""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from telegram.error import InvalidToken

REDACTED = "<TOKEN>"


class RedactToken(logging.Filter):
    """Replaces the token in a record's message, traceback and stack before any handler formats it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        return True

    def _redact(self, text: str) -> str:
        return text.replace(self.token, REDACTED)


class DropRejectedToken(logging.Filter):
    """Drops python-telegram-bot's traceback for a rejected token: `serve` says it in one line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], InvalidToken))


def configure_logging(token: str) -> None:
    """httpx and httpcore at WARNING; the token filters on every root handler (a basic one when there is none)."""
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in root.handlers:
        if not any(isinstance(f, RedactToken) and f.token == token for f in handler.filters):
            handler.addFilter(RedactToken(token))
        if not any(isinstance(f, DropRejectedToken) for f in handler.filters):
            handler.addFilter(DropRejectedToken())


def _print_redacted(token: str, kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    """A traceback on stderr, the token replaced."""
    sys.stderr.write("".join(traceback.format_exception(kind, error, trace)).replace(token, REDACTED))


def redact_uncaught(token: str) -> None:
    """Tracebacks of uncaught errors (in the main thread and in any other) printed without the token."""
    sys.excepthook = lambda kind, error, trace: _print_redacted(token, kind, error, trace)
    threading.excepthook = lambda args: _print_redacted(token, args.exc_type, args.exc_value, args.exc_traceback)
