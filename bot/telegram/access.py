"""Who may talk to the bot (members, the secretariat, strangers) and which messages are meant for it."""

from __future__ import annotations

from enum import IntEnum

from telegram import Chat, Message, MessageEntity, Update
from telegram.ext.filters import MessageFilter

from bot.settings import Settings


class Role(IntEnum):
    """What a user may do in a chat."""

    STRANGER = 0
    MEMBER = 1
    SECRETARIAT = 2


def allowed_chat(settings: Settings, chat_id: int) -> bool:
    """Whether the bot may show content in a chat: a member's (or the secretariat's) private chat, or a member group."""
    return chat_id in settings.members or chat_id in settings.secretariat


def role(settings: Settings, update: Update) -> Role:
    """The sender's role: a stranger unless the chat is allowed (and, with DASBOT_GROUP_MEMBERS_ONLY, in a group
    unless the user is allowed too); the secretariat by user id."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or not allowed_chat(settings, chat.id):
        return Role.STRANGER
    if settings.group_members_only and chat.type != Chat.PRIVATE and not allowed_chat(settings, user.id):
        return Role.STRANGER
    return Role.SECRETARIAT if user.id in settings.secretariat else Role.MEMBER


def _mentions_bot(message: Message, username: str, bot_id: int) -> bool:
    """Whether the text or caption mentions the bot, or starts with a command not aimed at another bot."""
    for entities in (message.parse_entities(), message.parse_caption_entities()):
        for entity, text in entities.items():
            if entity.type == MessageEntity.MENTION and text[1:].casefold() == username.casefold():
                return True
            if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
                return True
            if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
                _, _, target = text.partition("@")
                if not target or target.casefold() == username.casefold():
                    return True
    return False


class _Addressed(MessageFilter):
    """Messages meant for the bot: all in a private chat; in a group, commands, mentions and replies to the bot."""

    def filter(self, message: Message) -> bool:
        if message.chat.type == Chat.PRIVATE:
            return True
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
            return True
        return _mentions_bot(message, bot.username, bot.id)


ADDRESSED = _Addressed(name="ADDRESSED")


def question_text(message: Message) -> str:
    """The text of a question, without mentions of the bot."""
    text = message.text or ""
    username = message.get_bot().username.casefold()
    for mention in set(message.parse_entities([MessageEntity.MENTION]).values()):
        if mention[1:].casefold() == username:
            text = text.replace(mention, " ")
    return " ".join(text.split())
