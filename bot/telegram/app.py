"""The Telegram application: one composition of handlers over the core; long polling, or a webhook."""

from __future__ import annotations

import logging
import secrets
import signal
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core import Dasbot
from bot.settings import Settings
from bot.telegram import followups, handlers, keyboards, subscriptions
from bot.telegram.access import ADDRESSED
from bot.telegram.delivery import (
    Delivery,
    Journal,
    JournaledUpdates,
    JournalQueue,
    journal_path,
    replay,
)
from bot.telegram.handlers import BotContext
from bot.telegram.indexing import Indexing
from bot.telegram.logs import configure_logging, redact_uncaught

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT)
WEBHOOK_PORT = 8443
RETRIES_AFTER_FLOOD = 3
TOKEN_REJECTED = "dasbot: Telegram afviste TELEGRAM_BOT_TOKEN; tjek tokenet."
STOPPED = "dasbot: botten stoppede på grund af en fejl (se loggen ovenfor)."

log = logging.getLogger(__name__)

COMMANDS = [
    ("start", "Velkommen og vejledning", handlers.start),
    ("hjaelp", "Kommandoerne", handlers.help_command),
    ("takst", "Takster, fx /takst Kvisten 2023", handlers.tariffs),
    ("beslutning", "Indstillinger og beslutninger om et emne", handlers.decisions),
    ("moeder", "Alle møder", handlers.meeting_list),
    ("dagsorden", "Et mødes dagsorden, fx /dagsorden 21.08.2023", handlers.agenda),
    ("tidslinje", "Et emne gennem møderne", handlers.topic_timeline),
    ("abonner", "Få besked om nye møder om et emne", handlers.subscribe),
    ("abonnementer", "De emner, chatten følger", handlers.list_subscriptions),
    ("afmeld", "Stop med at følge et emne", handlers.unsubscribe),
]


async def _start(application: Application) -> None:
    """List the commands in Telegram's menu (setMyCommands); queue the updates a crash left unfinished."""
    await application.bot.set_my_commands([BotCommand(name, description) for name, description, _ in COMMANDS])
    await replay(application, application.bot_data["journal"])


def build_application(app: Dasbot) -> Application:
    """The Application: HTML by default, flood control, updates handled concurrently and exactly once (see
    `delivery`), members only."""
    settings = app.settings
    if not settings.telegram_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    if not settings.members and not settings.secretariat:
        log.warning("DASBOT_MEMBERS and DASBOT_SECRETARIAT are both empty: the bot will refuse everyone")
    subscriptions.ensure_table(app.engine)
    followups.ensure_tables(app.engine)
    journal = Journal(journal_path(settings.data_dir), settings.telegram_token)
    application = (
        Application.builder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_sending_without_reply=True,
            )
        )
        .rate_limiter(Delivery(journal, AIORateLimiter(max_retries=RETRIES_AFTER_FLOOD)))
        .update_queue(JournalQueue(journal))
        .concurrent_updates(JournaledUpdates(journal))
        .context_types(ContextTypes(context=BotContext))
        .post_init(_start)
        .build()
    )
    application.bot_data.update(core=app, indexing=Indexing(app), journal=journal)

    messages = filters.UpdateType.MESSAGE
    application.add_handler(TypeHandler(Update, handlers.gate), group=-1)
    for name, _, callback in COMMANDS:
        application.add_handler(CommandHandler(name, callback, filters=messages))
    application.add_handler(CommandHandler("help", handlers.help_command, filters=messages))
    application.add_handler(CommandHandler("reindex", handlers.reindex, filters=messages))
    application.add_handler(
        MessageHandler(messages & filters.COMMAND & filters.ChatType.PRIVATE, handlers.unknown_command)
    )
    application.add_handler(MessageHandler(messages & filters.Document.ALL & ADDRESSED, handlers.upload))
    application.add_handler(MessageHandler(messages & filters.TEXT & ~filters.COMMAND & ADDRESSED, handlers.question))
    application.add_handler(CallbackQueryHandler(handlers.more_results, pattern=keyboards.pattern(keyboards.MORE)))
    application.add_handler(CallbackQueryHandler(handlers.whole_item, pattern=keyboards.pattern(keyboards.ITEM)))
    application.add_handler(CallbackQueryHandler(handlers.source, pattern=keyboards.pattern(keyboards.SOURCE)))
    application.add_handler(CallbackQueryHandler(handlers.meeting_day, pattern=keyboards.pattern(keyboards.DAY)))
    application.add_handler(CallbackQueryHandler(handlers.stale_button))
    application.add_error_handler(handlers.on_error)
    return application


def webhook_secret(settings: Settings) -> str:
    """The secret Telegram sends with every webhook request: DASBOT_WEBHOOK_SECRET, else a random one for this
    start (registered anew with `setWebhook`); never logged."""
    return settings.webhook_secret or secrets.token_urlsafe(32)


def run(application: Application, app: Dasbot, stop_signals: Sequence[int] | None = STOP_SIGNALS) -> None:
    """Run until stopped: a webhook when DASBOT_WEBHOOK_URL is set (listening on DASBOT_WEBHOOK_LISTEN, default
    127.0.0.1, at the URL's port, default 8443, and path; requests without the secret are refused; TLS belongs to
    a proxy in front), long polling otherwise. Updates waiting at Telegram are never dropped; on a stop signal the updates received are confirmed and answered before the
    process exits (a kill is covered by `delivery`'s journal)."""
    settings = app.settings
    if settings.webhook_url:
        url = urlsplit(settings.webhook_url)
        application.run_webhook(
            listen=settings.webhook_listen,
            port=url.port or WEBHOOK_PORT,
            url_path=url.path.lstrip("/"),
            webhook_url=settings.webhook_url,
            secret_token=webhook_secret(settings),
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
            stop_signals=stop_signals,
        )
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False, stop_signals=stop_signals)


def serve(app: Dasbot) -> int:
    """`dasbot serve`: quiet, token-safe logs, then the bot until a stop signal; the exit status. A token
    Telegram rejects is one Danish line (2); any other error is logged through the token filter (1)."""
    configure_logging(app.settings.telegram_token)
    redact_uncaught(app.settings.telegram_token)
    try:
        run(build_application(app), app)
    except InvalidToken:
        print(TOKEN_REJECTED, file=sys.stderr)
        return 2
    except Exception:
        log.exception("the bot stopped on an error")
        print(STOPPED, file=sys.stderr)
        return 1
    return 0
