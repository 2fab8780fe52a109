"""The records replaced by newer versions, as a log beside the database (`replaced.jsonl`, one JSON object a line),
so the secretariat can see what went and restore it from its file (uploads stay in the uploads folder)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

HISTORY_NAME = "replaced.jsonl"


@dataclass(frozen=True)
class Replacement:
    """One document removed because another file replaced it."""

    at: str
    """When it was replaced (ISO, UTC)."""
    file: str
    sha256: str
    kind: str
    committee: str | None
    date: str | None
    """The meeting's ISO date, None for a record without one."""
    replaced_by: str


def append(path: Path, entries: list[Replacement]) -> None:
    """Add `entries` to the log at `path`."""
    if entries:
        with path.open("a", encoding="utf-8") as log:
            log.writelines(json.dumps(asdict(entry), ensure_ascii=False) + "\n" for entry in entries)


def read(path: Path) -> list[Replacement]:
    """The replacements logged at `path`, oldest first; none when there is no log."""
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Replacement(**json.loads(line)) for line in lines if line.strip()]
