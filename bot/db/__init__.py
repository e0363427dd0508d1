"""The database layer: the only place that holds SQL.

Each feature owns its repository protocols and the models they return (e.g. `bot.projects.repository`);
an engine implements them: `bot.db.sqlite` (the default, one aiosqlite connection and its migrations)
or `bot.db.postgres` (asyncpg). `bot.db.shared` holds, per feature, what both engines' repositories
share (rows → models, result shaping, the statements both run alike); `common` what every engine
shares with its callers (errors, the write deadline). `bot/stores.py` is the one place that picks an
engine's repositories.
"""

from bot.db.common import (
    WRITE_DEADLINE,
    DatabaseBusy,
    DatabaseOpenError,
    DatabaseSize,
    DatabaseUnwritable,
    MigrationError,
    saved_unless_refused_by_database,
)
from bot.db.sqlite.database import Database
from bot.db.sqlite.lock import DatabaseInUse

__all__ = ["WRITE_DEADLINE", "Database", "DatabaseBusy", "DatabaseInUse", "DatabaseOpenError", "DatabaseSize",
           "DatabaseUnwritable", "MigrationError", "saved_unless_refused_by_database"]
