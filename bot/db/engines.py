"""Which database Nexus runs on: SQLite at DATABASE_PATH (the default), or PostgreSQL when
DATABASE_URL=postgresql://… is set. PostgreSQL's module (and asyncpg, an optional extra) is imported
only then, so a SQLite-only installation never needs it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.db.common import DatabaseOpenError
from bot.db.sqlite.database import Database

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.db.postgres import PostgresDatabase


async def open_database(settings: Settings, *, only_nexus: bool = False) -> Database | PostgresDatabase:
    """Open, check and migrate the database the settings name; DatabaseOpenError says in one line why not.

    `only_nexus` (SQLite): hold the file so a second bot on it is refused. PostgreSQL has no such
    hold: several processes on one database is what it is for.
    """
    url = settings.database.url
    if url is None:
        return await Database.open(settings.database.path, only_nexus=only_nexus)
    try:
        from bot.db.postgres import PostgresDatabase
    except ModuleNotFoundError as exc:
        if exc.name != "asyncpg":
            raise
        raise DatabaseOpenError(
            "PostgreSQL needs the asyncpg driver, which this installation lacks: install nexus-bot[postgres]"
        ) from exc
    return await PostgresDatabase.open(url.reveal())
