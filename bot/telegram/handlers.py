"""Thin async handlers: check who asks, call the core in a worker thread, send the rendered HTML."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from datetime import date

from telegram import Chat, InlineKeyboardMarkup, Message, ReplyParameters, Update
from telegram.constants import ChatAction
from telegram.error import NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop, CallbackContext, ExtBot

from bot.core import Dasbot
from bot.lookups.decisions import find_decisions
from bot.lookups.items import agenda_item
from bot.lookups.meetings import meetings, meetings_on
from bot.lookups.tariffs import find_tariffs
from bot.lookups.timeline import timeline
from bot.requests import AgendaQuery, DecisionQuery, RequestError, TariffQuery, TimelineQuery, parse_question
from bot.telegram import followups, keyboards, records, render, subscriptions
from bot.telegram.access import ADDRESSED, Role, allowed_chat, question_text, role
from bot.telegram.delivery import response_lost
from bot.telegram.indexing import Indexing, indexed, refusal, safe_filename
from bot.telegram.progress import ProgressMessage
from bot.telegram.split import split_html

PAGE = 3
REFUSAL_INTERVAL = 3600.0  # seconds between refusals of one stranger in one chat

log = logging.getLogger(__name__)


class BotContext(CallbackContext[ExtBot[None], dict, dict, dict]):
    """The callback context with the core and the indexing jobs at hand."""

    @property
    def core(self) -> Dasbot:
        """The core the bot answers from."""
        return self.bot_data["core"]

    @property
    def indexing(self) -> Indexing:
        """The bot's one-at-a-time indexing jobs."""
        return self.bot_data["indexing"]

    def role(self, update: Update) -> Role:
        """The sender's role in this update's chat."""
        return role(self.core.settings, update)


async def send_html(
    context: BotContext,
    chat_id: int,
    fragment: str,
    keyboard: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
) -> None:
    """Send `fragment` split into messages that fit, in order; the keyboard goes under the last one.

    A part whose response was lost after Telegram got the request is taken as delivered and not sent again
    (see `delivery`); the parts after it are still sent."""
    pieces = split_html(fragment)
    replying = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    for n, piece in enumerate(pieces, start=1):
        try:
            await context.bot.send_message(
                chat_id, piece, reply_markup=keyboard if n == len(pieces) else None, reply_parameters=replying
            )
        except NetworkError as error:
            if not response_lost(error):
                raise
            log.warning(
                "part %d of %d to chat %s: the response was lost (%s); taken as delivered, not sent again",
                n,
                len(pieces),
                chat_id,
                error,
            )


async def reply(
    update: Update, context: BotContext, fragment: str, keyboard: InlineKeyboardMarkup | None = None
) -> None:
    """Answer the update's message in its chat."""
    await send_html(context, update.effective_chat.id, fragment, keyboard)


def _argument(context: BotContext) -> str:
    return " ".join(context.args or [])


# Access


async def gate(update: Update, context: BotContext) -> None:
    """Let members through; stop everything else. A stranger gets a refusal with no content and a log line
    at most once an hour in a chat (a button is always answered); a group that is not allowed is left."""
    if context.role(update) is not Role.STRANGER:
        return
    user_id = update.effective_user.id if update.effective_user else None
    chat = update.effective_chat
    addressed = update.callback_query is not None or (update.message is not None and ADDRESSED.check_update(update))
    first = addressed and _first_refusal(context, user_id, chat.id if chat else None)
    if update.callback_query:
        await update.callback_query.answer(render.STRANGER, show_alert=True)
    elif first:
        await update.message.reply_text(render.STRANGER)
    if first:
        log.warning("refused a stranger: user id %s in chat %s", user_id, chat.id if chat else None)
    if chat is not None and chat.type != Chat.PRIVATE and not allowed_chat(context.core.settings, chat.id):
        with contextlib.suppress(TelegramError):
            await chat.leave()
        log.warning("left group %s: it is not in DASBOT_MEMBERS", chat.id)
    raise ApplicationHandlerStop


def _first_refusal(context: BotContext, user_id: int | None, chat_id: int | None) -> bool:
    """Whether a stranger has had no refusal in this chat within REFUSAL_INTERVAL (noting this one)."""
    refused: dict[tuple[int | None, int | None], float] = context.bot_data.setdefault("refused", {})
    now = time.monotonic()
    for key in [key for key, when in refused.items() if now - when >= REFUSAL_INTERVAL]:
        del refused[key]
    if (user_id, chat_id) in refused:
        return False
    refused[(user_id, chat_id)] = now
    return True


# Commands


async def start(update: Update, context: BotContext) -> None:
    """/start: a welcome and the commands."""
    await reply(update, context, render.welcome(context.role(update) is Role.SECRETARIAT, _mention(update, context)))


async def help_command(update: Update, context: BotContext) -> None:
    """/hjaelp: the commands."""
    await reply(update, context, render.help_text(context.role(update) is Role.SECRETARIAT, _mention(update, context)))


def _mention(update: Update, context: BotContext) -> str | None:
    """How to address the bot in a group (None in a private chat)."""
    return None if update.effective_chat.type == Chat.PRIVATE else f"@{context.bot.username}"


async def tariffs(update: Update, context: BotContext) -> None:
    """/takst QUERY [YEAR]: tariffs by keyword and year."""
    query = _argument(context)
    if not query:
        await reply(update, context, render.USAGE["takst"])
        return
    try:
        request = TariffQuery.parse(query)
    except RequestError as error:
        await reply(update, context, render.esc(str(error)))
        return
    rows = await asyncio.to_thread(find_tariffs, context.core.engine, request.words, request.year)
    await reply(update, context, render.tariffs(rows, query))


async def decisions(update: Update, context: BotContext) -> None:
    """/beslutning QUERY [DATE]: recommendations and decisions by keyword (and meeting day)."""
    query = _argument(context)
    if not query:
        await reply(update, context, render.USAGE["beslutning"])
        return
    try:
        request = DecisionQuery.parse(query)
    except RequestError as error:
        await reply(update, context, render.esc(str(error)))
        return
    rows = await asyncio.to_thread(
        find_decisions, context.core.engine, request.words, request.date_from, request.date_to
    )
    await reply(update, context, render.decisions(rows, query))


async def meeting_list(update: Update, context: BotContext) -> None:
    """/moeder: every meeting, with a button per day."""
    rows = await asyncio.to_thread(meetings, context.core.engine)
    days = sorted({m.date for m in rows})
    await reply(update, context, render.meetings(rows), keyboards.days(days[-keyboards.MAX_DAYS :]))


async def agenda(update: Update, context: BotContext) -> None:
    """/dagsorden DATE: the agenda of the meeting that day."""
    try:
        request = AgendaQuery.parse(_argument(context))
    except RequestError:
        await reply(update, context, render.USAGE["dagsorden"])
        return
    await _send_agenda(context, update.effective_chat.id, request.day)


async def _send_agenda(context: BotContext, chat_id: int, day: date) -> None:
    """Each document of the meeting on `day` with its items, and a button per item."""
    rows = await asyncio.to_thread(meetings_on, context.core.engine, day)
    if not rows:
        await send_html(context, chat_id, render.no_meeting(day))
    for meeting in rows:
        ids = await asyncio.to_thread(records.item_ids, context.core.engine, meeting.source)
        entries = [(i.number, ids[i.number]) for i in meeting.items if i.number in ids]
        await send_html(context, chat_id, render.agenda(meeting), keyboards.items(entries, "{}", width=6))


async def topic_timeline(update: Update, context: BotContext) -> None:
    """/tidslinje TOPIC: the topic through the meetings."""
    topic = _argument(context)
    if not topic:
        await reply(update, context, render.USAGE["tidslinje"])
        return
    entries = await asyncio.to_thread(timeline, context.core.engine, TimelineQuery.parse(topic).topic)
    await reply(update, context, render.timeline(topic, entries))


async def subscribe(update: Update, context: BotContext) -> None:
    """/abonner TOPIC: follow a topic in this chat."""
    topic = _argument(context)
    if not subscriptions.is_topic(topic):
        await reply(update, context, render.USAGE["abonner"])
        return
    added = await asyncio.to_thread(subscriptions.subscribe, context.core.engine, update.effective_chat.id, topic)
    await reply(update, context, render.subscribed(topic, added))


async def list_subscriptions(update: Update, context: BotContext) -> None:
    """/abonnementer: the topics this chat follows."""
    topics = await asyncio.to_thread(subscriptions.topics, context.core.engine, update.effective_chat.id)
    await reply(update, context, render.subscriptions(topics))


async def unsubscribe(update: Update, context: BotContext) -> None:
    """/afmeld TOPIC: stop following a topic."""
    topic = _argument(context)
    if not topic:
        await reply(update, context, render.USAGE["afmeld"])
        return
    removed = await asyncio.to_thread(subscriptions.unsubscribe, context.core.engine, update.effective_chat.id, topic)
    await reply(update, context, render.unsubscribed(topic, removed))


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not know (private chats only)."""
    await reply(update, context, render.UNKNOWN_COMMAND)


# Questions and their buttons


async def question(update: Update, context: BotContext) -> None:
    """A question: the best passages, cited, with the buttons."""
    message = update.effective_message
    text = question_text(message)
    if not text:
        await reply(update, context, render.ASK_HINT.format(mention=render.esc(f"@{context.bot.username}")))
        return
    if _too_many(context, update.effective_user.id):
        await reply(update, context, render.SLOW_DOWN)
        return
    try:
        text = parse_question(text)
    except RequestError as error:
        await reply(update, context, render.esc(str(error)))
        return
    await _send_answer(context, message, text, 0)


def _too_many(context: BotContext, user_id: int) -> bool:
    """Whether a user has asked the allowed questions of a minute in the last minute (noting this one if not)."""
    asked: deque[float] = context.bot_data.setdefault("asked", {}).setdefault(user_id, deque())
    now = time.monotonic()
    while asked and now - asked[0] >= 60:
        asked.popleft()
    if len(asked) >= context.core.settings.questions_per_minute:
        return True
    asked.append(now)
    return False


async def _send_answer(context: BotContext, question_message: Message, text: str, offset: int) -> None:
    """The passages `offset` .. `offset + PAGE` of the answer, replying to the question. A new question is
    read in the chat's conversation (follow-ups, kept in the database); "more" re-asks what that question was
    searched as."""
    await question_message.reply_chat_action(ChatAction.TYPING)
    engine, chat_id, message_id = context.core.engine, question_message.chat.id, question_message.message_id
    read = followups.resolve if offset == 0 else followups.searched
    text = await asyncio.to_thread(read, engine, chat_id, message_id, text)
    result = await asyncio.to_thread(context.core.answerer.ask, text, k=offset + PAGE + 1)
    shown = result.cited[offset : offset + PAGE]
    more = offset + PAGE if len(result.cited) > offset + PAGE else None
    await send_html(
        context,
        question_message.chat.id,
        render.answer(result, shown, with_facts=offset == 0),
        keyboards.answer(shown, more),
        reply_to=question_message.message_id,
    )


async def more_results(update: Update, context: BotContext) -> None:
    """ "Flere resultater": the next passages of the question the pressed message replies to."""
    query = update.callback_query
    pressed = query.message if isinstance(query.message, Message) else None
    original = pressed.reply_to_message if pressed else None
    text = question_text(original) if original else ""
    if not text:
        await query.answer(render.QUESTION_GONE, show_alert=True)
        return
    await query.answer()
    remaining = keyboards.without_more(pressed.reply_markup)
    if remaining != pressed.reply_markup:
        await query.edit_message_reply_markup(remaining)
    await _send_answer(context, original, text, keyboards.value(query.data))


async def whole_item(update: Update, context: BotContext) -> None:
    """ "Hele punktet": the whole agenda item, split over messages."""
    query = update.callback_query
    record = await asyncio.to_thread(agenda_item, context.core.engine, keyboards.value(query.data))
    if record is None:
        await query.answer(render.GONE, show_alert=True)
        return
    await query.answer()
    await send_html(context, update.effective_chat.id, render.item(record))


async def source(update: Update, context: BotContext) -> None:
    """ "Kilde": the source file of a passage, or the text of its page when the file is not at hand."""
    query = update.callback_query
    catalog = await asyncio.to_thread(lambda: context.core.searcher.catalog)
    chunk = catalog.get(keyboards.value(query.data))
    if chunk is None:
        await query.answer(render.GONE, show_alert=True)
        return
    await query.answer()
    cite = chunk.citation
    path = context.core.source_path(cite.source)
    if path is None:
        text = await asyncio.to_thread(records.page_text, context.core.engine, chunk)
        await send_html(context, update.effective_chat.id, render.page(cite, text))
        return
    data = await asyncio.to_thread(path.read_bytes)
    await context.bot.send_document(
        update.effective_chat.id, data, filename=cite.source, caption=render.source_caption(cite)
    )


async def meeting_day(update: Update, context: BotContext) -> None:
    """A meeting day's button: its agenda."""
    await update.callback_query.answer()
    await _send_agenda(context, update.effective_chat.id, date.fromordinal(keyboards.value(update.callback_query.data)))


async def stale_button(update: Update, context: BotContext) -> None:
    """Any other button, answered and nothing else: one of ours whose data is not valid (forged, or for
    something gone) as gone; any other (from an older version of the bot) as stale."""
    query = update.callback_query
    await query.answer(render.GONE if keyboards.ours(query.data) else render.STALE_BUTTON)


# The secretariat


async def upload(update: Update, context: BotContext) -> None:
    """A document: indexed when the secretariat sends it (progress, summary, subscribers told); refused otherwise."""
    message = update.effective_message
    document = message.document
    if context.role(update) is not Role.SECRETARIAT:
        await reply(update, context, render.UPLOAD_REFUSED)
        return
    filename = safe_filename(document.file_name, document.mime_type)
    refused = refusal(filename, document.file_size)
    if refused is not None:
        await reply(update, context, render.refusal(refused, filename, document.file_size))
        return
    indexing = context.indexing
    first = render.WAITING if indexing.lock.locked() else render.received(filename)
    status = await message.reply_text(first)
    async with indexing.lock, ProgressMessage(status, first, render.INDEXING_FAILED) as progress:
        await progress.show(render.received(filename))
        staged = indexing.staging_path(filename)
        try:
            telegram_file = await document.get_file()
            await telegram_file.download_to_drive(staged)
        except TelegramError as error:
            log.warning("could not download %s: %s", filename, error)
            await progress.show(render.download_failed(filename))
            return
        await progress.show(render.reading(filename))
        report = await indexing.index_upload(staged, lambda *step: progress.report(render.embedding(*step)))
        notified = await _notify_subscribers(context, report.path) if indexed(report) else 0
    await _finish(context, progress, message.chat_id, render.index_report(report, notified))


async def _notify_subscribers(context: BotContext, source_name: str) -> int:
    """Tell each subscribed member chat about the new record's matching items; how many were told."""
    notices = await asyncio.to_thread(subscriptions.notices, context.core.engine, source_name)
    told = 0
    for notice in notices:
        if not allowed_chat(context.core.settings, notice.chat_id):
            continue
        try:
            await send_html(
                context,
                notice.chat_id,
                render.notice(notice),
                keyboards.items([(i.number, i.id) for i in notice.items]),
            )
            told += 1
        except TelegramError as error:
            log.warning("could not notify chat %s: %s", notice.chat_id, error)
    return told


async def reindex(update: Update, context: BotContext) -> None:
    """/reindex: re-read every document from its file, with the same progress and summary."""
    if context.role(update) is not Role.SECRETARIAT:
        await reply(update, context, render.REINDEX_REFUSED)
        return
    indexing = context.indexing
    first = render.WAITING if indexing.lock.locked() else render.REBUILDING
    status = await update.effective_message.reply_text(first)
    async with indexing.lock, ProgressMessage(status, first, render.INDEXING_FAILED) as progress:
        await progress.show(render.REBUILDING)
        rebuilt = await indexing.rebuild(lambda *step: progress.report(render.embedding(*step)))
    await _finish(context, progress, update.effective_chat.id, render.rebuild_report(rebuilt))


async def _finish(context: BotContext, progress: ProgressMessage, chat_id: int, summary: str) -> None:
    """A summary in the progress message; what does not fit in one message goes on in messages after it."""
    first, *rest = split_html(summary)
    await progress.show(first)
    if rest:
        await send_html(context, chat_id, "\n".join(rest))


# Errors


async def on_error(update: object, context: BotContext) -> None:
    """Log the traceback; tell the user, briefly and in Danish."""
    log.error("an update could not be handled", exc_info=context.error)
    if not isinstance(update, Update):
        return
    if update.callback_query:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer(render.APOLOGY)
    if update.effective_chat:
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(update.effective_chat.id, render.APOLOGY)
