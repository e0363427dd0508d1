"""What every database engine shares with the code above it: the errors callers catch, the
deadline an interaction gives its writes, and what `/nexus status` shows of the database's size."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.errors import UserError


class DatabaseBusy(UserError):
    """Another process held the database's write lock for longer than this write could wait."""

    def __init__(self) -> None:
        super().__init__("Nexus is busy, try again in a moment.")


class DatabaseUnwritable(UserError):
    """The database cannot be written at all: the disk is full, the file read-only, the disk failing."""

    def __init__(self, cause: str, path: Path) -> None:
        super().__init__(f"Nexus can't save anything right now: {cause}. An admin sees why in `/nexus status`.")
        self.cause = cause
        self.path = path


async def saved_unless_refused_by_database(save: Callable[[], Awaitable[object]], refused: UserError | None) -> bool:
    """Save what a refused form held (`save`), unless the database is what refused it: busy, its wait
    already spent on the form, or unwritable. False when not saved, for the caller to keep it in memory."""
    if isinstance(refused, (DatabaseBusy, DatabaseUnwritable)):
        return False
    try:
        await save()
    except (DatabaseBusy, DatabaseUnwritable):
        return False
    return True


# The deadline (the event loop's clock) by which a write must be done or given up: an interaction
# sets it to what its answer can wait (Discord wants one within 3 s); background work waits longer.
WRITE_DEADLINE: ContextVar[float | None] = ContextVar("nexus_write_deadline", default=None)


class DatabaseOpenError(Exception):
    """The database cannot be used; the message says why in one line, for a person."""


class MigrationError(Exception):
    """A migration failed and was rolled back; the database is as it was before it."""


@dataclass(frozen=True)
class DatabaseSize:
    file: int  # bytes of the database file
    wal: int  # bytes of its write-ahead log (<file>-wal)

    @property
    def total(self) -> int:
        return self.file + self.wal


# "NXUS" as a 32-bit integer (0x4E585553): the mark of a Nexus database (SQLite's application_id,
# PostgreSQL's nexus_schema row), so a database of another program is refused, not migrated.
NEXUS_APPLICATION_ID = int.from_bytes(b"NXUS", "big")
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def read_migrations(directory: Path) -> list[Migration]:
    """An engine's migrations, NNNN_name.sql numbered 1..n without gaps (both engines number alike)."""
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration file name {path.name!r} is not NNNN_name.sql")
        migrations.append(Migration(int(match.group(1)), path.name, path.read_text(encoding="utf-8")))
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise MigrationError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return migrations


class StoredRow(Protocol):
    """A row as either engine gives it (aiosqlite.Row, asyncpg.Record): read by column name or
    position, so the row → model converters are shared by both engines' repositories."""

    def __getitem__(self, key: Any, /) -> Any:
        ...


def counts_by_guild(rows: Iterable[StoredRow]) -> dict[int, int]:
    """{guild_id: n} of rows (guild_id, n): what a `COUNT(*) … GROUP BY guild_id` gives."""
    return {row["guild_id"]: int(row["n"]) for row in rows}


def like_escaped(text: str) -> str:
    """`text` matched literally inside a LIKE pattern written with `ESCAPE '\\'`."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_containing(text: str) -> str:
    """A LIKE pattern (`ESCAPE '\\'`) of the texts containing `text`."""
    return "%" + like_escaped(text) + "%"
