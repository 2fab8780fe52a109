"""Follow-up context kept in the database: it survives a restart (a new engine over the same file), goes stale
after the TTL, and stays bounded."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bot.conversation import TTL_SECONDS
from bot.telegram import followups
from bot.telegram.followups import ChatTopic, FollowUp
from indexer.database import make_engine

QUESTION = "hvem havde skrevet under på KKR Nordjyllands brev til sundhedsministeren?"
FOLLOW_UP = "hvem svarede på det?"
T0 = 1_700_000_000.0  # a wall-clock time, seconds since the epoch


def engine_at(path: Path) -> Engine:
    """An engine over the store at `path`, as a fresh process opens it."""
    engine = make_engine(f"sqlite:///{path / 'dasbot.sqlite3'}")
    followups.ensure_tables(engine)
    return engine


def rows(engine: Engine, table: type[ChatTopic] | type[FollowUp]) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def test_a_follow_up_after_a_restart_is_read_with_the_question_before(tmp_path: Path) -> None:
    assert followups.resolve(engine_at(tmp_path), 1, 10, QUESTION, now=T0) == QUESTION
    restarted = engine_at(tmp_path)
    searched = followups.resolve(restarted, 1, 11, FOLLOW_UP, now=T0 + 60)
    assert searched == f"{QUESTION} {FOLLOW_UP}"
    # "Flere resultater" under either answer searches what its question was searched as
    assert followups.searched(engine_at(tmp_path), 1, 11, FOLLOW_UP) == searched
    assert followups.searched(restarted, 1, 10, QUESTION) == QUESTION
    # another chat has a conversation of its own
    assert followups.resolve(restarted, 2, 12, FOLLOW_UP, now=T0 + 90) == FOLLOW_UP


def test_a_stale_conversation_is_ignored_and_pruned(tmp_path: Path) -> None:
    engine = engine_at(tmp_path)
    followups.resolve(engine, 1, 10, QUESTION, now=T0)
    followups.resolve(engine, 2, 20, "hvad blev indstillet om Kvisten?", now=T0 + TTL_SECONDS)
    assert followups.resolve(engine, 2, 21, FOLLOW_UP, now=T0 + TTL_SECONDS + 30) != FOLLOW_UP  # chat 2 is fresh
    with Session(engine) as session:
        assert [t.chat_id for t in session.exec(select(ChatTopic))] == [2]  # chat 1's conversation went stale
    assert followups.resolve(engine, 1, 11, FOLLOW_UP, now=T0 + TTL_SECONDS + 60) == FOLLOW_UP


def test_only_the_most_recent_chats_and_follow_ups_are_kept(tmp_path: Path) -> None:
    engine = engine_at(tmp_path)
    for chat in range(5):
        followups.resolve(engine, chat, 1, QUESTION, now=T0 + 2 * chat, max_chats=3, max_follow_ups=2)
        followups.resolve(engine, chat, 2, FOLLOW_UP, now=T0 + 2 * chat + 1, max_chats=3, max_follow_ups=2)
    assert rows(engine, ChatTopic) == 3 and rows(engine, FollowUp) == 2
    assert followups.searched(engine, 4, 2, FOLLOW_UP) == f"{QUESTION} {FOLLOW_UP}"
    assert followups.searched(engine, 0, 2, FOLLOW_UP) == FOLLOW_UP  # pruned: the question as it was asked
    assert followups.resolve(engine, 0, 3, FOLLOW_UP, now=T0 + 11, max_chats=3) == FOLLOW_UP
    assert followups.resolve(engine, 4, 3, FOLLOW_UP, now=T0 + 12, max_chats=3) != FOLLOW_UP
