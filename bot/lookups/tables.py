"""The lookup tables an answer reads (meetings, tariffs, decisions), read from the store once per version
of the index: every change to the store renews the FAISS file (see `indexer.indexer`), so a new stamp of that
file means new tables, as it means a new catalog for the searcher."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from functools import cached_property

from sqlalchemy import Engine

from bot.lookups.decisions import DecisionRow, all_decisions
from bot.lookups.meetings import held
from bot.lookups.tariffs import TariffRow, all_tariffs


class Tables:
    """The store's tables of one version, each read on first use."""

    def __init__(self, engine: Engine, stamp: float) -> None:
        self._engine = engine
        self.stamp = stamp

    @cached_property
    def meetings(self) -> list[tuple[date, str]]:
        """The date and committee of every meeting."""
        return held(self._engine)

    @cached_property
    def committees(self) -> tuple[str, ...]:
        """The committees whose meetings the store holds, each once."""
        return tuple(dict.fromkeys(committee for _, committee in self.meetings))

    def meeting_dates(self, committee: str | None = None) -> list[date]:
        """The dates of every meeting, or of `committee`'s."""
        return [day for day, held_by in self.meetings if committee in (None, held_by)]

    @cached_property
    def tariffs(self) -> list[TariffRow]:
        """Every tariff with its citation, in document order."""
        return all_tariffs(self._engine)

    @cached_property
    def decisions(self) -> list[DecisionRow]:
        """Every recommendation and decision, newest meeting first, then by item number."""
        return all_decisions(self._engine)


class TableCache:
    """The tables of the index version `stamp()` names, read again when it changes."""

    def __init__(self, engine: Engine, stamp: Callable[[], float]) -> None:
        self._engine = engine
        self._stamp = stamp
        self._tables: Tables | None = None
        self._lock = threading.Lock()

    def current(self) -> Tables:
        """The tables of the index as it is now."""
        stamp = self._stamp()
        with self._lock:
            if self._tables is None or self._tables.stamp != stamp:
                self._tables = Tables(self._engine, stamp)
            return self._tables
