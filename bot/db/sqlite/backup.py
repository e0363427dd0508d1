"""`python -m bot db backup PATH`: copy a database that the running bot may be writing to."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.db.common import DatabaseOpenError


def backup_database(source: Path, target: Path) -> int:
    """Copy `source` to `target` with SQLite's online backup API; returns the copy's size in bytes.

    The backup API copies a consistent snapshot even while another process writes (WAL), and the
    copy is checked before it replaces `target`, so a failed backup never leaves a half file behind.
    """
    if not source.is_file():
        raise DatabaseOpenError(f"no database at {source}")
    if target.resolve() == source.resolve():
        raise DatabaseOpenError("the backup path must differ from the database path")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".partial")
    tmp.unlink(missing_ok=True)
    try:
        # as_uri() percent-encodes the path: a folder named "a#b" or "x?y" must not cut the URI short.
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")
                (status,) = dst.execute("PRAGMA integrity_check").fetchone()
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise DatabaseOpenError(f"backup of {source} failed: {exc}") from exc
    if status != "ok":
        tmp.unlink(missing_ok=True)
        raise DatabaseOpenError(f"backup of {source} is damaged: {status}")
    tmp.replace(target)
    return target.stat().st_size
