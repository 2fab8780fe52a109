"""Topics a chat follows, kept in the database, and which of them a newly indexed record matches."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, UniqueConstraint, delete
from sqlmodel import Field, Session, SQLModel, select

from bot.lookups.matching import Query
from indexer.models import AgendaItem, Document, Meeting, Section

MAX_TOPIC = 100
MAX_PER_CHAT = 30


class Subscription(SQLModel, table=True):
    """A chat (a member's private chat or a member group) following a topic."""

    __table_args__ = (UniqueConstraint("chat_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(index=True)
    topic: str
    key: str
    created_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))


@dataclass(frozen=True)
class MatchedItem:
    """An agenda item of the new record that a topic matched."""

    id: int
    number: int
    title: str


@dataclass(frozen=True)
class Notice:
    """What one chat is told about a new record: its topics that matched, and the items they matched."""

    chat_id: int
    topics: list[str]
    source: str
    committee: str | None
    meeting_date: dt.date | None
    items: list[MatchedItem]


def ensure_table(engine: Engine) -> None:
    """Create the subscription table when it is missing."""
    Subscription.__table__.create(engine, checkfirst=True)


def topic_key(topic: str) -> str:
    """The form two spellings of one topic share: whitespace folded, case ignored."""
    return " ".join(topic.split()).casefold()


def is_topic(topic: str) -> bool:
    """Whether `topic` can be followed: not too long, and with at least one word to match."""
    return len(topic) <= MAX_TOPIC and bool(Query.parse(topic).terms)


def subscribe(engine: Engine, chat_id: int, topic: str) -> bool:
    """Follow `topic`; False when the chat already follows it or follows MAX_PER_CHAT topics."""
    key = topic_key(topic)
    with Session(engine) as session:
        keys = session.exec(select(Subscription.key).where(Subscription.chat_id == chat_id)).all()
        if key in keys or len(keys) >= MAX_PER_CHAT:
            return False
        session.add(Subscription(chat_id=chat_id, topic=" ".join(topic.split()), key=key))
        session.commit()
    return True


def unsubscribe(engine: Engine, chat_id: int, topic: str) -> bool:
    """Stop following `topic`; False when the chat did not follow it."""
    with Session(engine) as session:
        result = session.exec(
            delete(Subscription).where(Subscription.chat_id == chat_id, Subscription.key == topic_key(topic))
        )
        session.commit()
    return bool(result.rowcount)


def topics(engine: Engine, chat_id: int) -> list[str]:
    """The topics a chat follows, in the order it subscribed."""
    with Session(engine) as session:
        return list(
            session.exec(select(Subscription.topic).where(Subscription.chat_id == chat_id).order_by(Subscription.id))
        )


def notices(engine: Engine, source: str) -> list[Notice]:
    """For each chat with a topic matching an agenda item (title or text) of the document `source`, one notice."""
    with Session(engine) as session:
        document = session.exec(
            select(Document).where(Document.filename == source).order_by(Document.id.desc())
        ).first()
        if document is None:
            return []
        meeting = session.get(Meeting, document.meeting_id) if document.meeting_id else None
        items = session.exec(
            select(AgendaItem).where(AgendaItem.document_id == document.id).order_by(AgendaItem.number)
        ).all()
        texts: dict[int, list[str]] = {}
        for section in session.exec(
            select(Section).where(Section.document_id == document.id, Section.item_id.is_not(None))
        ):
            texts.setdefault(section.item_id, []).append(section.text)
        subscriptions = session.exec(select(Subscription).order_by(Subscription.id)).all()
    haystacks = [(item, " ".join([item.title, *texts.get(item.id, [])])) for item in items]
    by_chat: dict[int, tuple[list[str], dict[int, MatchedItem]]] = {}
    for subscription in subscriptions:
        query = Query.parse(subscription.topic)
        matched = [item for item, haystack in haystacks if query.matches(haystack)]
        if not matched:
            continue
        chat_topics, chat_items = by_chat.setdefault(subscription.chat_id, ([], {}))
        chat_topics.append(subscription.topic)
        for item in matched:
            chat_items[item.id] = MatchedItem(item.id, item.number, item.title)
    return [
        Notice(
            chat_id=chat_id,
            topics=chat_topics,
            source=source,
            committee=meeting.committee if meeting else None,
            meeting_date=meeting.date if meeting else None,
            items=sorted(chat_items.values(), key=lambda i: i.number),
        )
        for chat_id, (chat_topics, chat_items) in by_chat.items()
    ]
