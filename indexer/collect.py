"""Which files a run indexes: the files named, and the supported files found walking the folders named, with what
the walk left out and why (nothing is skipped without a word)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from indexer.read import SUPPORTED
from indexer.report import Details, Reason

_LOCK_PREFIXES = ("~$", ".~lock.")
"""Lock files of Microsoft Office (`~$Referat.docx`) and LibreOffice (`.~lock.Referat.docx#`)."""
_FOLDER_FILES = frozenset({"thumbs.db", "desktop.ini"})
"""Files Windows keeps in folders (hidden there)."""


@dataclass(frozen=True)
class Skipped:
    """A file or folder found while walking a folder and not indexed: why (UNSUPPORTED_TYPE, NOT_REGULAR_FILE,
    HIDDEN, LOCK_FILE), with the figures the reason names."""

    path: Path
    reason: Reason
    details: Details


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[Skipped]]:
    """The files to index, and what walking the folders left out. Given files are taken as they are; folders are
    walked (symbolic links to folders not followed) for supported types, each sorted by path. Hidden files and
    folders (a dot name; a hidden folder is not entered and counts once), office programs' lock files and
    Windows' folder files are left out as such, other files as unsupported or not regular."""
    found: list[Path] = []
    skipped: list[Skipped] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        files, left_out = [], []
        for folder, dirs, names in os.walk(path):
            for name in sorted(dirs):
                if name.startswith("."):
                    dirs.remove(name)
                    left_out.append(Skipped(Path(folder, name), Reason.HIDDEN, {}))
            for name in names:
                file = Path(folder, name)
                if (why := _left_out(file)) is None:
                    files.append(file)
                else:
                    left_out.append(why)
        found += sorted(files)
        skipped += sorted(left_out, key=lambda s: s.path)
    return found, skipped


def _left_out(file: Path) -> Skipped | None:
    """Why a file found in a folder is not indexed, or None to index it."""
    name = file.name
    if name.startswith(_LOCK_PREFIXES):
        return Skipped(file, Reason.LOCK_FILE, {})
    if name.startswith(".") or name.lower() in _FOLDER_FILES:
        return Skipped(file, Reason.HIDDEN, {})
    if not file.is_file():
        return Skipped(file, Reason.NOT_REGULAR_FILE, {})
    if (suffix := file.suffix.lower()) not in SUPPORTED:
        return Skipped(file, Reason.UNSUPPORTED_TYPE, {"suffix": suffix})
    return None
