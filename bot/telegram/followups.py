"""Follow-up context per chat, kept in the database so that it survives a restart: each chat's conversation
(see `bot.conversation`), and what each follow-up was searched as, for "Flere resultater" under its answer.

Both are bounded: a conversation older than its TTL is ignored and pruned, and only the most recent MAX_CHATS
conversations and MAX_FOLLOW_UPS follow-ups are kept. Times are wall-clock seconds since the epoch (UTC)."""

from __future__ import annotations

import threading
import time

from sqlalchemy import Engine, delete
from sqlmodel import Field, Session, SQLModel, select

from bot.conversation import TTL_SECONDS, Conversation

MAX_CHATS = 10_000
MAX_FOLLOW_UPS = 10_000
_WRITING = threading.Lock()  # one conversation update at a time: two messages of a chat never interleave


class ChatTopic(SQLModel, table=True):
    """A chat's conversation: its last standalone question, and when the chat last asked."""

    chat_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    topic: str
    asked_at: float = Field(index=True)


class FollowUp(SQLModel, table=True):
    """A follow-up question (its chat and message) and the text it was searched as."""

    chat_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    message_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    searched: str
    asked_at: float = Field(index=True)


def ensure_tables(engine: Engine) -> None:
    """Create the tables when they are missing."""
    for table in (ChatTopic, FollowUp):
        table.__table__.create(engine, checkfirst=True)


def resolve(
    engine: Engine,
    chat_id: int,
    message_id: int,
    question: str,
    now: float | None = None,
    max_chats: int = MAX_CHATS,
    max_follow_ups: int = MAX_FOLLOW_UPS,
) -> str:
    """The text to search for a new question of a chat, read in the chat's conversation
    (`Conversation.resolve`); the conversation and a follow-up's text are saved, the stale and surplus pruned."""
    now = time.time() if now is None else now
    with _WRITING, Session(engine) as session:
        stored = session.get(ChatTopic, chat_id)
        conversation = Conversation(stored.topic, stored.asked_at) if stored else Conversation()
        searched = conversation.resolve(question, now)
        session.merge(ChatTopic(chat_id=chat_id, topic=conversation.topic, asked_at=now))
        if searched != question:
            session.merge(FollowUp(chat_id=chat_id, message_id=message_id, searched=searched, asked_at=now))
        session.exec(delete(ChatTopic).where(ChatTopic.asked_at < now - TTL_SECONDS))
        _keep_newest(session, ChatTopic, max_chats)
        _keep_newest(session, FollowUp, max_follow_ups)
        session.commit()
    return searched


def searched(engine: Engine, chat_id: int, message_id: int, question: str) -> str:
    """What the question of a chat's message was searched as: a follow-up's saved text, else the question."""
    with Session(engine) as session:
        follow_up = session.get(FollowUp, (chat_id, message_id))
    return follow_up.searched if follow_up else question


def _keep_newest(session: Session, table: type[ChatTopic] | type[FollowUp], keep: int) -> None:
    """Delete all but the `keep` most recently asked rows of `table`."""
    newest = select(table.asked_at).order_by(table.asked_at.desc()).offset(keep - 1).limit(1)
    cutoff = session.exec(newest).first()
    if cutoff is not None:
        session.exec(delete(table).where(table.asked_at < cutoff))
